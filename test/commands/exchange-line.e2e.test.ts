/**
 * Headless `drydock run` names the fault proxy next to the exchange when one runs (DRYDOCK_FAULT_PROXY=on
 * puts it in front of the mock too), and says nothing of it when it is off. Spawned processes (needs
 * `npm run build`), the config phase only, on loopback.
 */
import {mkdtemp} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {exchangeLine} from '../../source/commands/run.js';
import {drydock, startMock} from './helpers.js';

describe('exchangeLine', () => {
	it('notes the embedded mock and the fault proxy, either, both or neither', () => {
		expect(
			exchangeLine({rest: 'https://testnet.binance.vision', embedded: false, faultProxy: 'http://127.0.0.1:4100'}),
		).toBe('exchange: https://testnet.binance.vision (through the fault proxy at http://127.0.0.1:4100)');
		expect(exchangeLine({rest: 'http://127.0.0.1:4000', embedded: true, faultProxy: 'http://127.0.0.1:4100'})).toBe(
			'exchange: http://127.0.0.1:4000 (embedded mock, through the fault proxy at http://127.0.0.1:4100)',
		);
		expect(exchangeLine({rest: 'http://127.0.0.1:4000', embedded: true})).toBe(
			'exchange: http://127.0.0.1:4000 (embedded mock)',
		);
		expect(exchangeLine({rest: 'http://127.0.0.1:4000', embedded: false})).toBe('exchange: http://127.0.0.1:4000');
	});
});

let mock: Awaited<ReturnType<typeof startMock>>;
beforeAll(async () => {
	mock = await startMock();
});
afterAll(async () => {
	await mock?.stop();
});

async function configRun(env: NodeJS.ProcessEnv, extra: string[] = []): Promise<string> {
	const dir = await mkdtemp(path.join(tmpdir(), 'drydock-e2e-exchange-line-'));
	const run = drydock(
		['run', '--phases', 'config', '--headless', '--report-dir', path.join(dir, 'reports'), ...extra],
		{env},
	);
	const {code} = await run.exit;
	expect(code, run.stdout() + run.stderr()).toBe(0);
	return run.stdout();
}

describe.concurrent('headless exchange line (spawned)', () => {
	it('DRYDOCK_FAULT_PROXY=on with the embedded mock: both noted, the proxy on its own loopback port', async () => {
		const out = await configRun({DRYDOCK_FAULT_PROXY: 'on'});
		const match =
			/^exchange: http:\/\/127\.0\.0\.1:(\d+) \(embedded mock, through the fault proxy at http:\/\/127\.0\.0\.1:(\d+)\)$/m.exec(
				out,
			);
		expect(match, out).not.toBeNull();
		expect(match![2]).not.toBe(match![1]);
	}, 60_000);

	it('DRYDOCK_FAULT_PROXY=on with --exchange-url: the running mock, through the proxy', async () => {
		const out = await configRun({DRYDOCK_FAULT_PROXY: 'on'}, ['--exchange-url', mock.rest]);
		expect(out).toMatch(
			new RegExp(
				`^exchange: ${mock.rest.replace(/[.]/g, '\\.')} \\(through the fault proxy at http://127\\.0\\.0\\.1:\\d+\\)$`,
				'm',
			),
		);
	}, 60_000);

	it('DRYDOCK_FAULT_PROXY=off: no proxy, none named', async () => {
		const out = await configRun({DRYDOCK_FAULT_PROXY: 'off'});
		expect(out).toMatch(/^exchange: http:\/\/127\.0\.0\.1:\d+ \(embedded mock\)$/m);
		expect(out).not.toContain('fault proxy');
	}, 60_000);
});
