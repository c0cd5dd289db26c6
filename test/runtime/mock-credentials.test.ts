/**
 * The embedded mock takes the key the profile resolves: with the mock profile's DRYDOCK_MOCK_API_KEY /
 * SECRET set, drydock signs with that key, so the mock must know it (before the fix every signed call
 * at setup was refused with -2015). Real runtime, real embedded mock, real ccxt.
 */
import {afterEach, describe, expect, it} from 'vitest';
import {validateProfile} from '../../source/profiles/profile-file.js';
import {buildRuntime, embeddedMockKeys} from '../../source/runtime/create.js';
import {UsageError} from '../../source/util/usage-error.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const close of closers.splice(0)) await close().catch(() => {});
});

const profile = validateProfile(
	{
		name: 'mock-keys',
		exchange: 'binance',
		environment: 'mock',
		symbols: ['BTC/USDT'],
		credentials: {apiKeyEnv: 'DRYDOCK_MOCK_API_KEY', apiSecretEnv: 'DRYDOCK_MOCK_API_SECRET'},
	},
	'test profile',
);

describe('embedded mock credentials', () => {
	it("the key and secret from the environment are the embedded mock's: preflight and signed calls pass", async () => {
		const env = {DRYDOCK_MOCK_API_KEY: 'myOwnMockKey123', DRYDOCK_MOCK_API_SECRET: 'my-own-mock-secret'};
		const runtime = await buildRuntime({profile, env, readOutputs: () => ''});
		closers.push(async () => runtime.close?.());
		const balance = await runtime.exchange.fetchBalance();
		expect(Object.keys(balance.assets).length).toBeGreaterThan(0);
		const stats = (await (await fetch(`${runtime.endpoints.admin}/clients`)).json()) as {clients: unknown[]};
		expect(stats.clients).toEqual([]);
	});

	it('a key the mock cannot take is a usage error naming the variable', () => {
		expect(() => embeddedMockKeys({apiKey: 'has spaces!', secret: 's'}, profile)).toThrow(UsageError);
		expect(() => embeddedMockKeys({apiKey: 'has spaces!', secret: 's'}, profile)).toThrow(/DRYDOCK_MOCK_API_KEY/);
		expect(embeddedMockKeys({apiKey: null, secret: null}, profile)).toEqual({});
	});
});
