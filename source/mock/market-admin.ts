import type {IncomingMessage, ServerResponse} from 'node:http';
import {marketSymbolSettingsSchema} from './market/market-settings.js';
import {parseHalt, parseShock} from './market/price-shock.js';
import type {MarketSimulator} from './market/simulator.js';

const MAX_BODY = 16 * 1024;

/** The admin paths this module answers (under /__drydock). */
export const MARKET_ADMIN_PATHS = new Set(['/market', '/market/shock', '/market/halt', '/market/resume']);

/**
 * The market's steering wheel at /__drydock:
 * - GET /market → {symbols: [{symbol, settings, regime, status, price, shock?}]}
 * - POST /market {symbol?, volatility?, drift?, regime?, tradeRate?, spread?} → settings for one symbol
 *   or all (volatility and drift annualised, spread in basis points, tradeRate trades/s)
 * - POST /market/shock {symbol, percent, durationMs, holdMs?, recoveryMs?} → the price-shock fault
 *   (e.g. percent −8 over 3000 ms, recovery by default ten times the move's duration)
 * - POST /market/halt {symbol, durationMs?} / POST /market/resume {symbol} → exchangeInfo status BREAK /
 *   TRADING; while halted the symbol does not trade and orders get -1013 "Market is closed."; a halt with
 *   `durationMs` resumes by itself (so a chaos halt ends even if drydock dies mid-soak)
 */
export function marketAdmin(
	market: MarketSimulator,
	request: IncomingMessage,
	response: ServerResponse,
	path: string,
): void {
	const method = request.method ?? 'GET';
	const send = (status: number, value: unknown) => {
		const body = JSON.stringify(value);
		response.writeHead(status, {
			'Content-Type': 'application/json;charset=UTF-8',
			'Content-Length': Buffer.byteLength(body),
		});
		response.end(body);
	};
	const bad = (msg: string, status = 400) => send(status, {code: -1102, msg});
	const all = () => ({symbols: market.symbols().map(s => market.marketState(s))});
	if (path === '/market' && method === 'GET') {
		request.resume();
		return send(200, all());
	}
	if (method !== 'POST') {
		request.resume();
		return bad(`method ${method} not allowed on ${path}`, 405);
	}
	const chunks: Buffer[] = [];
	let size = 0;
	request.on('data', (chunk: Buffer) => {
		size += chunk.length;
		if (size <= MAX_BODY) chunks.push(chunk);
	});
	request.on('error', () => {});
	request.on('end', () => {
		if (size > MAX_BODY) return bad(`admin body larger than ${MAX_BODY} bytes`, 413);
		let body: Record<string, unknown>;
		try {
			const text = Buffer.concat(chunks).toString('utf8');
			const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
			if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
				return bad('admin body must be a JSON object');
			body = parsed as Record<string, unknown>;
		} catch {
			return bad('admin body is not valid JSON');
		}
		const {symbol, ...rest} = body;
		if (symbol !== undefined && (typeof symbol !== 'string' || !market.hasSymbol(symbol)))
			return bad(`"symbol" must be one of ${market.symbols().join(', ')}`);
		if (path === '/market') {
			const parsed = marketSymbolSettingsSchema.safeParse(rest);
			if (!parsed.success) {
				const issue = parsed.error.issues[0]!;
				return bad(`"${issue.path.join('.') || 'body'}": ${issue.message}`);
			}
			market.configure(symbol, parsed.data);
			return send(200, all());
		}
		if (typeof symbol !== 'string') return bad('"symbol" is required');
		if (path === '/market/shock') {
			const shock = parseShock(rest);
			if (!shock.ok) return bad(shock.message);
			market.shock(symbol, shock.spec);
			return send(200, market.marketState(symbol));
		}
		if (path === '/market/halt') {
			const halt = parseHalt(rest);
			if (!halt.ok) return bad(halt.message);
			market.setStatus(symbol, 'BREAK', halt.durationMs === undefined ? undefined : market.now() + halt.durationMs);
		} else market.setStatus(symbol, 'TRADING');
		send(200, market.marketState(symbol));
	});
}
