import {describe, expect, it} from 'vitest';
import {execFile} from 'node:child_process';
import {createSocket} from 'node:dgram';
import {promisify} from 'node:util';
import {parseStatsdLine, parseStatsdPacket, StatsdIntake} from '../../source/sut/statsd.js';

const run = promisify(execFile);

async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
	const started = Date.now();
	while (!predicate()) {
		if (Date.now() - started > timeoutMs) throw new Error('condition never held');
		await new Promise(resolve => setTimeout(resolve, 10));
	}
}

describe('StatsD intake', () => {
	it('parses plain StatsD and DogStatsD lines, and rejects malformed ones', () => {
		expect(parseStatsdLine('bot.cycle:12.5|ms')).toEqual({
			name: 'bot.cycle',
			values: [12.5],
			type: 'ms',
			rate: 1,
			tags: {},
			delta: false,
		});
		expect(parseStatsdLine('bot.cycle:3|h|@0.5|#status:error,env:dry')).toMatchObject({
			type: 'h',
			rate: 0.5,
			tags: {status: 'error', env: 'dry'},
		});
		expect(parseStatsdLine('bot.orders:1|c|#primary')).toMatchObject({type: 'c', values: [1], tags: {primary: ''}});
		expect(parseStatsdLine('bot.latency:1:2:3|d')).toMatchObject({values: [1, 2, 3], type: 'd'});
		expect(parseStatsdLine('bot.open:-2|g')).toMatchObject({values: [-2], delta: true});
		expect(parseStatsdLine('bot.users:alice|s')).toMatchObject({type: 's', values: [1]});
		for (const bad of [
			'no-colon|c',
			'x:1',
			'x:1|zz',
			'x:abc|ms',
			'x:1|c|@2',
			':1|c',
			'_e{5,4}:title|text',
			'_sc|check|0',
		])
			expect(parseStatsdLine(bad)).toBeNull();
		expect(parseStatsdPacket('a:1|c\n\nb:2|ms\ngarbage\n')).toMatchObject({
			malformed: 1,
			metrics: [{name: 'a'}, {name: 'b'}],
		});
	});

	it('listens on loopback, maps the operation timer and the outcome counters from a real sender', async () => {
		const intake = new StatsdIntake({metrics: {operation: 'bot.cycle', success: 'bot.ok', failure: 'bot.fail'}});
		const {port, address} = await intake.listen(0);
		expect(address).toBe(`127.0.0.1:${port}`);
		// A Python SUT sending what its statsd client would: 10 cycles, 2 failures, a typo'd name, garbage.
		const script = `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(10):
    s.sendto(("bot.cycle:%d|ms" % (i + 1)).encode(), ("127.0.0.1", ${port}))
s.sendto(b"bot.fail:2|c\\nbot.cylce:5|ms\\nnot a metric", ("127.0.0.1", ${port}))
`;
		await run('/usr/bin/python3', ['-c', script]);
		await until(() => intake.snapshot().packets === 11);
		const snap = intake.snapshot();
		expect(snap).toMatchObject({operations: 10, succeeded: 8, failed: 2, malformed: 1, unmapped: 1, packets: 11});
		expect(snap.successRate).toBeCloseTo(0.8);
		expect(snap.latency).toMatchObject({count: 10, minMs: 1, peakMs: 10, avgMs: 5.5});
		expect(snap.names).toMatchObject({'bot.cycle': 10, 'bot.cylce': 1, 'bot.fail': 1});
		expect(intake.reporting).toBe(true);
		expect(intake.encodedLatency()).toEqual(expect.any(String));
		await intake.close();
	});

	it('takes failures from a DogStatsD tag, weighs sampled timers, and leaves failures under a fault out of the rate', async () => {
		const window = {from: 1_000, to: 2_000};
		const intake = new StatsdIntake({
			metrics: {operation: 'bot.cycle'},
			duringFault: at => at >= window.from && at <= window.to,
		});
		intake.ingest('bot.cycle:4|ms|@0.5', 100); // counts as two operations
		intake.ingest('bot.cycle:9|ms|#status:error', 1_500); // failed under the fault
		intake.ingest('bot.cycle:7|ms|#status:error', 2_500); // failed, graded
		intake.ingest('bot.cycle:3|ms|#status:ok', 2_600);
		const snap = intake.snapshot();
		expect(snap).toMatchObject({operations: 5, failed: 2, succeeded: 3, failuresDuringFaults: 1});
		expect(snap.successRate).toBeCloseTo(3 / 4);
		expect(snap.latency.count).toBe(4);
	});

	it('survives a flood of garbage and an unmapped SUT on a real socket', async () => {
		const intake = new StatsdIntake({metrics: {}});
		const {port} = await intake.listen(0);
		const sender = createSocket('udp4');
		const garbage = [
			Buffer.from([0xff, 0x00, 0x7c, 0x3a]),
			Buffer.from('x'.repeat(8_000)),
			Buffer.from('|||:::'),
			Buffer.from('a:1|c'),
		];
		for (const packet of garbage)
			await new Promise<void>(resolve => sender.send(packet, port, '127.0.0.1', () => resolve()));
		sender.close();
		await until(() => intake.snapshot().packets === 4);
		expect(intake.snapshot()).toMatchObject({malformed: 3, unmapped: 1, operations: 0, successRate: null});
		expect(intake.reporting).toBe(false);
		await intake.close();
	});
});
