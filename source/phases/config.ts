/**
 * config: the profile is usable before anything talks to the venue — URLs match the environment, keys
 * are present and well-formed, live trading is guarded, and the trading settings agree with each other.
 */
import {existsSync} from 'node:fs';
import path from 'node:path';
import type {Profile} from '../profiles/schema.js';
import {fail, pass, skip} from './checks.js';
import type {Phase, PhaseCtx} from './phase-contract.js';
import {isLive} from './trading/orders.js';
import {environmentOfHost, hostOf} from '../exchange/venues.js';

/** Binance HMAC API keys and secrets: 64 letters and digits. */
export function keyShapeProblem(value: string | null, what: string, envName: string): string | null {
	if (value === null || value === '') return `no ${what}: set the environment variable ${envName}`;
	if (value.trim() !== value) return `${what} from ${envName} has leading or trailing whitespace`;
	if (!/^[A-Za-z0-9]+$/.test(value)) return `${what} from ${envName} has characters other than letters and digits`;
	if (value.length !== 64) return `${what} from ${envName} is ${value.length} characters long (Binance keys are 64)`;
	return null;
}

function checkUrls(ctx: PhaseCtx, profile: Profile): void {
	const {endpoints} = ctx.services.exchange;
	const entries = Object.entries(endpoints) as Array<[string, string]>;
	const wrong: string[] = [];
	for (const [name, url] of entries) {
		const host = hostOf(url);
		if (host === null) wrong.push(`${name} "${url}" is not a URL`);
		else {
			const seen = environmentOfHost(host);
			// A mock may run on another machine; what must never happen is a "mock" profile pointing at a real venue.
			const ok = profile.environment === 'mock' ? seen === 'mock' || seen === 'other' : seen === profile.environment;
			if (!ok)
				wrong.push(
					`${name} ${host} is ${seen === 'other' ? 'not a Binance' : `a ${seen}`} host, expected ${profile.environment}`,
				);
		}
	}
	const secure =
		profile.environment === 'mock' ||
		entries.every(([, url]) => url.startsWith('https://') || url.startsWith('wss://'));
	if (wrong.length > 0)
		fail(
			ctx,
			'urls-match-environment',
			'URLs match the environment',
			wrong.join('; '),
			endpoints.rest,
			profile.environment,
		);
	else if (!secure)
		fail(
			ctx,
			'urls-match-environment',
			'URLs match the environment',
			'a venue URL is not TLS (https/wss)',
			endpoints.rest,
			'TLS',
		);
	else
		pass(ctx, 'urls-match-environment', 'URLs match the environment', endpoints.rest, `${profile.environment} hosts`);
}

function checkKeys(ctx: PhaseCtx, profile: Profile): void {
	const {apiKey, secret} = ctx.services.credentials;
	if (profile.execution === 'paper' && !apiKey && !secret) {
		skip(
			ctx,
			'api-key',
			'API key present and well-formed',
			'paper execution reads public market data only: no key needed',
		);
		skip(
			ctx,
			'api-secret',
			'API secret present and well-formed',
			'paper execution reads public market data only: no key needed',
		);
		return;
	}
	const keyProblem = keyShapeProblem(apiKey, 'API key', profile.credentials.apiKeyEnv);
	const secretProblem = keyShapeProblem(secret, 'API secret', profile.credentials.apiSecretEnv);
	if (keyProblem)
		fail(
			ctx,
			'api-key',
			'API key present and well-formed',
			keyProblem,
			apiKey === null ? 'missing' : `${apiKey.length} chars`,
			'64 letters/digits',
		);
	else pass(ctx, 'api-key', 'API key present and well-formed', '64 chars', '64 letters/digits');
	if (secretProblem)
		fail(
			ctx,
			'api-secret',
			'API secret present and well-formed',
			secretProblem,
			secret === null ? 'missing' : `${secret.length} chars`,
			'64 letters/digits',
		);
	else pass(ctx, 'api-secret', 'API secret present and well-formed', '64 chars', '64 letters/digits');
	if (!keyProblem && !secretProblem && apiKey === secret)
		fail(
			ctx,
			'key-secret-distinct',
			'API key and secret differ',
			'the API key and the secret are the same value (one environment variable used twice?)',
		);
}

function checkLiveGuard(ctx: PhaseCtx, profile: Profile): void {
	const title = 'live trading guarded';
	if (!isLive(profile)) {
		pass(
			ctx,
			'live-guard',
			title,
			`${profile.environment}/${profile.execution}: no real money`,
			'allow-live + caps on mainnet',
		);
		return;
	}
	if (!ctx.services.allowLive) {
		fail(
			ctx,
			'live-guard',
			title,
			'mainnet with execution "exchange" places real orders: start with --allow-live to permit it',
			'not allowed',
			'--allow-live',
		);
		return;
	}
	const {perOrderNotionalCap, perRunNotionalCap} = profile.live;
	if (perOrderNotionalCap > perRunNotionalCap) {
		fail(
			ctx,
			'live-guard',
			title,
			`live.perOrderNotionalCap ${perOrderNotionalCap} exceeds live.perRunNotionalCap ${perRunNotionalCap}`,
			perOrderNotionalCap,
			`≤ ${perRunNotionalCap}`,
		);
		return;
	}
	pass(
		ctx,
		'live-guard',
		title,
		`allowed; ≤ ${perOrderNotionalCap}/order, ≤ ${perRunNotionalCap}/run`,
		'--allow-live + caps',
	);
}

function checkTradingSettings(ctx: PhaseCtx, profile: Profile): void {
	const title = 'soak order notional within the risk limits';
	const notional = profile.soak.orderNotional;
	const cap = isLive(profile)
		? Math.min(profile.risk.maxOrderNotional, profile.live.perOrderNotionalCap)
		: profile.risk.maxOrderNotional;
	if (notional > cap)
		fail(
			ctx,
			'soak-notional',
			title,
			`soak.orderNotional ${notional} > ${cap}: every soak order would be rejected by the risk manager`,
			notional,
			`≤ ${cap}`,
		);
	else pass(ctx, 'soak-notional', title, notional, `≤ ${cap}`);
}

function checkStrategyFile(ctx: PhaseCtx, profile: Profile): void {
	const title = 'user strategy file';
	const file = profile.strategy.file;
	if (!file) {
		skip(
			ctx,
			'strategy-file',
			title,
			`no strategy.file in the profile; the built-in "${profile.strategy.builtin}" is used`,
		);
		return;
	}
	const absolute = path.resolve(ctx.services.cwd, file);
	if (!existsSync(absolute))
		fail(ctx, 'strategy-file', title, `strategy.file ${file} not found (resolved to ${absolute})`, file, 'exists');
	else if (!/\.(c|m)?(j|t)sx?$/.test(absolute))
		fail(
			ctx,
			'strategy-file',
			title,
			`strategy.file ${file}: expected a .js/.mjs module (or .ts, loaded through tsx)`,
			file,
			'.js/.mjs/.ts',
		);
	else pass(ctx, 'strategy-file', title, file, 'exists');
}

export const configPhase: Phase = {
	id: 'config',
	title: 'Configuration',
	// Synchronous checks of the profile alone: nothing to await.
	run(ctx) {
		const profile = ctx.profile;
		checkUrls(ctx, profile);
		checkKeys(ctx, profile);
		checkLiveGuard(ctx, profile);
		checkTradingSettings(ctx, profile);
		checkStrategyFile(ctx, profile);
		return Promise.resolve();
	},
};
