/** The config phase on its own (no venue needed): a minimal context records its checks. */
import {describe, expect, it} from 'vitest';
import type {CheckInput, CheckResult} from '../../source/engine/checks.js';
import type {PhaseContext} from '../../source/engine/phase-definition.js';
import type {ExchangeClient} from '../../source/exchange/exchange-client.js';
import {configPhase} from '../../source/phases/config.js';
import {createPhaseServices, type PhaseServices} from '../../source/phases/index.js';
import {validateProfile} from '../../source/profiles/profile-file.js';
import type {Profile, ProfileInput} from '../../source/profiles/schema.js';

const key = 'A'.repeat(64);
const secret = 'b'.repeat(64);

function fakeExchange(rest: string, ws: string): ExchangeClient {
	return {
		endpoints: {rest: `${rest}/api/v3`, sapi: `${rest}/sapi/v1`, ws: `${ws}/ws`, wsApi: `${ws}/ws-api/v3`},
		onResponse: () => () => {},
	} as unknown as ExchangeClient;
}

async function runConfig(
	input: Partial<ProfileInput>,
	exchange: ExchangeClient,
	extra: {apiKey?: string | null; secret?: string | null; allowLive?: boolean} = {},
): Promise<Map<string, CheckResult>> {
	const profile = validateProfile({name: 't', exchange: 'binance', environment: 'mock', ...input}, 'test');
	const services = createPhaseServices({
		exchange,
		profile,
		credentials: {
			apiKey: extra.apiKey === undefined ? key : extra.apiKey,
			secret: extra.secret === undefined ? secret : extra.secret,
		},
		allowLive: extra.allowLive ?? false,
	});
	const checks = new Map<string, CheckResult>();
	const ctx = {
		profile,
		services,
		signal: new AbortController().signal,
		check(input: CheckInput): CheckResult {
			const result: CheckResult = {
				id: input.id,
				title: input.title,
				verdict: input.verdict,
				measured: input.measured ?? null,
				threshold: input.threshold ?? null,
				...(input.reason ? {reason: input.reason} : {}),
				at: Date.now(),
			};
			checks.set(input.id, result);
			return result;
		},
	} as unknown as PhaseContext<PhaseServices, Profile>;
	await configPhase.run(ctx);
	return checks;
}

const mockVenue = fakeExchange('http://127.0.0.1:9000', 'ws://127.0.0.1:9000');
const testnetVenue = fakeExchange('https://testnet.binance.vision', 'wss://stream.testnet.binance.vision');
const mainnetVenue = fakeExchange('https://api.binance.com', 'wss://stream.binance.com:9443');

describe('config phase', () => {
	it('passes a mock profile on loopback with well-formed keys', async () => {
		const checks = await runConfig({}, mockVenue);
		expect([...checks.values()].filter(c => c.verdict === 'fail')).toEqual([]);
	});

	it('fails URLs that do not belong to the environment', async () => {
		expect((await runConfig({environment: 'testnet'}, mockVenue)).get('urls-match-environment')?.verdict).toBe('fail');
		expect((await runConfig({environment: 'testnet'}, testnetVenue)).get('urls-match-environment')?.verdict).toBe(
			'pass',
		);
		const mockOnMainnet = (await runConfig({environment: 'mock'}, mainnetVenue)).get('urls-match-environment');
		expect(mockOnMainnet?.verdict).toBe('fail');
		expect(mockOnMainnet?.reason).toContain('a mainnet host, expected mock');
		expect(
			(await runConfig({environment: 'mock'}, fakeExchange('http://10.1.2.3:9000', 'ws://10.1.2.3:9000'))).get(
				'urls-match-environment',
			)?.verdict,
		).toBe('pass');
	});

	it('names the missing or malformed key and its environment variable', async () => {
		const checks = await runConfig({credentials: {apiKeyEnv: 'MY_KEY', apiSecretEnv: 'MY_SECRET'}}, mockVenue, {
			apiKey: null,
			secret: 'short',
		});
		expect(checks.get('api-key')?.reason).toBe('no API key: set the environment variable MY_KEY');
		expect(checks.get('api-secret')?.reason).toContain('5 characters long');
		const paper = await runConfig({execution: 'paper'}, mockVenue, {apiKey: null, secret: null});
		expect(paper.get('api-key')?.verdict).toBe('skipped');
	});

	it('guards live trading: mainnet real orders need --allow-live', async () => {
		const refused = await runConfig({environment: 'mainnet', execution: 'exchange'}, mainnetVenue);
		expect(refused.get('live-guard')?.verdict).toBe('fail');
		expect(refused.get('live-guard')?.reason).toContain('--allow-live');
		const allowed = await runConfig({environment: 'mainnet', execution: 'exchange'}, mainnetVenue, {allowLive: true});
		expect(allowed.get('live-guard')?.verdict).toBe('pass');
		const overCap = await runConfig(
			{
				environment: 'mainnet',
				execution: 'exchange',
				soak: {orderNotional: 50},
				live: {perOrderNotionalCap: 20, perRunNotionalCap: 100},
			},
			mainnetVenue,
			{allowLive: true},
		);
		expect(overCap.get('soak-notional')?.verdict).toBe('fail');
	});

	it('checks a named strategy file exists', async () => {
		expect(
			(await runConfig({strategy: {builtin: 'pinger', file: 'test/phases/fixtures/strategy-js.mjs'}}, mockVenue)).get(
				'strategy-file',
			)?.verdict,
		).toBe('pass');
		expect(
			(await runConfig({strategy: {builtin: 'pinger', file: 'nope/missing.mjs'}}, mockVenue)).get('strategy-file')
				?.verdict,
		).toBe('fail');
	});
});
