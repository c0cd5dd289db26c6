/**
 * The `drydock_sut_*` metrics over a real /metrics server: declared with no samples until the SUT
 * module feeds them, then the fed figures (merged field by field), and gone again after clearSut.
 */
import {afterEach, describe, expect, it} from 'vitest';
import {EngineStore} from '../../source/engine/store.js';
import type {EngineHandle} from '../../source/engine/commands.js';
import {startMetricsServer, type MetricsServer} from '../../source/metrics/index.js';
import {scrape} from './helpers.js';

const profileView = {
	name: 'mock',
	exchange: 'binance',
	environment: 'mock',
	execution: 'exchange',
	symbols: ['BTCUSDT'],
} as const;
const limits = {cpuPercent: 80, rssMb: 200, rssSlopeMbPerHour: 5, eventLoopLagMs: 200};
const servers: MetricsServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(s => s.close()));
});

function idleEngine(): EngineHandle {
	const store = new EngineStore({profile: {...profileView, symbols: [...profileView.symbols]}, limits});
	return {getSnapshot: store.getSnapshot, subscribe: store.subscribe, dispatch: () => {}};
}

const sutNames = [
	'up',
	'restarts_total',
	'cpu_percent',
	'resident_memory_bytes',
	'requests_total',
	'rate_limited_responses_total',
	'orders_total',
	'open_orders',
].map(n => `drydock_sut_${n}`);

describe('drydock_sut_* metrics', () => {
	it('are declared with no samples until fed, then carry the merged figures, and none after clearSut', async () => {
		const server = await startMetricsServer(idleEngine(), {port: 0});
		servers.push(server);
		const before = await scrape(server.url);
		for (const name of sutNames) {
			expect(before.scrape.types.has(name), `${name} declared`).toBe(true);
			expect(before.scrape.find(name), `${name} has no sample without a SUT`).toEqual([]);
		}
		expect(before.scrape.types.get('drydock_sut_requests_total')).toBe('counter');
		expect(before.scrape.types.get('drydock_sut_open_orders')).toBe('gauge');

		// The process side and the venue side feed separately; each keeps the other's figures.
		server.sut.setSutSample({up: true, restarts: 1, cpuPercent: 12.5, rssBytes: 64 * 1024 * 1024});
		server.sut.setSutSample({
			requests: 420,
			responses429: 3,
			responses418: 0,
			orders: {placed: 10, filled: 7},
			openOrders: 2,
		});
		server.sut.setSutSample({orders: {canceled: 1}, up: false});
		const {scrape: m} = await scrape(server.url);
		expect(m.value('drydock_sut_up')).toBe(0);
		expect(m.value('drydock_sut_restarts_total')).toBe(1);
		expect(m.value('drydock_sut_cpu_percent')).toBe(12.5);
		expect(m.value('drydock_sut_resident_memory_bytes')).toBe(64 * 1024 * 1024);
		expect(m.value('drydock_sut_requests_total')).toBe(420);
		expect(m.value('drydock_sut_rate_limited_responses_total', {status: '429'})).toBe(3);
		expect(m.value('drydock_sut_rate_limited_responses_total', {status: '418'})).toBe(0);
		expect(m.value('drydock_sut_orders_total', {event: 'placed'})).toBe(10);
		expect(m.value('drydock_sut_orders_total', {event: 'filled'})).toBe(7);
		expect(m.value('drydock_sut_orders_total', {event: 'canceled'})).toBe(1);
		expect(m.value('drydock_sut_open_orders')).toBe(2);

		// null: not known now (e.g. the process is down), so no sample rather than a stale one.
		server.sut.setSutSample({cpuPercent: null, rssBytes: null});
		const down = (await scrape(server.url)).scrape;
		expect(down.find('drydock_sut_cpu_percent')).toEqual([]);
		expect(down.find('drydock_sut_resident_memory_bytes')).toEqual([]);
		expect(down.value('drydock_sut_requests_total')).toBe(420);

		server.sut.clearSut();
		const cleared = (await scrape(server.url)).scrape;
		for (const name of sutNames) expect(cleared.find(name), name).toEqual([]);
	});

	it('refuses a figure that is not a finite number, naming it', async () => {
		const server = await startMetricsServer(idleEngine(), {port: 0});
		servers.push(server);
		expect(() => server.sut.setSutSample({cpuPercent: Number.NaN})).toThrow(
			'setSutSample: cpuPercent is NaN, not a finite number',
		);
		expect(() => server.sut.setSutSample({orders: {filled: Infinity}})).toThrow('setSutSample: filled is Infinity');
		expect((await scrape(server.url)).scrape.find('drydock_sut_cpu_percent')).toEqual([]);
	});
});

describe('unlabelled gauges that are unknown', () => {
	it('have no sample (not a 0) before a run: exit code, remaining time, success ratio, soak progress', async () => {
		const server = await startMetricsServer(idleEngine(), {port: 0});
		servers.push(server);
		const {scrape: m} = await scrape(server.url);
		for (const name of [
			'drydock_run_exit_code',
			'drydock_run_remaining_seconds',
			'drydock_operation_success_ratio',
			'drydock_soak_progress_ratio',
		]) {
			expect(m.types.has(name), `${name} declared`).toBe(true);
			expect(m.find(name), `${name} absent while unknown`).toEqual([]);
		}
		// Known ones still report their 0.
		expect(m.value('drydock_run_elapsed_seconds')).toBe(0);
		expect(m.value('drydock_risk_rejections_total')).toBe(0);
	});
});
