import {describe, expect, it} from 'vitest';
import {
	CLIENT_REASONS,
	FAULT_KINDS,
	injectableAt,
	isMarketFaultKind,
	mockReason,
	PROXY_ONLY_KINDS,
	PROXY_REASONS,
	type FaultPlace,
} from '../../source/faults/spec/kinds.js';
import {parseMockFaultSpec} from '../../source/faults/spec/mock-spec.js';

describe('where each fault kind can be injected', () => {
	it('every kind has a place, and every place that cannot inject it says why', () => {
		for (const kind of FAULT_KINDS) {
			const places = (['mock', 'proxy', 'client'] as FaultPlace[]).filter(place => injectableAt(kind, place));
			expect(places.length, kind).toBeGreaterThan(0);
			if (injectableAt(kind, 'proxy')) expect(PROXY_REASONS[kind], kind).toBeUndefined();
			else expect(PROXY_REASONS[kind], kind).toBeTruthy();
			expect(CLIENT_REASONS[kind] === '', kind).toBe(injectableAt(kind, 'client'));
			if (!injectableAt(kind, 'mock')) expect(mockReason(kind)).toContain('fault proxy');
		}
	});

	it('5xx and 429 are never forged through the proxy: TLS is not terminated', () => {
		expect(injectableAt('error-rate', 'proxy')).toBe(false);
		expect(injectableAt('rate-limit-storm', 'proxy')).toBe(false);
		expect(PROXY_REASONS['error-rate']).toMatch(/TLS/);
	});

	it('the proxy-only kinds are exactly those the mock refuses', () => {
		for (const kind of FAULT_KINDS) {
			expect(PROXY_ONLY_KINDS.has(kind), kind).toBe(!injectableAt(kind, 'mock'));
			// The market kinds go to the mock's market steering, not its /faults controls.
			if (isMarketFaultKind(kind)) continue;
			expect(parseMockFaultSpec({fault: kind, params: {ms: 1, probability: 0.5}}).ok, kind).toBe(
				injectableAt(kind, 'mock'),
			);
		}
	});

	it('price-shock and halt: the mock only, with the reason for proxy and client', () => {
		for (const kind of ['price-shock', 'halt'] as const) {
			expect(injectableAt(kind, 'mock')).toBe(true);
			expect(injectableAt(kind, 'proxy')).toBe(false);
			expect(injectableAt(kind, 'client')).toBe(false);
			expect(PROXY_REASONS[kind]).toMatch(/proxy/);
			expect(CLIENT_REASONS[kind]).toMatch(/needs the mock/);
		}
	});
});
