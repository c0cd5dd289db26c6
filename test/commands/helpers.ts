import {spawn, type ChildProcess} from 'node:child_process';
import {createHmac} from 'node:crypto';
import {fileURLToPath} from 'node:url';

export const bin = fileURLToPath(new URL('../../bin/drydock.js', import.meta.url));

export interface Spawned {
	child: ChildProcess;
	stdout: () => string;
	stderr: () => string;
	exit: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
	waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export function drydock(args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv} = {}): Spawned {
	const child = spawn(process.execPath, [bin, ...args], {
		cwd: options.cwd,
		env: {...process.env, CI: 'true', ...options.env},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	let err = '';
	const waiters: {pattern: RegExp; resolve: (s: string) => void}[] = [];
	const poke = () => {
		for (const w of [...waiters]) {
			const match = w.pattern.exec(out + err);
			if (match) {
				waiters.splice(waiters.indexOf(w), 1);
				w.resolve(match[0]);
			}
		}
	};
	child.stdout.on('data', (chunk: Buffer) => {
		out += chunk.toString();
		poke();
	});
	child.stderr.on('data', (chunk: Buffer) => {
		err += chunk.toString();
		poke();
	});
	const exit = new Promise<{code: number | null; signal: NodeJS.Signals | null}>(resolve =>
		child.on('exit', (code, signal) => resolve({code, signal})),
	);
	return {
		child,
		stdout: () => out,
		stderr: () => err,
		exit,
		waitFor(pattern, timeoutMs = 60_000) {
			return new Promise((resolve, reject) => {
				const timer = setTimeout(
					() => reject(new Error(`timed out waiting for ${pattern}; stdout:\n${out}\nstderr:\n${err}`)),
					timeoutMs,
				);
				waiters.push({
					pattern,
					resolve: s => {
						clearTimeout(timer);
						resolve(s);
					},
				});
				void exit.then(() =>
					setTimeout(() => reject(new Error(`exited before ${pattern}; stdout:\n${out}\nstderr:\n${err}`)), 50),
				);
				poke();
			});
		},
	};
}

/** Starts `drydock mock --port 0` and returns its URLs. */
export async function startMock(): Promise<{rest: string; ws: string; admin: string; stop(): Promise<void>}> {
	const mock = drydock(['mock', '--port', '0']);
	const line = await mock.waitFor(/\{"rest".*\}/, 20_000);
	const urls = JSON.parse(line) as {rest: string; ws: string; admin: string};
	return {
		...urls,
		async stop() {
			mock.child.kill('SIGTERM');
			await mock.exit;
		},
	};
}

/** Open orders on the mock for its default account (signed GET /api/v3/openOrders). */
export async function openOrders(rest: string, apiKey: string, secret: string): Promise<unknown[]> {
	const query = `timestamp=${Date.now()}&recvWindow=10000`;
	const signature = createHmac('sha256', secret).update(query).digest('hex');
	const response = await fetch(`${rest}/api/v3/openOrders?${query}&signature=${signature}`, {
		headers: {'X-MBX-APIKEY': apiKey},
	});
	if (!response.ok) throw new Error(`openOrders: ${response.status} ${await response.text()}`);
	return (await response.json()) as unknown[];
}
