/**
 * `drydock run --sut` on a real venue's profile (environment testnet), with the mock behind a local TLS
 * terminator standing in for the venue (the profile's `urls`, its certificate trusted through
 * NODE_EXTRA_CA_CERTS): the SUT talks to the gateway drydock starts on 127.0.0.1, with its own key from
 * DRYDOCK_SUT_API_KEY/SECRET, and is judged from the gateway's side. No network beyond loopback.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {drydock} from '../commands/helpers.js';
import {adminCall} from '../mock/helpers.js';
import {startTlsVenue, type TlsVenue} from '../mock/gateway/helpers.js';
import {sutSoak, type SoakCheck, type SutSoak} from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const python = `/usr/bin/python3 ${path.join(root, 'examples/bots/python/bot.py')} --cycle-seconds 1`;
const work = mkdtempSync(path.join(tmpdir(), 'drydock-sut-venue-'));

let venue: TlsVenue;
let env: NodeJS.ProcessEnv;
let profile: string;
interface SutAccount {
	id: string;
	env: NodeJS.ProcessEnv;
}

/** A SUT's own account on the stand-in venue (not drydock's; one per test, as they run at once): the venue's word on what it left open. */
async function sutAccount(label: string): Promise<SutAccount> {
	const client = (await adminCall(venue.mock, 'POST', '/clients', {label})).body as {
		id: string;
		apiKey: string;
		apiSecret: string;
	};
	return {id: client.id, env: {DRYDOCK_SUT_API_KEY: client.apiKey, DRYDOCK_SUT_API_SECRET: client.apiSecret}};
}

beforeAll(async () => {
	venue = await startTlsVenue({seed: 51});
	const certFile = path.join(work, 'venue.pem');
	writeFileSync(certFile, venue.cert);
	profile = path.join(work, 'testnet-local.json');
	writeFileSync(
		profile,
		JSON.stringify({
			name: 'testnet-local',
			exchange: 'binance',
			environment: 'testnet',
			execution: 'exchange',
			urls: venue.upstream,
			credentials: {apiKeyEnv: 'DD_TEST_OWN_KEY', apiSecretEnv: 'DD_TEST_OWN_SECRET'},
			symbols: ['BTC/USDT', 'ETH/USDT'],
			// What is judged here is what the gateway observes; the grade's latency (an order's ack through
			// TLS on a busy CI box, five orders) has its own tests, so it must not decide these runs.
			thresholds: {peakLatencyMs: 10_000},
			grades: {B: {minSuccessRate: 0.99, maxAvgLatencyMs: 5_000}},
		}),
	);
	env = {
		NODE_EXTRA_CA_CERTS: certFile,
		DD_TEST_OWN_KEY: venue.mock.apiKey,
		DD_TEST_OWN_SECRET: venue.mock.apiSecret,
	};
});

afterAll(async () => {
	await venue?.close();
	rmSync(work, {recursive: true, force: true});
});

interface VenueReport {
	phases: {checks: SoakCheck[]}[];
	sut?: {
		observed?: string;
		orphans: {open_orders: number | null} | null;
		venue: {requests: number; drops: {kind: string; pending: boolean}[]} | null;
	};
}
type Run = SutSoak<VenueReport>;

function chaosFile(name: string, text: string): string {
	const file = path.join(work, name);
	writeFileSync(file, text);
	return file;
}

async function soak(
	name: string,
	sut: string,
	extra: string[] = [],
	extraEnv: NodeJS.ProcessEnv = {},
	seconds = 8,
): Promise<Run> {
	return sutSoak<VenueReport>({
		sut,
		seconds,
		reportDir: path.join(work, name),
		cwd: root,
		args: ['--profile', profile, ...extra],
		env: {...env, ...extraEnv},
	});
}

