/**
 * Chaos on a real venue with a system under test: faults go to the drydock gateway in front of the venue
 * (the SUT's connections; POST {gateway admin}/faults, the mock's admin shape), which terminates the SUT's
 * side in plain HTTP and so can forge 5xx and 429 as well as delay, reset, silence and drop. The kinds
 * drydock's own injector (the local fault proxy) can also apply go to it too, so drydock's own stream
 * watching — which the chaos runner measures detection and recovery by — sees the same fault.
 */
import {adminSender} from './admin-request.js';
import {FaultError, type FaultInjector} from './injector.js';
import type {FaultKind} from './spec/kinds.js';

/** What the gateway applies (mock/gateway/gateway-faults.ts GATEWAY_FAULT_NAMES): forged answers and cut or silenced sockets, never the venue's market or clock. */
export const GATEWAY_FAULT_KINDS: ReadonlySet<FaultKind> = new Set<FaultKind>([
	'latency',
	'error-rate',
	'rate-limit-storm',
	'connection-reset',
	'timeout',
	'drop-websockets',
	'stall-streams',
]);

const GATEWAY_REASON =
	"a real venue gives no control over its clock or market; the gateway can only forge answers and cut the SUT's connections";

export function createGatewayFaultInjector(adminUrl: string, own: FaultInjector, timeoutMs = 5_000): FaultInjector {
	const send = adminSender(adminUrl, 'gateway admin', timeoutMs);
	return {
		mode: own.mode,
		supports: kind => GATEWAY_FAULT_KINDS.has(kind),
		unsupportedReason: kind => (GATEWAY_FAULT_KINDS.has(kind) ? '' : GATEWAY_REASON),
		placeOf: kind =>
			own.supports(kind)
				? "drydock gateway (the SUT's connections) and drydock's own"
				: "drydock gateway (the SUT's connections)",
		async inject(request) {
			if (!GATEWAY_FAULT_KINDS.has(request.fault)) throw new FaultError(`${request.fault}: ${GATEWAY_REASON}`);
			await send('POST', '/faults', {
				fault: request.fault,
				params: request.params ?? {},
				...(request.durationMs === undefined ? {} : {durationMs: request.durationMs}),
			});
			if (own.supports(request.fault)) return own.inject(request);
		},
		effects: id => own.effects?.(id) ?? null,
		async clear() {
			await Promise.all([send('DELETE', '/faults'), own.clear()]);
		},
		async stats() {
			const [gateway, ours] = await Promise.all([send('GET', '/faults').catch(() => null), own.stats()]);
			return {...(ours ?? {}), gateway};
		},
	};
}
