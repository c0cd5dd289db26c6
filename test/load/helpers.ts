/** Loopback servers and a CLI runner shared by the load tests. */
import {spawn} from 'node:child_process';
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {fileURLToPath} from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface CountingServer {
	url: string;
	/** Requests served per path (query string dropped). */
	counts: Map<string, number>;
	total(): number;
	/** Holds every response until `ms` from now (requests keep arriving and wait, like a GC pause). */
	stall(ms: number): void;
	close(): Promise<void>;
}

/**
 * Answers 200 `{"ok":true}` to anything, `/status/NNN` with that status, and counts what it served.
 */
export async function startCountingServer(): Promise<CountingServer> {
	const counts = new Map<string, number>();
	let stalledUntil = 0;
	const answer = (req: IncomingMessage, res: ServerResponse) => {
		const path = (req.url ?? '/').split('?')[0]!;
		counts.set(path, (counts.get(path) ?? 0) + 1);
		const status = /^\/status\/(\d{3})$/.exec(path);
		const body = JSON.stringify({ok: true, path});
		res.writeHead(status ? Number(status[1]) : 200, {
			'content-type': 'application/json',
			'content-length': Buffer.byteLength(body),
		});
		res.end(body);
	};
	const server = createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			const wait = stalledUntil - Date.now();
			if (wait > 0) setTimeout(() => answer(req, res), wait);
			else answer(req, res);
		});
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		counts,
		total: () => [...counts.values()].reduce((a, b) => a + b, 0),
		stall(ms) {
			stalledUntil = Date.now() + ms;
		},
		close: () =>
			new Promise<void>(resolve => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

export interface CliResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

/**
 * Runs `drydock load …` from source (through tsx, so no build is needed). `onStart` gets the child
 * process, e.g. to send it a signal.
 */
export function runLoadCli(
	args: string[],
	options: {onSpawn?: (child: ReturnType<typeof spawn>) => void; timeoutMs?: number} = {},
): Promise<CliResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'source/cli.tsx', 'load', ...args], {
			cwd: repoRoot,
			stdio: ['ignore', 'pipe', 'pipe'],
			env: {...process.env, CI: 'true'},
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({code, signal, stdout, stderr});
		});
		options.onSpawn?.(child);
	});
}

/** Splits a CSV produced by Locust's writer (QUOTE_MINIMAL, CRLF) into rows of fields. */
export function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i]!;
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (c === '"') quoted = false;
			else field += c;
		} else if (c === '"') quoted = true;
		else if (c === ',') {
			row.push(field);
			field = '';
		} else if (c === '\r') continue;
		else if (c === '\n') {
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
		} else field += c;
	}
	if (field !== '' || row.length > 0) {
		row.push(field);
		rows.push(row);
	}
	return rows;
}

export function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * Runs the `load` command in this process (no start-up cost), capturing what it writes. A usage
 * error maps to its exit code and the one-line message the CLI would print.
 */
export async function runLoadInProcess(args: string[]): Promise<CliResult> {
	const {default: command} = await import('../../source/commands/load.js');
	const {isUsageError} = await import('../../source/util/usage-error.js');
	let stdout = '';
	let stderr = '';
	const out = process.stdout.write.bind(process.stdout);
	const err = process.stderr.write.bind(process.stderr);
	process.stdout.write = (chunk: string | Uint8Array) => ((stdout += chunk.toString()), true);
	process.stderr.write = (chunk: string | Uint8Array) => ((stderr += chunk.toString()), true);
	try {
		const code = await command(args);
		return {code, signal: null, stdout, stderr};
	} catch (error) {
		if (isUsageError(error))
			return {code: error.exitCode, signal: null, stdout, stderr: stderr + `drydock: ${error.message}\n`};
		throw error;
	} finally {
		process.stdout.write = out;
		process.stderr.write = err;
	}
}
