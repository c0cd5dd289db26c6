/**
 * Faults on the mock through its admin HTTP API (the engine talks to the mock only over the wire, as to
 * any exchange): every kind the mock's own controls have (source/faults/spec/kinds.ts).
 */
import {FaultError, type FaultInjector} from './injector.js';
import {isMockFaultKind, mockReason} from './spec/kinds.js';

/** Faults via the mock's admin API: POST {admin}/faults {fault, params, durationMs}, DELETE {admin}/faults. */
export function createMockFaultInjector(adminUrl: string, timeoutMs = 5_000): FaultInjector {
	const base = adminUrl.replace(/\/+$/, '');
	const send = async (method: string, path: string, body?: unknown): Promise<unknown> => {
		let response: Response;
		try {
			response = await fetch(`${base}${path}`, {
				method,
				headers: body === undefined ? {} : {'content-type': 'application/json'},
				body: body === undefined ? null : JSON.stringify(body),
				signal: AbortSignal.timeout(timeoutMs),
			});
		} catch (error) {
			throw new FaultError(
				`mock admin ${method} ${path} unreachable: ${error instanceof Error ? error.message : String(error)}`,
			);
		}
		const text = await response.text();
		if (!response.ok)
			throw new FaultError(`mock admin ${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
		if (text === '') return null;
		try {
			return JSON.parse(text) as unknown;
		} catch {
			return text;
		}
	};
	return {
		mode: 'mock',
		supports: kind => isMockFaultKind(kind),
		unsupportedReason: kind => (isMockFaultKind(kind) ? '' : mockReason(kind)),
		async inject(request) {
			if (!isMockFaultKind(request.fault)) throw new FaultError(`${request.fault}: ${mockReason(request.fault)}`);
			await send('POST', '/faults', {
				fault: request.fault,
				params: request.params ?? {},
				...(request.durationMs === undefined ? {} : {durationMs: request.durationMs}),
			});
		},
		async clear() {
			await send('DELETE', '/faults');
		},
		async stats() {
			const value = await send('GET', '/stats');
			return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
		},
	};
}
