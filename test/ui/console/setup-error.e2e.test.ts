/**
 * An unreachable venue in the console (tmux, 100×30): the header says `error` (not `idle`), the whole
 * reason is on screen, `R` is offered; once a venue listens there, `R` builds the runtime again and
 * the console becomes ready.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {startMockExchange, type MockExchange} from '../../../source/mock/index.js';
import {prompt, skipReason, tmuxServer} from '../helpers.js';

if (skipReason) console.warn(`test/e2e/tmux-setup-error.test.ts skipped: ${skipReason}`);
const server = tmuxServer('drydock-setup-error');
let mock: MockExchange | null = null;
const work = mkdtempSync(path.join(tmpdir(), 'drydock-setup-error-'));

async function freePort(): Promise<number> {
	const probe = http.createServer();
	await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
	const {port} = probe.address() as AddressInfo;
	await new Promise(resolve => probe.close(resolve));
	return port;
}

afterAll(async () => {
	server.killServer();
	await mock?.close();
	rmSync(work, {recursive: true, force: true});
});

describe.skipIf(skipReason !== null)('an unreachable venue in the console', () => {
	it('shows the error state with the whole reason and a retry key; R rebuilds the runtime', async () => {
		const session = 'unreachable';
		const port = await freePort();
		await server.open(session, 100, 30, {CI: 'true'});
		server.run(
			session,
			`node bin/drydock.js --exchange-url http://127.0.0.1:${port} --report-dir ${work}; echo DRYDOCK_EXIT=$?`,
		);
		const failed = await server.waitFor(session, 'the error state', /setup failed/, 30_000);
		const header = failed.split('\n').slice(0, 3).join('\n');
		expect(header).toMatch(/drydock\s+error/);
		expect(header).not.toMatch(/\bidle\b/);
		expect(failed).toContain(`127.0.0.1:${port}`);
		expect(failed).toMatch(/unreachable/);
		expect(failed).toMatch(/R retry/);
		// Still nothing there: R fails again with the same reason, no crash.
		server.keys(session, 'R');
		await server.waitFor(session, 'the error state again', /setup failed/, 30_000);
		mock = await startMockExchange({host: '127.0.0.1', port, seed: 3, quiet: true});
		server.keys(session, 'R');
		const ready = await server.waitFor(session, 'the runtime ready', /exchange ready/, 30_000);
		expect(ready).not.toMatch(/setup failed/);
		expect(ready.split('\n').slice(0, 3).join('\n')).toMatch(/\bidle\b/);
		server.keys(session, 'q');
		const done = await server.waitFor(session, 'the exit', /DRYDOCK_EXIT=(\d+)/, 20_000);
		expect(done).toMatch(/DRYDOCK_EXIT=0/);
		expect(done.split('\n').some(l => l.startsWith(prompt.trimEnd()))).toBe(true);
	}, 120_000);
});
