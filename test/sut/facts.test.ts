import {afterEach, describe, expect, it} from 'vitest';
import {mkdtempSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {buildSutEnv} from '../../source/sut/environment.js';
import {gatherSutFacts} from '../../source/sut/facts.js';
import {judgeSut, reconcileBalances} from '../../source/sut/judge.js';
import {LogCapture} from '../../source/sut/log-capture.js';
import {ProcessTreeMonitor} from '../../source/sut/process-tree.js';
import {resolveSutSpec} from '../../source/sut/spec.js';
import {StatsdIntake} from '../../source/sut/statsd.js';
import {SutSupervisor, type SutEvent} from '../../source/sut/supervisor.js';
import {ActivityFollower} from '../../source/sut/venue-activity.js';
import {VenueView} from '../../source/sut/venue-view.js';

const servers: Server[] = [];
afterEach(() => {
	for (const s of servers.splice(0)) s.close();
});

/** An admin side whose SUT was banned once and still holds an order. */
async function adminStub(): Promise<string> {
	const server = createServer((req, res) => {
		res.writeHead(200, {'content-type': 'application/json'});
		if (req.url!.includes('/activity'))
			return res.end(
				JSON.stringify({
					seq: 2,
					at: Date.now(),
					rest: {
						requests: 10,
						weightUsed: 10,
						weightLimit: 6000,
						requestsPerMinute: 10,
						status429: 2,
						status418: 1,
						bannedUntil: null,
						requestsInsideRetryAfter: 4,
						errorsByCode: {},
					},
					orders: {
						placed: 1,
						filled: 0,
						partiallyFilled: 0,
						canceled: 0,
						rejected: 0,
						rejectedByCode: {},
						duplicateClientOrderIds: 0,
						maxOrdersPer10s: 1,
						ordersPer10sLimit: 100,
						open: 1,
						ackLatencyMs: {count: 1, avg: 1, p50: 1, p99: 1, max: 1},
					},
					streams: {connectionsOpen: 0, connectionsTotal: 1, subscriptions: []},
					events: [
						{
							seq: 1,
							at: Date.now() - 60_000,
							type: 'drop',
							dropId: 'd1',
							kind: 'drop-websockets',
							streams: ['btcusdt@trade'],
						},
						{seq: 2, at: Date.now() - 59_000, type: 'order', status: 'NEW', clientOrderId: 'left-behind', latencyMs: 1},
					],
				}),
			);
		if (req.url!.includes('/open-orders'))
			return res.end(JSON.stringify({orders: [{symbol: 'BTCUSDT', orderId: 1, clientOrderId: 'left-behind'}]}));
		if (req.url!.includes('/account'))
			return res.end(JSON.stringify({balances: [{asset: 'USDT', free: '1000', locked: '0'}], fills: []}));
		res.end('{}');
	});
	servers.push(server);
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(server.address() as {port: number}).port}/__drydock`;
}

describe('SUT facts, end to end over the real collectors', () => {
	it('a faulty Python SUT (crashes, logs errors, reports over StatsD, leaves an order, was banned) fails the checks that catch it', async () => {
		const spec = resolveSutSpec(
			{readyWhen: '^started', metrics: {operation: 'bot.cycle'}, limits: {errorsPerHour: 10}},
			{commandFlag: 'x'},
		)!;
		const intake = new StatsdIntake({metrics: spec.metrics});
		const statsd = await intake.listen(0);
		const script = [
			'import os, socket, sys, time',
			's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
			'host, port = os.environ["DRYDOCK_STATSD"].split(":")',
			'print("started", flush=True)',
			'for i in range(3): s.sendto(b"bot.cycle:2|ms", (host, int(port)))',
			'print("ERROR could not place order", flush=True)',
			'time.sleep(1.5)',
			'raise RuntimeError("boom with " + os.environ["DRYDOCK_API_SECRET"])',
		].join('\n');
		const env = buildSutEnv({
			rest: 'http://127.0.0.1:1',
			ws: 'ws://127.0.0.1:1',
			wsApi: 'ws://127.0.0.1:1/ws-api/v3',
			apiKey: 'K',
			apiSecret: 'THE-SECRET',
			symbols: ['BTCUSDT'],
			statsd: statsd.address,
		});
		const supervisor = new SutSupervisor({...spec, command: `/usr/bin/python3 -c '${script}'`, env});
		const capture = new LogCapture({
			dir: mkdtempSync(join(tmpdir(), 'sut-facts-')),
			errorPatterns: spec.errorPatterns,
			secrets: ['THE-SECRET'],
		});
		const tree = new ProcessTreeMonitor();
		const exits: SutEvent[] = [];
		supervisor.on(e => {
			if (e.type === 'log') capture.line(e.stream, e.line, e.at);
			if (e.type === 'ready') tree.setRoot(e.pid);
			if (e.type === 'exited' && !e.expected) exits.push(e);
		});
		const startedAt = Date.now();
		expect(await supervisor.start()).toMatchObject({ok: true});
		// The first pidusage call runs getconf: give it time on a busy machine.
		expect(await tree.sample()).not.toBeNull();
		while (supervisor.state === 'running') await new Promise(resolve => setTimeout(resolve, 20));
		await supervisor.stop();
		capture.close();

		const view = new VenueView({adminBase: await adminStub()});
		const follower = new ActivityFollower(view, 'c1');
		await follower.poll();
		const open = await view.openOrders('c1');
		const account = await view.account('c1');
		expect(exits.at(-1)).toMatchObject({code: 1, expected: false});
		expect(supervisor.lastUnexpectedExit).toMatchObject({code: 1, signal: null});
		const facts = gatherSutFacts({
			spec,
			supervisor,
			tree,
			warmupUntil: startedAt,
			capture,
			follower,
			defaultBudgetMs: 10_000,
			orphans: open.ok
				? {openOrders: open.value.length, clientOrderIds: open.value.map(o => o.clientOrderId ?? String(o.orderId))}
				: {error: open.error.message},
			balances: account.ok ? reconcileBalances({USDT: 1000}, account.value) : null,
			durationMs: Date.now() - startedAt,
			now: Date.now(),
		});
		const verdicts = Object.fromEntries(judgeSut(facts).map(c => [c.id, c.verdict]));
		expect(verdicts).toEqual({
			'sut-alive': 'fail',
			'sut-orphans': 'fail',
			'sut-resubscribe': 'fail',
			'sut-rate-limit': 'fail',
			'sut-memory': 'pass',
			'sut-cpu': 'pass',
			'sut-errors': 'fail',
			'sut-consistency': 'pass',
		});
		expect(facts.errors.total).toBeGreaterThanOrEqual(2); // the ERROR line and the Traceback
		expect(
			capture
				.recent()
				.map(l => l.line)
				.join('\n'),
		).toContain('boom with ***');
		expect(intake.snapshot()).toMatchObject({operations: 3, failed: 0});
		await intake.close();
	});
});
