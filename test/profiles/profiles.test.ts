import {describe, expect, it} from 'vitest';
import {chmod, mkdtemp, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {listShippedProfiles, loadProfile, ProfileError, profileIssues} from '../../source/profiles/profile-file.js';
import {resolveCredentials, parseKeyFile} from '../../source/runtime/credentials.js';
import {guardLive, endpointsFromUrl} from '../../source/runtime/target.js';
import {createMasker} from '../../source/profiles/mask.js';
import {UsageError} from '../../source/util/usage-error.js';

async function profileFile(content: string): Promise<string> {
	const dir = await mkdtemp(path.join(tmpdir(), 'drydock-profile-'));
	const file = path.join(dir, 'p.json');
	await writeFile(file, content);
	return file;
}

describe('profiles', () => {
	it('ships mock, testnet and mainnet; each validates with defaults filled', async () => {
		expect(await listShippedProfiles()).toEqual(['mainnet', 'mock', 'testnet']);
		const {profile} = await loadProfile('mock');
		expect(profile).toMatchObject({
			environment: 'mock',
			execution: 'exchange',
			breaker: {failureThreshold: 5},
			retry: {attempts: 3},
			grades: {'A+': {minSuccessRate: 0.999, maxAvgLatencyMs: 1}},
		});
		expect((await loadProfile('mainnet')).profile.execution).toBe('paper');
	});

	it('errors name the file, the field path and the reason, as one-line usage errors (exit 2)', async () => {
		const cases: [string, RegExp][] = [
			[
				'{"name":"x","exchange":"binance","environment":"moon"}',
				/p\.json: environment: expected one of "mock", "testnet", "mainnet"/,
			],
			[
				'{"name":"x","exchange":"binance","environment":"mock","symbols":["BTCUSDT"]}',
				/p\.json: symbols\[0\]: expected a ccxt unified symbol/,
			],
			[
				'{"name":"x","exchange":"binance","environment":"mock","soak":{"ratePerSecond":-1}}',
				/p\.json: soak\.ratePerSecond: /,
			],
			['{"name":"x","exchange":"binance","environment":"mock","bogus":1}', /p\.json: unknown field "bogus"/],
			['{"exchange":"binance","environment":"mock"}', /p\.json: name: required/],
			['{"name":"x",', /p\.json: not valid JSON/],
		];
		for (const [content, pattern] of cases) {
			const file = await profileFile(content);
			const error = await loadProfile(file).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(ProfileError);
			expect((error as UsageError).exitCode).toBe(2);
			expect((error as Error).message).toMatch(pattern);
			expect((error as Error).message).not.toContain('\n');
		}
		await expect(loadProfile('nosuch')).rejects.toThrow(
			/profile "nosuch": not found — shipped profiles: mainnet, mock, testnet/,
		);
		expect(profileIssues({name: 1, exchange: 'kraken', environment: 'mock'}).map(i => i.field)).toEqual([
			'name',
			'exchange',
		]);
	});

	it('credentials come from the named environment variables or a key file, and are registered for masking', async () => {
		const {profile} = await loadProfile('testnet');
		const masker = createMasker();
		const creds = resolveCredentials(
			profile,
			{BINANCE_TESTNET_API_KEY: 'key-1234567890', BINANCE_TESTNET_API_SECRET: 'secret-1234567890'},
			process.cwd(),
			masker,
		);
		expect(creds).toMatchObject({apiKey: 'key-1234567890', secret: 'secret-1234567890'});
		expect(masker.mask('sent key-1234567890')).not.toContain('key-1234567890');
		expect(parseKeyFile('export API_KEY="abc123456"\nAPI_SECRET=def', 'X', 'Y')).toEqual({
			apiKey: 'abc123456',
			secret: 'def',
		});
		expect(parseKeyFile('{"apiKey":"a","secret":"b"}', 'X', 'Y')).toEqual({apiKey: 'a', secret: 'b'});
		const none = resolveCredentials(profile, {}, process.cwd(), masker);
		expect(none).toMatchObject({apiKey: null, secret: null});
		// Key files: 0600 accepted, group/world-readable refused with the fix.
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-keys-'));
		const keyFile = path.join(dir, 'keys.env');
		await writeFile(keyFile, 'BINANCE_TESTNET_API_KEY=filekey123456\nBINANCE_TESTNET_API_SECRET=filesecret123456\n', {
			mode: 0o600,
		});
		const withFile = {...profile, credentials: {...profile.credentials, keyFile}};
		expect(resolveCredentials(withFile, {}, dir, masker)).toMatchObject({
			apiKey: 'filekey123456',
			secret: 'filesecret123456',
		});
		await chmod(keyFile, 0o644);
		expect(() => resolveCredentials(withFile, {}, dir, masker)).toThrow(
			/credentials\.keyFile: key file .* is readable by others \(mode 0644\); run chmod 600/,
		);
	});

	it('mainnet with real orders is refused without --allow-live; --exchange-url only for the mock', async () => {
		const {profile} = await loadProfile('mainnet');
		const live = {...profile, execution: 'exchange' as const};
		expect(() => guardLive({profile: live, allowLive: false})).toThrow(/refused without --allow-live/);
		expect(() => guardLive({profile: live, allowLive: true})).not.toThrow();
		expect(() => guardLive({profile, allowLive: false})).not.toThrow(); // paper
		expect(() => guardLive({profile, allowLive: false, exchangeUrl: 'http://127.0.0.1:1'})).toThrow(
			/only for the mock/,
		);
		expect(endpointsFromUrl('http://127.0.0.1:9000/')).toEqual({
			rest: 'http://127.0.0.1:9000',
			ws: 'ws://127.0.0.1:9000',
			admin: 'http://127.0.0.1:9000/__drydock',
			embedded: false,
		});
		expect(() => endpointsFromUrl('nope')).toThrow(/--exchange-url: "nope" is not a URL/);
	});
});
