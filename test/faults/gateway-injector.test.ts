/**
 * The SUT's chaos on a real venue: the gateway injector puts a fault on the gateway (in front of a local
 * TLS venue) and, for the kinds drydock's own injector has, on that too; clear lifts both.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createGatewayFaultInjector} from '../../source/faults/gateway-injector.js';
import type {FaultInjector} from '../../source/faults/injector.js';
import type {FaultKind} from '../../source/faults/spec/kinds.js';
import {GATEWAY_FAULT_NAMES} from '../../source/mock/gateway/index.js';
import {startTlsVenue, type TlsVenue} from '../mock/gateway/helpers.js';

let venue: TlsVenue;
beforeAll(async () => {
	venue = await startTlsVenue({seed: 61});
});
afterAll(async () => {
	await venue?.close();
});

/** drydock's own injector, as the fault proxy's: it has drop-websockets, not 5xx. */
function own() {
	const injected: FaultKind[] = [];
	let cleared = 0;
	const faults: FaultInjector = {
		mode: 'proxy',
		supports: kind => kind === 'drop-websockets',
		unsupportedReason: () => 'not here',
		inject: async request => void injected.push(request.fault),
		clear: async () => void cleared++,
		stats: async () => ({proxy: {}}),
	};
	return {faults, injected, cleared: () => cleared};
}

describe('gateway fault injector', () => {
	it('knows the gateway’s kinds, and no others', () => {
		const injector = createGatewayFaultInjector('http://127.0.0.1:1/__drydock', own().faults);
		expect([...GATEWAY_FAULT_NAMES].every(kind => injector.supports(kind as FaultKind))).toBe(true);
		expect(injector.supports('clock-skew')).toBe(false);
		expect(injector.unsupportedReason('pause-market')).toMatch(/market/);
	});

	it('a 5xx reaches the SUT through the gateway (not drydock’s own); a drop goes to both; clear lifts both', async () => {
		const gateway = await venue.gateway();
		const mine = own();
		const injector = createGatewayFaultInjector(gateway.admin, mine.faults);
		expect((await fetch(`${gateway.rest}/api/v3/ping`)).status).toBe(200);
		await injector.inject({fault: 'error-rate', params: {probability: 1, status: 503}, durationMs: 60_000});
		expect((await fetch(`${gateway.rest}/api/v3/ping`)).status).toBe(503);
		expect(injector.placeOf?.('error-rate')).toMatch(/gateway/);
		await injector.inject({fault: 'drop-websockets', params: {}});
		expect(mine.injected).toEqual(['drop-websockets']);
		await injector.clear();
		expect(mine.cleared()).toBe(1);
		expect((await fetch(`${gateway.rest}/api/v3/ping`)).status).toBe(200);
	});
});
