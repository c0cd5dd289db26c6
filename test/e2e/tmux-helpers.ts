/**
 * tmux driving for console e2e tests: a private server socket per test file, sessions with a known
 * shell prompt, screen capture (visible pane or the whole scrollback) and polling until the screen
 * shows something. Needs tmux and a build (`npm test` builds first); `skipReason` says when absent.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const built = existsSync(path.join(root, 'dist', 'cli.js'));
export const skipReason = !hasTmux ? 'tmux is not installed' : !built ? 'dist/ is missing: run `npm run build` (npm test does)' : null;
export const prompt = 'e2e$ ';
export const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

export interface TmuxServer {
	tmux(...args: string[]): string;
	/** Opens a detached session running bash with `env` set (e.g. CI=true), at the repo root, prompt shown. */
	open(session: string, columns: number, rows: number, env?: Record<string, string>): Promise<void>;
	/** Types a command line and presses Enter. */
	run(session: string, line: string): void;
	keys(session: string, ...keys: string[]): void;
	/** The visible pane, wrapped lines joined. */
	screen(session: string): string;
	/** Every line tmux still holds: the scrollback and the visible pane (and, while on the alternate screen, that screen). */
	everything(session: string): string;
	waitFor(session: string, what: string, test: RegExp | string | ((screen: string) => boolean), timeoutMs?: number): Promise<string>;
	/** A tmux format for the pane, e.g. `#{alternate_on}`. */
	paneFormat(session: string, format: string): string;
	close(session: string): void;
	killServer(): void;
}

export function tmuxServer(name: string): TmuxServer {
	const socket = `${name}-${process.pid}`;
	const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
	const screen = (session: string) => tmux('capture-pane', '-p', '-J', '-t', session);
	const server: TmuxServer = {
		tmux,
		async open(session, columns, rows, env = {}) {
			const vars = Object.entries({LANG: 'C.UTF-8', ...env}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
			tmux('new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), `env ${vars} bash --norc --noprofile`);
			tmux('set-option', '-t', session, 'history-limit', '50000');
			tmux('send-keys', '-t', session, `PS1='${prompt}'; cd ${JSON.stringify(root)}; clear`, 'Enter');
			await server.waitFor(session, 'the shell prompt', text => text.split('\n').some(l => l.startsWith(prompt.trimEnd())), 10_000);
		},
		run(session, line) {
			tmux('send-keys', '-t', session, '-l', line);
			tmux('send-keys', '-t', session, 'Enter');
		},
		keys(session, ...keys) {
			tmux('send-keys', '-t', session, ...keys);
		},
		screen,
		everything(session) {
			// -S - : from the start of the history; -a would be the other (normal) screen while the alternate one shows.
			let text = tmux('capture-pane', '-p', '-J', '-S', '-', '-E', '-', '-t', session);
			try {
				text += '\n' + tmux('capture-pane', '-p', '-J', '-a', '-q', '-t', session);
			} catch {
				// No alternate screen active: nothing more to read.
			}
			return text;
		},
		async waitFor(session, what, test, timeoutMs = 20_000) {
			const check = typeof test === 'function' ? test : typeof test === 'string' ? (s: string) => s.includes(test) : (s: string) => test.test(s);
			const deadline = Date.now() + timeoutMs;
			let text = screen(session);
			while (!check(text)) {
				if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
				await sleep(150);
				text = screen(session);
			}
			return text;
		},
		paneFormat(session, format) {
			return tmux('display-message', '-p', '-t', session, format).trim();
		},
		close(session) {
			spawnSync('tmux', ['-L', socket, 'kill-session', '-t', session]);
		},
		killServer() {
			spawnSync('tmux', ['-L', socket, 'kill-server']);
		},
	};
	return server;
}
