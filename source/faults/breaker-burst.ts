/**
 * The operator's breaker test as a fault: a burst that fails every real call long enough for the
 * circuit breaker to open, half-open and close by itself. Where the venue can answer 5xx on demand (the
 * mock) it does; through the fault proxy on a real venue, which cannot forge a 5xx inside TLS, our REST
 * connections are reset instead, which fails real calls just the same. Neither: no breaker test.
 */
import type {FaultInjector} from './injector.js';

export function breakerBurst(faults: FaultInjector, durationMs: number): (() => Promise<void>) | undefined {
	if (faults.supports('error-rate')) {
		return async () => {
			await faults.inject({fault: 'error-rate', params: {probability: 1, status: 503}, durationMs});
		};
	}
	if (faults.supports('connection-reset')) {
		return async () => {
			await faults.inject({fault: 'connection-reset', params: {probability: 1, scope: 'rest'}, durationMs});
		};
	}
	return undefined;
}
