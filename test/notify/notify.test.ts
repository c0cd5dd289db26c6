/**
 * Webhook notifications received by a real HTTP server on loopback: bodies per format, no secrets,
 * retries while the server is down at first, a bounded queue, a hung server that never slows the run.
 */
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {EngineStore} from '../../source/engine/store.js';
import type {EngineHandle} from '../../source/engine/commands.js';
import {createNotifier} from '../../source/notify/index.js';
import {UsageError} from '../../source/util/usage-error.js';

interface Receiver {
	url: string;
	port: number;
	bodies: Record<string, unknown>[];
	paths: string[];
	raw: string[];
	close(): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const c of cleanups.splice(0).reverse()) await c();
});

async function startReceiver(port = 0, answer: (body: string) => number | null = () => 200): Promise<Receiver> {
	const bodies: Record<string, unknown>[] = [];
	const paths: string[] = [];
	const raw: string[] = [];
	const server: Server = createServer((req, res) => {
		let data = '';
		req.on('data', chunk => (data += chunk));
		req.on('end', () => {
			const status = answer(data);
			if (status === null) return; // hang
			if (status === 200) {
				raw.push(data);
				bodies.push(JSON.parse(data) as Record<string, unknown>);
				paths.push(req.url ?? '');
			}
			res.writeHead(status).end();
		});
	});
	await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve));
	const actual = (server.address() as AddressInfo).port;
	const receiver = {
		url: `http://127.0.0.1:${actual}`,
		port: actual,
		bodies,
		paths,
		raw,
		close: () =>
			new Promise<void>(resolve => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
	cleanups.push(receiver.close);
	return receiver;
}

function newStore(): {store: EngineStore; engine: EngineHandle; now: () => number; advance(ms: number): void} {
	let t = Date.parse('2026-11-22T10:00:00Z');
	const store = new EngineStore({
		profile: {name: 'mock', exchange: 'binance', environment: 'mock', execution: 'exchange', symbols: ['BTCUSDT']},
		limits: {cpuPercent: 80, rssMb: 200, rssSlopeMbPerHour: 5, eventLoopLagMs: 200},
		now: () => t,
		publishIntervalMs: 10,
		mask: text => text,
	});
	cleanups.push(async () => store.close());
	return {
		store,
		engine: {getSnapshot: store.getSnapshot, subscribe: store.subscribe, dispatch: () => {}},
		now: () => t,
		advance: ms => void (t += ms),
	};
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
	const start = Date.now();
	while (!condition()) {
		if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
		await new Promise(resolve => setTimeout(resolve, 10));
	}
}

/** Plays a run in which `orders` fails, a critical error occurs, RSS crosses its limit, and the run ends. */
function playRun(h: ReturnType<typeof newStore>, secret: string): void {
	const {store} = h;
	store.apply({
		type: 'run-started',
		at: h.now(),
		runId: 'run-n1',
		plan: {name: 'quick', phases: ['connectivity', 'orders'], soakDurationMs: 0},
		reportDir: 'reports/run-n1',
	});
	store.apply({
		type: 'resource',
		at: h.now(),
		sample: {
			which: 'self',
			pid: 1,
			label: 'drydock',
			at: h.now(),
			cpuPercent: 95,
			rssMb: 90,
			heapMb: 40,
			eventLoopLagMs: 1,
			alive: true,
		},
	});
	store.publish();
	store.apply({type: 'phase-started', at: h.now(), phase: 'connectivity'});
	store.apply({
		type: 'check',
		at: h.now(),
		phase: 'connectivity',
		check: {id: 'ping', title: 'Ping', verdict: 'pass', measured: 1, threshold: '< 1000 ms', at: h.now()},
	});
	store.apply({type: 'phase-finished', at: h.now(), phase: 'connectivity', status: 'pass'});
	store.apply({type: 'phase-started', at: h.now(), phase: 'orders'});
	store.apply({
		type: 'check',
		at: h.now(),
		phase: 'orders',
		check: {
			id: 'limit-order',
			title: 'Limit order',
			verdict: 'fail',
			measured: 'rejected',
			threshold: 'accepted',
			reason: `signature with key ${secret} rejected`,
			at: h.now(),
		},
	});
	h.advance(2000);
	store.apply({type: 'phase-finished', at: h.now(), phase: 'orders', status: 'fail'});
	store.apply({
		type: 'error',
		at: h.now(),
		phase: 'orders',
		error: {kind: 'auth', message: `invalid key ${secret}`, critical: true},
	});
	store.apply({
		type: 'resource',
		at: h.now(),
		sample: {
			which: 'self',
			pid: 1,
			label: 'drydock',
			at: h.now(),
			cpuPercent: 10,
			rssMb: 250,
			heapMb: 40,
			eventLoopLagMs: 1,
			alive: true,
		},
	});
	store.publish();
	h.advance(1000);
	store.apply({type: 'run-finished', at: h.now(), state: 'finished', exitCode: 1});
	store.publish();
	// Writing the report after the end spikes the CPU: not an anomaly of the run.
	store.apply({
		type: 'resource',
		at: h.now(),
		sample: {
			which: 'self',
			pid: 1,
			label: 'drydock',
			at: h.now(),
			cpuPercent: 99,
			rssMb: 90,
			heapMb: 40,
			eventLoopLagMs: 1,
			alive: true,
		},
	});
	store.publish();
}

describe('createNotifier', () => {
	it('posts phase failure, anomalies and run end as generic JSON, with secrets masked and no URL token', async () => {
		const receiver = await startReceiver();
		const h = newStore();
		const secret = 'SECRETKEY123456';
		const notifier = createNotifier({
			url: `${receiver.url}/hooks/TOKEN-abc?x=1`,
			format: 'generic',
			engine: h.engine,
			mask: text => text.replaceAll(secret, '***'),
		});
		playRun(h, secret);
		await until(() => receiver.bodies.length >= 4);
		const stats = await notifier.close();
		expect(receiver.bodies.map(b => b.event)).toEqual(['phase-failed', 'anomaly', 'anomaly', 'run-end']);
		expect(receiver.paths[0]).toBe('/hooks/TOKEN-abc?x=1');
		const [phase, critical, rss, end] = receiver.bodies as {
			text: string;
			data: Record<string, unknown>;
			run_id: string;
		}[];
		expect(phase!.run_id).toBe('run-n1');
		expect(phase!.data).toMatchObject({
			phase: 'orders',
			failedChecks: [{id: 'limit-order', measured: 'rejected', threshold: 'accepted'}],
		});
		expect(phase!.text).toContain('phase orders FAILED');
		expect(critical!.data).toMatchObject({kind: 'critical-error', metric: 'auth'});
		// The first resource sample (CPU 95% at start-up) is not an anomaly; RSS 250 > 200 is.
		expect(rss!.data).toMatchObject({kind: 'resource-limit', metric: 'drydock rss', value: 250, limit: 200});
		expect(end!.data).toMatchObject({
			state: 'finished',
			exitCode: 1,
			failedPhases: ['orders'],
			phases: {passed: 1, failed: 1, total: 2},
		});
		for (const body of receiver.raw) {
			expect(body).not.toContain(secret);
			expect(body).not.toContain('TOKEN-abc');
		}
		expect(receiver.raw.join('')).toContain('***');
		expect(stats).toMatchObject({sent: 4, failed: 0, dropped: 0, queued: 0});
	});

	it('keeps retrying with backoff while the webhook is down, and delivers once it comes up', async () => {
		const probe = await startReceiver();
		const port = probe.port;
		await probe.close();
		const h = newStore();
		const notifier = createNotifier({
			url: `http://127.0.0.1:${port}/hook`,
			format: 'generic',
			engine: h.engine,
			baseDelayMs: 40,
			maxDelayMs: 200,
			random: () => 0.5,
		});
		playRun(h, 'x');
		await until(() => notifier.stats().attempts >= 3);
		expect(notifier.stats().sent).toBe(0);
		const receiver = await startReceiver(port);
		await until(() => receiver.bodies.length >= 4);
		const stats = await notifier.close();
		expect(receiver.bodies.map(b => b.event)).toEqual(['phase-failed', 'anomaly', 'anomaly', 'run-end']);
		expect(stats.sent).toBe(4);
		expect(stats.attempts).toBeGreaterThan(4);
	});

	it('never blocks the run: a hung webhook, a bounded queue dropping the oldest, close() within its deadline', async () => {
		const hung = await startReceiver(0, () => null);
		const h = newStore();
		const notifier = createNotifier({
			url: `${hung.url}/hook`,
			format: 'generic',
			engine: h.engine,
			maxQueue: 2,
			timeoutMs: 10_000,
		});
		h.store.apply({
			type: 'run-started',
			at: h.now(),
			runId: 'run-n2',
			plan: {name: 'quick', phases: ['soak'], soakDurationMs: 0},
			reportDir: null,
		});
		const started = performance.now();
		for (let i = 0; i < 6; i++) {
			h.store.apply({
				type: 'error',
				at: h.now(),
				phase: 'soak',
				error: {kind: `kind-${i}`, message: 'boom', critical: true},
			});
			h.store.publish();
		}
		expect(performance.now() - started).toBeLessThan(200);
		// One in flight (hung), two waiting behind it: the three oldest waiting were pushed out.
		expect(notifier.stats()).toMatchObject({dropped: 3, queued: 3});
		const closing = performance.now();
		const stats = await notifier.close(300);
		expect(performance.now() - closing).toBeLessThan(2_000);
		expect(stats.sent).toBe(0);
		expect(stats.dropped).toBe(6);
	});

	it('gives up at once on a permanent 4xx and formats Slack and Telegram bodies', async () => {
		const rejecting = await startReceiver(0, () => 400);
		const h1 = newStore();
		const n1 = createNotifier({url: rejecting.url, format: 'generic', engine: h1.engine, baseDelayMs: 10});
		playRun(h1, 'x');
		await until(() => n1.stats().failed >= 4);
		expect(n1.stats().attempts).toBe(4);
		await n1.close();

		const receiver = await startReceiver();
		const h2 = newStore();
		const slack = createNotifier({
			url: `${receiver.url}/services/T/B/XYZ`,
			format: 'slack',
			engine: h2.engine,
			events: ['phase-failed'],
		});
		playRun(h2, '<b>&');
		await until(() => receiver.bodies.length >= 1);
		await slack.close();
		const body = receiver.bodies[0] as {text: string; blocks: {type: string; text: {type: string; text: string}}[]};
		expect(body.text).toContain('phase orders FAILED');
		expect(body.blocks[0]!.text.type).toBe('mrkdwn');
		expect(body.blocks[0]!.text.text).toContain('&lt;b&gt;&amp;');
		expect(body.blocks[0]!.text.text).not.toContain('<b>');

		const h3 = newStore();
		const telegram = createNotifier({
			url: `${receiver.url}/bot123:SECRET/sendMessage?chat_id=-100555`,
			format: 'telegram',
			engine: h3.engine,
			events: ['run-end'],
		});
		playRun(h3, 'x');
		await until(() => receiver.bodies.length >= 2);
		await telegram.close();
		expect(receiver.bodies[1]).toMatchObject({chat_id: '-100555', disable_web_page_preview: true});
		expect(String(receiver.bodies[1]!.text)).toContain('run run-n1');
		expect(receiver.raw[1]).not.toContain('SECRET');

		expect(() =>
			createNotifier({url: `${receiver.url}/bot1/sendMessage`, format: 'telegram', engine: h3.engine}),
		).toThrow(UsageError);
		expect(() => createNotifier({url: 'ftp://example', format: 'generic', engine: h3.engine})).toThrow(
			'--notify: ftp: URLs are not supported',
		);
		expect(() => createNotifier({url: receiver.url, format: 'teams' as 'generic', engine: h3.engine})).toThrow(
			'--notify-format: "teams" is not one of generic, slack, telegram',
		);
	});
});
