/**
 * Fault injection as the phases see it. On the mock, faults go to its admin HTTP API (the engine talks
 * to the mock only over the wire, as to any exchange). On a real venue only client-side faults exist:
 * dropping our own WebSocket connections; everything else reports `supports(kind) === false` with the
 * reason, and the phase skips that check.
 */
import type {ExchangeClient} from '../exchange/types.js';

export type FaultKind = 'latency' | 'error-rate' | 'rate-limit-storm' | 'drop-websockets' | 'stall-streams' | 'clock-skew' | 'pause-market';

export interface FaultRequest {
	fault: FaultKind;
	params?: Record<string, unknown>;
	/** The mock ends the fault by itself after this long. */
	durationMs?: number;
}

export interface FaultInjector {
	/** 'mock' when a venue-side fault API is available, 'client' otherwise. */
	readonly mode: 'mock' | 'client';
	supports(kind: FaultKind): boolean;
	/** Why a kind is unsupported, for the skipped check's reason. */
	unsupportedReason(kind: FaultKind): string;
	inject(request: FaultRequest): Promise<void>;
	/** Clears every active fault (venue side); a no-op on client mode. */
	clear(): Promise<void>;
	/** The mock's GET {admin}/stats, or null on client mode. */
	stats(): Promise<Record<string, unknown> | null>;
}

export class FaultError extends Error {
	override readonly name = 'FaultError';
}

const clientReasons: Record<FaultKind, string> = {
	'latency': 'venue gives no control over its latency',
	'error-rate': 'venue gives no control over 5xx responses',
	'rate-limit-storm': 'venue gives no control over 429 storms (and provoking one risks an IP ban)',
	'drop-websockets': '',
	'stall-streams': 'venue gives no control over its stream delivery',
	'clock-skew': 'venue gives no control over its clock',
	'pause-market': 'venue gives no control over its market',
};

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
			throw new FaultError(`mock admin ${method} ${path} unreachable: ${error instanceof Error ? error.message : String(error)}`);
		}
		const text = await response.text();
		if (!response.ok) throw new FaultError(`mock admin ${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
		if (text === '') return null;
		try {
			return JSON.parse(text) as unknown;
		} catch {
			return text;
		}
	};
	return {
		mode: 'mock',
		supports: () => true,
		unsupportedReason: () => '',
		async inject(request) {
			await send('POST', '/faults', {fault: request.fault, params: request.params ?? {}, ...(request.durationMs === undefined ? {} : {durationMs: request.durationMs})});
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

/** Real venues: only our own connections can be dropped. */
export function createClientFaultInjector(exchange: ExchangeClient): FaultInjector {
	return {
		mode: 'client',
		supports: kind => kind === 'drop-websockets',
		unsupportedReason: kind => clientReasons[kind],
		async inject(request) {
			if (request.fault !== 'drop-websockets') throw new FaultError(`${request.fault}: ${clientReasons[request.fault]}`);
			await exchange.dropConnections();
		},
		async clear() {},
		async stats() {
			return null;
		},
	};
}
