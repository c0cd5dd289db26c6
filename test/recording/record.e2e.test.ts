/**
 * `drydock record` as a process against a `drydock mock` on loopback (npm run build first): every stream
 * recorded with snapshots and monotonic receive times, a dropped connection written as a gap, a kill -9
 * leaving a file readable up to its last chunk, and bad input refused with exit 2 (unreachable venue: 1).
 */
import {mkdtempSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import {createServer, type AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {drydock, framesByStream, readRecording, startMock} from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'drydock-record-'));
let mock: Awaited<ReturnType<typeof startMock>>;
beforeAll(async () => {
	mock = await startMock();
});
afterAll(async () => {
	await mock?.stop();
	rmSync(dir, {recursive: true, force: true});
});

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	await new Promise(resolve => server.close(resolve));
	return port;
}

const STREAMS = ['trade', 'aggTrade', 'depth@100ms', 'bookTicker', 'kline_1m'];

describe('drydock record', () => {
	it('records every requested stream with depth snapshots and monotonic receive times, then an end mark', async () => {
		const out = join(dir, 'all.rec');
		const run = drydock([
			'record',
			'--exchange-url',
			mock.rest,
			'--symbols',
			'BTCUSDT,ETHUSDT',
			'--streams',
			STREAMS.join(','),
			'--duration',
			'4s',
			'--snapshot-every',
			'2s',
			'--progress-every',
			'1s',
			'-o',
			out,
		]);
		const {code} = await run.exit;
		expect(code, run.stderr()).toBe(0);
		expect(run.stderr()).toMatch(/recording: \d+ events · \d+\/s · .* compressed · 0 gaps/);
		const {header, events, damage} = readRecording(out);
		expect(damage).toBeUndefined();
		expect(header).toMatchObject({symbols: ['BTCUSDT', 'ETHUSDT'], streams: STREAMS, source: mock.ws});
		const counts = framesByStream(events);
		for (const symbol of ['btcusdt', 'ethusdt'])
			for (const stream of STREAMS)
				expect(counts.get(`${symbol}@${stream}`) ?? 0, `${symbol}@${stream}`).toBeGreaterThan(0);
		const snapshots = events.filter(e => e.type === 'snapshot');
		// At the start and every 2 s: at least two per symbol.
		for (const symbol of ['BTCUSDT', 'ETHUSDT'])
			expect(snapshots.filter(s => s.symbol === symbol).length).toBeGreaterThanOrEqual(2);
		expect(snapshots[0]).toMatchObject({lastUpdateId: expect.any(Number) as number});
		for (let i = 1; i < events.length; i++) expect(events[i]!.t).toBeGreaterThanOrEqual(events[i - 1]!.t);
		expect(events.at(-1)?.type).toBe('end');
		expect(events.filter(e => e.type === 'gap')).toEqual([]);
	});

	it('writes a dropped connection as a gap, then resubscribes and takes fresh snapshots', async () => {
		const out = join(dir, 'gap.rec');
		const run = drydock([
			'record',
			'--exchange-url',
			mock.rest,
			'--symbols',
			'BTCUSDT',
			'--streams',
			'depth@100ms,bookTicker',
			'--snapshot-every',
			'0',
			'-o',
			out,
		]);
		await run.waitFor(/Ctrl-C to stop/, 20_000);
		await new Promise(r => setTimeout(r, 1000));
		const dropped = await fetch(`${mock.admin}/faults`, {
			method: 'POST',
			body: JSON.stringify({fault: 'drop-websockets'}),
		});
		expect(dropped.status).toBe(200);
		await new Promise(r => setTimeout(r, 2000));
		run.child.kill('SIGTERM');
		const {code} = await run.exit;
		expect(code, run.stderr()).toBe(0);
		expect(run.stderr()).toMatch(/SIGTERM; .* 1 gaps/);
		const {events} = readRecording(out);
		const gapAt = events.findIndex(e => e.type === 'gap');
		expect(gapAt).toBeGreaterThan(0);
		const gap = events[gapAt]!;
		if (gap.type !== 'gap') throw new Error('unreachable');
		expect(gap.to).toBeGreaterThanOrEqual(gap.from);
		expect(gap.reason).toMatch(/connection closed.*reconnected/);
		// Frames on both sides of the gap, and a fresh snapshot after it.
		expect(events.slice(0, gapAt).some(e => e.type === 'frame')).toBe(true);
		expect(events.slice(gapAt).some(e => e.type === 'frame')).toBe(true);
		expect(events.slice(gapAt).some(e => e.type === 'snapshot')).toBe(true);
		expect(events.slice(0, gapAt).filter(e => e.type === 'snapshot')).toHaveLength(1);
		expect(events.at(-1)?.type).toBe('end');
	});

	it('a kill -9 leaves a file readable up to its last chunk, without an end mark', async () => {
		const out = join(dir, 'killed.rec');
		const run = drydock(['record', '--exchange-url', mock.rest, '--symbols', 'BTCUSDT', '-o', out]);
		await run.waitFor(/Ctrl-C to stop/, 20_000);
		await new Promise(r => setTimeout(r, 2500));
		run.child.kill('SIGKILL');
		await run.exit;
		const {events, damage} = readRecording(out);
		expect(damage).toBeUndefined();
		expect(events.filter(e => e.type === 'frame').length).toBeGreaterThan(10);
		expect(events.some(e => e.type === 'snapshot')).toBe(true);
		expect(events.some(e => e.type === 'end')).toBe(false);
	});

	const bad: Array<[string, string[], RegExp]> = [
		['an unknown stream', ['--streams', 'trade,depht'], /^drydock: --streams: "depht" is not a Binance market stream/],
		['a malformed symbol', ['--symbols', 'BTC-USDT'], /^drydock: --symbols: "BTC-USDT" is not a symbol/],
		['a symbol the venue does not list', ['--symbols', 'NOPEUSDT'], /^drydock: --symbols: .* does not list "NOPEUSDT"/],
		[
			'an unwritable -o',
			['-o', '/nonexistent-dir/x.rec'],
			/^drydock: -o: the directory \/nonexistent-dir does not exist/,
		],
		['a bad duration', ['--duration', 'soon'], /^drydock: --duration: cannot read "soon"/],
	];
	it.each(bad)('refuses %s with exit 2 and one line', async (_what, args, message) => {
		const out = join(dir, 'bad.rec');
		const run = drydock(['record', '--exchange-url', mock.rest, '-o', out, ...args]);
		const {code} = await run.exit;
		expect(code).toBe(2);
		expect(run.stderr()).toMatch(message);
		expect(run.stderr().trim().split('\n')).toHaveLength(1);
		expect(existsSync(out)).toBe(false);
	});

	it('refuses to overwrite a file without --force', async () => {
		const out = join(dir, 'exists.rec');
		writeFileSync(out, 'keep me');
		const run = drydock(['record', '--exchange-url', mock.rest, '-o', out]);
		expect((await run.exit).code).toBe(2);
		expect(run.stderr()).toMatch(/-o: .*exists \(add --force/);
	});

	it('exits 1 when the venue is unreachable, leaving no file', async () => {
		const out = join(dir, 'none.rec');
		const port = await closedPort();
		const run = drydock(['record', '--exchange-url', `http://127.0.0.1:${port}`, '-o', out]);
		expect((await run.exit).code).toBe(1);
		expect(run.stderr()).toMatch(
			new RegExp(`^drydock record: http://127\\.0\\.0\\.1:${port} is unreachable \\(ECONNREFUSED\\)`),
		);
		expect(existsSync(out)).toBe(false);
	});
});
