/**
 * Runs the example bots of examples/bots as real child processes against an in-process mock, and
 * looks at them from the venue's side only: the mock's admin API (/__drydock/stats, /faults) and its
 * signed REST surface for open orders — never the bot's own word.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {createHmac} from 'node:crypto';
import dgram from 'node:dgram';
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {startMockExchange, type MockExchange} from '../../source/mock/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Debian's python3 carries python3-requests and python3-websockets; the pyenv one on PATH does not. */
export const PYTHON = '/usr/bin/python3';

export interface BotKind {
	name: string;
	command: string;
	args: string[];
	/** What an unhandled error prints on its way out. */
	crashTrace: RegExp;
}

export const BOTS: BotKind[] = [
	{
		name: 'python',
		command: PYTHON,
		args: [`${root}examples/bots/python/bot.py`],
		crashTrace: /Traceback \(most recent call last\)[\s\S]*RuntimeError: deliberate crash/,
	},
	{
		name: 'node',
		command: process.execPath,
		args: [`${root}examples/bots/node/bot.mjs`],
		crashTrace: /Error: deliberate crash[\s\S]*at run \(/,
	},
];

/** Why the Python bot cannot run here, or undefined when it can. */
export function pythonSkipReason(): string | undefined {
	const probe = spawnSync(PYTHON, ['-c', 'import requests, websockets'], {encoding: 'utf8'});
	if (probe.error) return `${PYTHON} not found`;
	return probe.status === 0
		? undefined
		: `${PYTHON} lacks python3-requests / python3-websockets: ${probe.stderr.trim().split('\n').pop() ?? ''}`;
}

interface VenueStats {
	requests: {total: number; byRoute: Record<string, Record<string, number>>};
	websocket: {openConnections: number; messagesSent: number};
}

/** A mock of the bot's own, reached over the wire. */
export class Venue {
	private constructor(readonly mock: MockExchange) {}

	static async start(): Promise<Venue> {
		return new Venue(await startMockExchange({host: '127.0.0.1', port: 0, seed: 7, quiet: true}));
	}

	env(): Record<string, string> {
		return {
			DRYDOCK_REST_URL: this.mock.rest,
			DRYDOCK_WS_URL: this.mock.ws,
			DRYDOCK_WS_API_URL: `${this.mock.ws}/ws-api/v3`,
			DRYDOCK_API_KEY: this.mock.apiKey,
			DRYDOCK_API_SECRET: this.mock.apiSecret,
			DRYDOCK_SYMBOLS: 'BTCUSDT,ETHUSDT',
		};
	}

	async stats(): Promise<VenueStats> {
		const response = await fetch(`${this.mock.admin}/stats`);
		return (await response.json()) as VenueStats;
	}

	/** Accepted order placements so far. */
	async ordersPlaced(): Promise<number> {
		return (await this.stats()).requests.byRoute['POST /api/v3/order']?.['200'] ?? 0;
	}

	/** 429 answers so far, over every route. */
	async rateLimited(): Promise<number> {
		const {byRoute} = (await this.stats()).requests;
		return Object.values(byRoute).reduce((sum, statuses) => sum + (statuses['429'] ?? 0), 0);
	}

	async fault(body: Record<string, unknown>): Promise<void> {
		const response = await fetch(`${this.mock.admin}/faults`, {
			method: 'POST',
			headers: {'Content-Type': 'application/json'},
			body: JSON.stringify(body),
		});
		if (!response.ok) throw new Error(`fault ${JSON.stringify(body)} refused: ${await response.text()}`);
	}

	/** The account's open orders, asked the way any client would (signed GET /api/v3/openOrders). */
	async openOrders(): Promise<{symbol: string; clientOrderId: string}[]> {
		const query = `timestamp=${Date.now()}&recvWindow=5000`;
		const signature = createHmac('sha256', this.mock.apiSecret).update(query).digest('hex');
		const response = await fetch(`${this.mock.rest}/api/v3/openOrders?${query}&signature=${signature}`, {
			headers: {'X-MBX-APIKEY': this.mock.apiKey},
		});
		if (!response.ok) throw new Error(`openOrders: HTTP ${response.status} ${await response.text()}`);
		return (await response.json()) as {symbol: string; clientOrderId: string}[];
	}

	close(): Promise<void> {
		return this.mock.close();
	}
}

export class Bot {
	private output = '';
	readonly exit: Promise<{code: number | null; signal: NodeJS.Signals | null}>;

	private constructor(readonly child: ChildProcess) {
		child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
		child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
		this.exit = new Promise(resolve => child.once('exit', (code, signal) => resolve({code, signal})));
	}

	/** Starts a bot with a quick cycle (4 a second) so a few seconds show a few orders. */
	static start(kind: BotKind, venue: Venue, options: {fault?: string; env?: Record<string, string>} = {}): Bot {
		const args = [...kind.args, '--cycle-seconds', '0.25', ...(options.fault ? ['--fault', options.fault] : [])];
		const env: NodeJS.ProcessEnv = {
			PATH: process.env.PATH,
			HOME: process.env.HOME,
			BOT_OFFSET_BPS: '50',
			...venue.env(),
			...options.env,
		};
		return new Bot(spawn(kind.command, args, {env, stdio: ['ignore', 'pipe', 'pipe']}));
	}

	get log(): string {
		return this.output;
	}

	get pid(): number {
		return this.child.pid ?? -1;
	}

	/** Resident set size in MB, from /proc. */
	rssMb(): number {
		const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
		const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
		if (kb === undefined) throw new Error(`no VmRSS for pid ${this.pid}`);
		return Number(kb) / 1024;
	}

	async stop(): Promise<{code: number | null; signal: NodeJS.Signals | null}> {
		if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
		return this.exit;
	}

	/** Test clean-up: whatever state it is in, it is gone afterwards. */
	async kill(): Promise<void> {
		if (this.child.exitCode !== null || this.child.signalCode !== null) return;
		this.child.kill('SIGKILL');
		await this.exit;
	}
}

/** Polls `probe` until it returns a truthy value; fails naming `what`, with the bot's output. */
export async function until<T>(what: string, probe: () => Promise<T> | T, bot: Bot, timeoutMs = 10_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; bot output:\n${bot.log}`);
		if (bot.child.exitCode !== null)
			throw new Error(`bot exited (${bot.child.exitCode}) while waiting for ${what}; output:\n${bot.log}`);
		await new Promise(resolve => setTimeout(resolve, 100));
	}
}

export const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** A UDP listener standing in for a StatsD daemon; collects the lines it receives. */
export async function statsdSink(): Promise<{address: string; lines: string[]; close(): void}> {
	const socket = dgram.createSocket('udp4');
	const lines: string[] = [];
	socket.on('message', message => lines.push(...message.toString().split('\n').filter(Boolean)));
	await new Promise<void>(resolve => socket.bind(0, '127.0.0.1', resolve));
	return {address: `127.0.0.1:${socket.address().port}`, lines, close: () => socket.close()};
}
