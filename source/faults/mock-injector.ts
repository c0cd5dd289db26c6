/**
 * Faults on the mock through its admin HTTP API (the engine talks to the mock only over the wire, as to
 * any exchange): every kind the mock's own controls have, and the market faults through its market
 * steering (source/faults/spec/kinds.ts).
 */
import {adminSender} from './admin-request.js';
import {FaultError, type FaultInjector, type MarketStateView} from './injector.js';
import type {FaultRequest} from './spec/fault-spec.js';
import {injectableAt, isMarketFaultKind, isMockFaultKind, mockReason} from './spec/kinds.js';

/**
 * Faults via the mock's admin API: POST {admin}/faults {fault, params, durationMs}, DELETE {admin}/faults;
 * price-shock → POST {admin}/market/shock, halt → POST {admin}/market/halt (with durationMs the mock
 * resumes by itself, so a halt ends even if drydock dies mid-soak).
 */
export function createMockFaultInjector(adminUrl: string, timeoutMs = 5_000): FaultInjector {
	// Halts we started: clear() resumes them (the kill switch must be able to trade back out).
	const halted = new Set<string>();
	const send = adminSender(adminUrl, 'mock admin', timeoutMs);
	const injectMarket = async (request: FaultRequest): Promise<void> => {
		const {symbol, tolerancePercent: _judgedHere, ...rest} = request.params ?? {};
		if (typeof symbol !== 'string') throw new FaultError(`${request.fault}: no symbol to apply it to`);
		if (request.fault === 'price-shock') {
			await send('POST', '/market/shock', {symbol, ...rest});
			return;
		}
		await send('POST', '/market/halt', {
			symbol,
			...(request.durationMs === undefined ? {} : {durationMs: request.durationMs}),
		});
		halted.add(symbol);
	};
	return {
		mode: 'mock',
		supports: kind => injectableAt(kind, 'mock'),
		unsupportedReason: kind => (injectableAt(kind, 'mock') ? '' : mockReason(kind)),
		async inject(request) {
			if (isMarketFaultKind(request.fault)) return injectMarket(request);
			if (!isMockFaultKind(request.fault)) throw new FaultError(`${request.fault}: ${mockReason(request.fault)}`);
			await send('POST', '/faults', {
				fault: request.fault,
				params: request.params ?? {},
				...(request.durationMs === undefined ? {} : {durationMs: request.durationMs}),
			});
		},
		async clear() {
			await send('DELETE', '/faults');
			for (const symbol of [...halted]) {
				await send('POST', '/market/resume', {symbol});
				halted.delete(symbol);
			}
		},
		async stats() {
			const value = await send('GET', '/stats');
			return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
		},
		async marketState(symbol) {
			const value = (await send('GET', '/market')) as {symbols?: unknown} | null;
			const list = Array.isArray(value?.symbols) ? (value.symbols as Array<Record<string, unknown>>) : [];
			const found = list.find(s => s.symbol === symbol);
			if (!found) return null;
			const view: MarketStateView = {
				price: Number(found.price),
				status: String(found.status),
				regime: String(found.regime),
			};
			return Number.isFinite(view.price) ? view : null;
		},
	};
}
