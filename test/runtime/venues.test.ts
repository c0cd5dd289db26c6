import {describe, expect, it} from 'vitest';
import {configureBinance} from '../../source/exchange/ccxt-binance.js';
import {authorityOf, environmentOfHost, hostOf, VENUES, type VenueEnvironment} from '../../source/exchange/venues.js';
import {venueEndpoints} from '../../source/runtime/target.js';

describe('venue endpoints (exchange/venues.ts)', () => {
	for (const environment of ['testnet', 'mainnet'] as VenueEnvironment[]) {
		it(`${environment}: the bases match the URLs ccxt is configured with, and classify as ${environment}`, async () => {
			const {endpoints} = await configureBinance({environment, enableRateLimit: false, timeoutMs: 1_000});
			expect(endpoints.rest.startsWith(`${VENUES[environment].rest}/`)).toBe(true);
			expect(authorityOf(endpoints.ws)).toBe(authorityOf(VENUES[environment].ws));
			expect(endpoints.wsApi).toBe(VENUES[environment].wsApi);
			for (const url of [endpoints.rest, endpoints.ws, endpoints.wsApi, ...Object.values(VENUES[environment])])
				expect(environmentOfHost(hostOf(url)!)).toBe(environment);
			expect(venueEndpoints(environment)).toEqual({
				rest: VENUES[environment].rest,
				ws: VENUES[environment].ws,
				admin: null,
				embedded: false,
			});
		});
	}

	it('a testnet host is never taken for mainnet, nor a look-alike for either', () => {
		expect(environmentOfHost(hostOf(VENUES.testnet.rest)!)).not.toBe('mainnet');
		expect(environmentOfHost('api.binance.com.evil.example')).toBe('other');
		expect(hostOf('not a url')).toBeNull();
	});
});
