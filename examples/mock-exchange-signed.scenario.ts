/**
 * Load against the mock exchange's Binance-compatible REST API, public and SIGNED endpoints:
 * price ticker, order book depth, and the account (HMAC-SHA256 of the query string, key in
 * X-MBX-APIKEY). Credentials come from DRYDOCK_API_KEY / DRYDOCK_API_SECRET, defaulting to the
 * mock's documented ones.
 *
 *   drydock mock --port 8090 &
 *   drydock load examples/mock-exchange-signed.scenario.ts --host http://127.0.0.1:8090 --users 5 --run-time 1m
 *
 * Mind the request-weight limit (6000/min by default, like Binance): with these waits 5 users use
 * about 4000/min; more users will (correctly) meet 429s unless the mock's limit is raised.
 */
import {DEFAULT_API_KEY, DEFAULT_API_SECRET} from '../source/mock/index.js';
import {hmacHex} from '../source/mock/signing.js';
import type {LoadUser, Scenario} from '../source/load/index.js';

const apiKey = process.env.DRYDOCK_API_KEY ?? DEFAULT_API_KEY;
const apiSecret = process.env.DRYDOCK_API_SECRET ?? DEFAULT_API_SECRET;
const symbols = (process.env.DRYDOCK_SYMBOLS ?? 'BTCUSDT,ETHUSDT').split(',');

const pick = (): string => symbols[Math.floor(Math.random() * symbols.length)]!;

/** Binance SIGNED request: the signature covers the query string exactly as sent. */
function signed(user: LoadUser, path: string, params: Record<string, string> = {}) {
	const query = new URLSearchParams({...params, recvWindow: '5000', timestamp: String(Date.now())}).toString();
	const signature = hmacHex(apiSecret, query);
	return user.get(`${path}?${query}&signature=${signature}`, {headers: {'X-MBX-APIKEY': apiKey}, name: path});
}

export default {
	host: 'http://127.0.0.1:8090',
	wait: {between: [0.5, 1]},
	tasks: [
		{
			name: 'ticker price',
			weight: 3,
			async run(user) {
				const res = await user.get(`/api/v3/ticker/price?symbol=${pick()}`, {name: '/api/v3/ticker/price'});
				if (res.ok && !(Number(res.json<{price: string}>().price) > 0)) user.fail(`no price in ${res.text()}`);
			},
		},
		{
			name: 'depth',
			weight: 2,
			async run(user) {
				const res = await user.get(`/api/v3/depth?symbol=${pick()}&limit=20`, {name: '/api/v3/depth'});
				if (res.ok && res.json<{bids: unknown[]}>().bids.length === 0) user.fail('empty order book');
			},
		},
		{
			name: 'account (signed)',
			weight: 1,
			async run(user) {
				const res = await signed(user, '/api/v3/account', {omitZeroBalances: 'true'});
				if (res.ok && !Array.isArray(res.json<{balances?: unknown}>().balances)) user.fail('account without balances');
			},
		},
	],
} satisfies Scenario;
