/** How configureBinance points ccxt per environment; no request leaves the machine (nothing is fetched). */
import {describe, expect, it} from 'vitest';
import {configureBinance} from '../../source/exchange/ccxt-binance.js';
import {createExchange, ExchangeError} from '../../source/exchange/index.js';

const base = {enableRateLimit: true, timeoutMs: 7000};

describe('configureBinance', () => {
	it('mock: every REST entry on the mock keeping its path, WS and WS-API on the mock, spot error mapping', async () => {
		const {exchange, endpoints} = await configureBinance({
			...base,
			environment: 'mock',
			restUrl: 'http://127.0.0.1:4567/',
			wsUrl: 'ws://127.0.0.1:4567/ws',
			apiKey: 'k',
			secret: 's',
		});
		expect(endpoints).toEqual({
			rest: 'http://127.0.0.1:4567/api/v3',
			sapi: 'http://127.0.0.1:4567/sapi/v1',
			ws: 'ws://127.0.0.1:4567/ws',
			wsApi: 'ws://127.0.0.1:4567/ws-api/v3',
		});
		const api = exchange.urls['api'] as Record<string, unknown>;
		for (const [key, value] of Object.entries(api)) {
			if (typeof value === 'string') expect(value, key).toMatch(/^http:\/\/127\.0\.0\.1:4567\//);
		}
		expect(api['fapiPublic']).toBe('http://127.0.0.1:4567/fapi/v1');
		expect(exchange.enableRateLimit).toBe(true);
		expect(exchange.timeout).toBe(7000);
		expect(exchange.options['defaultType']).toBe('spot');
		const mockExact = exchange.getExceptionsByUrl('http://127.0.0.1:4567/api/v3/order', 'exact');
		expect(Object.keys(mockExact).length).toBeGreaterThan(10);
		expect(mockExact).toEqual(exchange.getExceptionsByUrl('https://api.binance.com/api/v3/order', 'exact'));
		expect(exchange.getExceptionsByUrl('http://127.0.0.1:4567/sapi/v1/account/apiRestrictions', 'broad')).toEqual(
			exchange.getExceptionsByUrl('https://api.binance.com/sapi/v1/account/apiRestrictions', 'broad'),
		);
		// Another host is not the venue.
		expect(exchange.getExceptionsByUrl('http://127.0.0.1:9999/api/v3/order', 'exact')).toEqual({});
	});

	it('testnet: ccxt sandbox URLs', async () => {
		const {endpoints} = await configureBinance({...base, environment: 'testnet'});
		expect(endpoints.rest).toBe('https://testnet.binance.vision/api/v3');
		expect(endpoints.ws).toBe('wss://stream.testnet.binance.vision/ws');
		expect(endpoints.wsApi).toBe('wss://ws-api.testnet.binance.vision/ws-api/v3');
	});

	it('mainnet: ccxt defaults, even when a mock URL is given by mistake', async () => {
		const {endpoints, exchange} = await configureBinance({
			...base,
			environment: 'mainnet',
			restUrl: 'http://127.0.0.1:1',
		});
		expect(endpoints.rest).toBe('https://api.binance.com/api/v3');
		expect(endpoints.ws).toBe('wss://stream.binance.com:9443/ws');
		expect(endpoints.wsApi).toBe('wss://ws-api.binance.com:443/ws-api/v3');
		expect(exchange.options['fetchMarkets']).toMatchObject({types: ['spot']});
	});
});

describe('configureBinance with a real venue moved on purpose', () => {
	it("testnet: venueUrls (a profile's urls) replace the venue's bases, wsApi included", async () => {
		const {endpoints} = await configureBinance({
			...base,
			environment: 'testnet',
			venueUrls: {rest: 'https://127.0.0.1:9443', ws: 'wss://127.0.0.1:9443', wsApi: 'wss://127.0.0.1:9444/ws-api/v3'},
		});
		expect(endpoints.rest).toBe('https://127.0.0.1:9443/api/v3');
		expect(endpoints.ws).toBe('wss://127.0.0.1:9443/ws');
		expect(endpoints.wsApi).toBe('wss://127.0.0.1:9444/ws-api/v3');
	});
});

describe('createExchange', () => {
	it('refuses a mock target without URLs, naming what is missing', async () => {
		await expect(createExchange({...base, environment: 'mock'})).rejects.toThrow(/restUrl and wsUrl/);
		await expect(
			createExchange({...base, environment: 'mock', restUrl: 'not a url', wsUrl: 'ws://127.0.0.1:1'}),
		).rejects.toBeInstanceOf(ExchangeError);
	});
});