describe.concurrent('drydock run --sut on testnet (the mock behind TLS as the venue, through the gateway)', () => {
	it('the good Python bot passes a drop chaos put on the gateway, observed through it; balances are info, never a pass', async () => {
		// Times count from the SUT's readiness; a roomy budget (drydock's own streams' recovery is judged too).
		const chaos = chaosFile('drop.yaml', '- {at: 2s, fault: drop-websockets, recoveryBudget: 15s}\n');
		const r = await soak('good', python, ['--chaos', chaos], (await sutAccount('good')).env);
		expect(r.check('sut-resubscribe')?.verdict, r.out).toBe('pass');
		expect(r.report.sut?.venue?.drops).toMatchObject([{kind: 'drop-websockets', pending: false}]);
		// drydock's own streams were watched in the SUT soak too.
		expect(r.check('stream-backfill')?.verdict, r.out).toBe('pass');
		for (const id of [
			'sut-alive',
			'sut-orphans',
			'sut-rate-limit',
			'sut-memory',
			'sut-cpu',
			'sut-errors',
			'sut-consistency',
		])
			expect(r.check(id)?.verdict, `${id}\n${r.out}`).toBe('pass');
		expect(r.check('sut-orphans')?.reason).toMatch(/observed through the gateway/);
		expect(r.check('sut-balances')).toMatchObject({verdict: 'info', reason: expect.stringMatching(/no key/)});
		expect(r.report.sut?.observed).toBe('gateway');
		expect(r.report.sut?.venue?.requests).toBeGreaterThan(3);
		expect(r.code, r.out).toBe(0);
	}, 120_000);

	it('the orphan-leaving bot fails sut-orphans (exit 1), and the venue agrees orders were left', async () => {
		const account = await sutAccount('orphans');
		const r = await soak('orphans', `${python} --fault orphans`, [], account.env);
		expect(r.check('sut-orphans')?.verdict, r.out).toBe('fail');
		expect(r.check('sut-orphans')?.reason).toMatch(/observed through the gateway/);
		expect(r.check('sut-alive')?.verdict).toBe('pass');
		expect(r.code).toBe(1);
		const open = (await adminCall(venue.mock, 'GET', `/clients/${account.id}/open-orders`)).body as {
			orders: unknown[];
		};
		expect(open.orders.length).toBe(r.report.sut?.orphans?.open_orders);
		await adminCall(venue.mock, 'POST', `/clients/${account.id}/cancel-all`);
	}, 120_000);

	it('the bot that never resubscribes fails sut-resubscribe after the gateway cut its stream (exit 1)', async () => {
		const chaos = chaosFile('strict-drop.yaml', '- {at: 2s, fault: drop-websockets}\n');
		const account = await sutAccount('no-resubscribe');
		const r = await soak('no-resubscribe', `${python} --fault no-resubscribe`, ['--chaos', chaos], account.env, 11);
		expect(r.check('sut-resubscribe')?.verdict, r.out).toBe('fail');
		expect(r.check('sut-resubscribe')?.reason).toMatch(/never/);
		expect(r.code).toBe(1);
	}, 120_000);

	it('without the SUT’s key: exit 2 naming the variables', async () => {
		const run = drydock(
			[
				'run',
				'--profile',
				profile,
				'--sut',
				python,
				'--phases',
				'soak',
				'--duration',
				'8s',
				'--headless',
				'--report-dir',
				path.join(work, 'nokey'),
			],
			{cwd: root, env: {...env, DRYDOCK_SUT_API_KEY: '', DRYDOCK_SUT_API_SECRET: ''}},
		);
		const {code} = await run.exit;
		expect(code, run.stdout()).toBe(2);
		expect(run.stderr()).toMatch(/DRYDOCK_SUT_API_KEY and DRYDOCK_SUT_API_SECRET/);
	}, 60_000);

	it('mainnet with --sut is refused without --allow-live (exit 2)', async () => {
		const mainnet = path.join(work, 'mainnet-local.json');
		writeFileSync(
			mainnet,
			JSON.stringify({
				name: 'mainnet-local',
				exchange: 'binance',
				environment: 'mainnet',
				execution: 'paper',
				urls: venue.upstream,
			}),
		);
		const run = drydock(
			[
				'run',
				'--profile',
				mainnet,
				'--sut',
				python,
				'--phases',
				'soak',
				'--duration',
				'8s',
				'--headless',
				'--report-dir',
				path.join(work, 'live'),
			],
			{cwd: root, env},
		);
		const {code} = await run.exit;
		expect(code, run.stdout()).toBe(2);
		expect(run.stderr()).toMatch(/--sut on mainnet.*--allow-live/);
	}, 60_000);
});
