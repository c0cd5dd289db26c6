/**
 * security: the key cannot withdraw (apiRestrictions), and secrets never reach any output. For the
 * latter the phase plants a recognisable fake secret, registers it like a real one, routes it through
 * every channel a leak would take (error log, notices, a check's reason, an exchange error), then
 * reads what the engine would write (snapshot/journal/report text, when the composition root gives a
 * probe) and looks for the planted secret and the profile's real key and secret.
 */
import {randomBytes} from 'node:crypto';
import {isTransientError, toExchangeError} from '../exchange/errors.js';
import {processMasker} from '../profiles/mask.js';
import {describe, fail, pass, skip} from './checks.js';
import type {Phase, PhaseCtx} from './phase-contract.js';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 64 letters/digits like a Binance secret, starting with a marker so a leak is recognisable. */
export function plantedSecret(): string {
	const bytes = randomBytes(56);
	let out = 'DDPLANT0';
	for (const byte of bytes) out += alphabet[byte % alphabet.length];
	return out;
}

async function checkWithdrawals(ctx: PhaseCtx): Promise<void> {
	const title = 'API key cannot withdraw (apiRestrictions)';
	if (!ctx.services.credentials.apiKey) {
		skip(ctx, 'withdrawals-off', title, 'no API key configured: nothing that could withdraw');
		return;
	}
	try {
		const restrictions = await ctx.call('fetchApiRestrictions', () => ctx.services.exchange.fetchApiRestrictions(), {
			isTransient: isTransientError,
		});
		if (restrictions.enableWithdrawals) {
			fail(
				ctx,
				'withdrawals-off',
				title,
				'the API key may withdraw funds: create a key without the withdrawal permission',
				'withdrawals on',
				'withdrawals off',
			);
		} else pass(ctx, 'withdrawals-off', title, 'withdrawals off', 'withdrawals off');
		if (!restrictions.ipRestrict && ctx.profile.environment === 'mainnet') {
			ctx.check({
				id: 'ip-restricted',
				title: 'API key restricted to known IPs',
				verdict: 'warn',
				measured: false,
				threshold: 'ipRestrict',
				reason: 'the key works from any IP address; restrict it in the API management page',
			});
		}
	} catch (error) {
		const typed = toExchangeError(error);
		// The spot testnet serves no /sapi endpoints.
		if (
			ctx.profile.environment === 'testnet' &&
			(typed.httpStatus === 404 || typed.kind === 'bad-request' || typed.kind === 'unknown')
		) {
			skip(
				ctx,
				'withdrawals-off',
				title,
				`the testnet has no apiRestrictions endpoint (${describe(error)})`,
				'withdrawals off',
			);
		} else
			fail(
				ctx,
				'withdrawals-off',
				title,
				`cannot read the key's restrictions: ${describe(error)}`,
				null,
				'withdrawals off',
			);
	}
}

async function checkSecretsInOutputs(ctx: PhaseCtx): Promise<void> {
	const {credentials, readOutputs} = ctx.services;
	const plant = plantedSecret();
	// Registered as a real secret is: through the process masker, which every output goes through.
	processMasker.add(plant);
	const mask = ctx.services.mask ?? ((text: string) => processMasker.mask(text));

	const real = [credentials.apiKey, credentials.secret].filter(
		(value): value is string => typeof value === 'string' && value.length > 0,
	);
	const unregistered = real.filter(value => mask(`x${value}x`).includes(value));
	if (real.length === 0)
		skip(
			ctx,
			'secrets-registered',
			'real key and secret registered for masking',
			'the profile resolved no credentials',
		);
	else if (unregistered.length > 0)
		fail(
			ctx,
			'secrets-registered',
			'real key and secret registered for masking',
			`${unregistered.length} of the profile's credentials would be printed unmasked`,
			`${real.length - unregistered.length}/${real.length}`,
			'all masked',
		);
	else
		pass(
			ctx,
			'secrets-registered',
			'real key and secret registered for masking',
			`${real.length}/${real.length}`,
			'all masked',
		);

	// Route the planted secret (and the real ones) through the channels a leak would take.
	const leakyText = `security probe: secret=${plant} key=${credentials.apiKey ?? ''} apiSecret=${credentials.secret ?? ''}`;
	ctx.log('info', `planted-secret probe (expected masked): ${leakyText}`);
	ctx.error({kind: 'security-probe', message: `planted-secret probe, not a failure: ${leakyText}`, expected: true});
	// An exchange error carrying a signature (and, when we have one, the secret itself) must come out redacted.
	const raw = `binance GET /api/v3/account?timestamp=1&signature=${plant}${credentials.secret ? `&echo=${credentials.secret}` : ''} 400`;
	const redacted = toExchangeError(new Error(raw), real).message;
	const kept = [plant, ...real].filter(value => redacted.includes(value));
	if (kept.length > 0)
		fail(
			ctx,
			'exchange-errors-redacted',
			'exchange errors carry no signatures or secrets',
			`an exchange error message kept ${kept.includes(plant) ? 'a signature' : 'a credential'}`,
			'leaked',
			'redacted',
		);
	else pass(ctx, 'exchange-errors-redacted', 'exchange errors carry no signatures or secrets', 'redacted', 'redacted');

	const title = 'planted and real secrets absent from every output';
	const reasonCheck = ctx.check({
		id: 'planted-secret-probe',
		title: 'planted secret routed through a check',
		verdict: 'info',
		measured: `probe ${plant}`,
		threshold: 'masked',
	});
	if (reasonCheck.measured !== null && String(reasonCheck.measured).includes(plant)) {
		fail(
			ctx,
			'check-output-masked',
			'check values are masked',
			'a check kept the planted secret verbatim',
			'leaked',
			'masked',
		);
	}
	if (!readOutputs) {
		skip(
			ctx,
			'secrets-not-in-output',
			title,
			'the engine gave no output probe (readOutputs) to search; masking verified on each channel above only',
		);
		return;
	}
	// Let the engine publish what we emitted.
	await ctx.sleep(300);
	const text = await readOutputs();
	const found: string[] = [];
	if (text.includes(plant)) found.push('the planted secret');
	if (credentials.secret && text.includes(credentials.secret)) found.push('the API secret');
	if (credentials.apiKey && text.includes(credentials.apiKey)) found.push('the API key');
	if (found.length > 0)
		fail(
			ctx,
			'secrets-not-in-output',
			title,
			`found ${found.join(', ')} in the engine's output (${text.length} chars searched)`,
			found.length,
			'= 0',
		);
	else if (!text.includes('security probe'))
		fail(
			ctx,
			'secrets-not-in-output',
			title,
			'the probe text never reached the output searched, so the search proves nothing',
			0,
			'probe visible, secret masked',
		);
	else pass(ctx, 'secrets-not-in-output', title, 0, '= 0 occurrences');
}

export const securityPhase: Phase = {
	id: 'security',
	title: 'Security',
	async run(ctx) {
		await checkWithdrawals(ctx);
		await checkSecretsInOutputs(ctx);
	},
};
