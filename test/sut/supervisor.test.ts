import {afterEach, describe, expect, it} from 'vitest';
import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:net';
import {createServer as createHttpServer} from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {
	groupAlive,
	startFailureError,
	SutSupervisor,
	type SupervisorSpec,
	type SutEvent,
} from '../../source/sut/supervisor.js';
import {parseReadyWhen} from '../../source/sut/spec.js';

const node = JSON.stringify(process.execPath);
const supervisors: SutSupervisor[] = [];
afterEach(async () => {
	for (const s of supervisors.splice(0)) s.killNow();
});

function supervise(
	overrides: Partial<SupervisorSpec> & {command: string},
	options = {},
): {sup: SutSupervisor; events: SutEvent[]} {
	const spec: SupervisorSpec = {
		env: {...(process.env as Record<string, string>)},
		ready: {kind: 'none'},
		startTimeoutMs: 10_000,
		stopSignal: 'SIGTERM',
		stopTimeoutMs: 5_000,
		restart: {policy: 'never'},
		...overrides,
	};
	const sup = new SutSupervisor(spec, {settleMs: 300, restartBaseDelayMs: 50, ...options});
	const events: SutEvent[] = [];
	sup.on(e => events.push(e));
	supervisors.push(sup);
	return {sup, events};
}

function waitFor(events: SutEvent[], predicate: (e: SutEvent) => boolean, timeoutMs = 10_000): Promise<SutEvent> {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const poll = () => {
			const hit = events.find(predicate);
			if (hit) resolve(hit);
			else if (Date.now() - started > timeoutMs) reject(new Error('event never came'));
			else setTimeout(poll, 20);
		};
		poll();
	});
}

describe('SUT supervisor', () => {
	it('becomes ready on an output line, passes its environment, and stops the whole group gracefully', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'sut-'));
		const script = join(dir, 'bot.js');
		// The bot starts a grandchild in its group and exits cleanly on SIGTERM after taking it down.
		writeFileSync(
			script,
			`const {spawn} = require('node:child_process');
			const worker = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'});
			process.on('SIGTERM', () => { console.log('bye'); worker.kill(); process.exit(0); });
			console.log('pid-of-worker', worker.pid);
			console.log('ready on', process.env.DRYDOCK_REST_URL);
			setInterval(() => {}, 1000);`,
		);
		const {sup, events} = supervise({
			command: `exec ${node} ${script}`,
			env: {...(process.env as Record<string, string>), DRYDOCK_REST_URL: 'http://127.0.0.1:9'},
			ready: parseReadyWhen('^ready on http'),
		});
		const started = await sup.start();
		expect(started).toMatchObject({ok: true});
		expect(sup.state).toBe('running');
		const pid = sup.pid!;
		expect(groupAlive(pid)).toBe(true);
		expect(events.find(e => e.type === 'log' && e.line.includes('ready on http://127.0.0.1:9'))).toBeDefined();
		expect(events.find(e => e.type === 'ready')).toMatchObject({by: 'output matched /^ready on http/'});
		const [stop1, stop2] = await Promise.all([sup.stop(), sup.stop()]);
		expect(stop1).toBe(stop2);
		expect(stop1).toMatchObject({code: 0, graceful: true, killed: false, wasRunning: true});
		expect(groupAlive(pid)).toBe(false);
		expect(events.find(e => e.type === 'exited')).toMatchObject({expected: true, code: 0});
		expect(sup.unexpectedExits).toBe(0);
		expect(sup.state).toBe('stopped');
	});

	it('SIGKILLs a group that ignores the stop signal after stopTimeout, grandchildren included', async () => {
		const {sup} = supervise({
			// "started" only once the handler is installed, so the SIGTERM cannot land before it.
			command: `trap '' TERM; ${node} -e "process.on('SIGTERM', () => {}); console.log('started'); setInterval(() => {}, 1000)" & wait`,
			ready: parseReadyWhen('started'),
			stopTimeoutMs: 400,
		});
		expect(await sup.start()).toMatchObject({ok: true});
		const pid = sup.pid!;
		const result = await sup.stop();
		expect(result).toMatchObject({graceful: false, killed: true, signal: 'SIGKILL'});
		expect(groupAlive(pid)).toBe(false);
	});

	it('names a command that does not exist (exit 127) with its output, and does not hang', async () => {
		const {sup} = supervise({command: 'definitely-not-a-command-drydock --flag'});
		const result = await sup.start();
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.failure.kind).toBe('not-found');
		expect(result.failure.message).toMatch(/not found \(exit 127\): definitely-not-a-command-drydock/);
		expect(result.failure.lastLines.map(l => l.line).join('\n')).toMatch(/not found/);
		expect(sup.state).toBe('failed');
		expect(startFailureError(result.failure)).toMatchObject({exitCode: 2, name: 'UsageError'});
	});

	it('reports an exit during start-up with its last output lines', async () => {
		const {sup} = supervise({
			command: `echo loading config; echo 'ERROR config.yaml: no such file' >&2; exit 3`,
			ready: parseReadyWhen('ready'),
		});
		const result = await sup.start();
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.failure).toMatchObject({kind: 'exited', code: 3});
		expect(result.failure.message).toMatch(/exited with code 3 during start-up/);
		expect(result.failure.message).toMatch(/ERROR config.yaml: no such file/);
	});

	it('fails a SUT that never becomes ready within startTimeout and leaves nothing behind', async () => {
		const {sup, events} = supervise({
			command: `${node} -e "setInterval(() => {}, 1000)" & wait`,
			ready: parseReadyWhen('never printed'),
			startTimeoutMs: 500,
			stopTimeoutMs: 500,
		});
		const result = await sup.start();
		const spawned = events.find(e => e.type === 'spawned');
		expect(spawned?.type === 'spawned' && groupAlive(spawned.pid)).toBe(false);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.failure.kind).toBe('not-ready');
		expect(result.failure.message).toMatch(
			/not ready within 500 ms \(no output line matched \/never printed\/\); it printed nothing/,
		);
		expect(sup.pid).toBeNull();
	});

	it('names a working directory that does not exist', async () => {
		const {sup} = supervise({command: 'true', cwd: '/nonexistent/drydock-sut'});
		const result = await sup.start();
		expect(result).toMatchObject({ok: false, failure: {kind: 'spawn-error'}});
		if (!result.ok) expect(result.failure.message).toMatch(/\/nonexistent\/drydock-sut does not exist/);
	});

	it('waits for a TCP port and for an HTTP URL', async () => {
		const tcp: Server = createServer(socket => socket.destroy());
		await new Promise<void>(resolve => tcp.listen(0, '127.0.0.1', resolve));
		const port = (tcp.address() as {port: number}).port;
		tcp.close();
		// The SUT itself opens the port after a moment.
		const {sup} = supervise({
			command: `${node} -e "setTimeout(() => require('node:net').createServer(s => s.end()).listen(${port}, '127.0.0.1'), 300)"`,
			ready: parseReadyWhen(`tcp:${port}`),
		});
		const tcpResult = await sup.start();
		expect(tcpResult.ok).toBe(true);
		if (tcpResult.ok) expect(tcpResult.readyAfterMs).toBeGreaterThanOrEqual(250);
		await sup.stop();

		let hits = 0;
		const http = createHttpServer((_req, res) => {
			hits++;
			res.statusCode = hits < 3 ? 503 : 204;
			res.end();
		});
		await new Promise<void>(resolve => http.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(http.address() as {port: number}).port}/health`;
		const {sup: sup2, events} = supervise({
			command: `${node} -e "setInterval(() => {}, 1000)"`,
			ready: parseReadyWhen(url),
		});
		expect(await sup2.start()).toMatchObject({ok: true});
		expect(hits).toBe(3);
		expect(events.find(e => e.type === 'ready')).toMatchObject({by: `${url} answered`});
		await sup2.stop();
		http.close();
	});

	it('counts an unexpected exit, restarts on failure up to max, then gives up', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'sut-'));
		const counter = join(dir, 'starts');
		writeFileSync(counter, '');
		// Ready, then crashes 200 ms later, every time.
		const {sup, events} = supervise({
			command: `echo x >> ${counter}; echo up; sleep 0.2; exit 4`,
			ready: parseReadyWhen('^up$'),
			restart: {policy: 'on-failure', max: 2},
		});
		expect(await sup.start()).toMatchObject({ok: true});
		await waitFor(events, () => sup.state === 'failed');
		expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(3);
		expect(sup.restarts).toBe(2);
		expect(sup.unexpectedExits).toBe(3);
		expect(sup.lastUnexpectedExit).toMatchObject({code: 4, signal: null});
		const exits = events.filter(e => e.type === 'exited');
		expect(exits).toHaveLength(3);
		expect(exits.every(e => e.type === 'exited' && e.code === 4 && !e.expected)).toBe(true);
		expect(events.filter(e => e.type === 'restarting').map(e => e.type === 'restarting' && e.restart)).toEqual([1, 2]);
		const stopped = await sup.stop();
		expect(stopped).toMatchObject({wasRunning: false, code: 4});
	});

	it('does not restart a SUT that exited 0 on its own, but still counts it as unexpected', async () => {
		const {sup, events} = supervise({
			command: 'echo up; sleep 0.1',
			ready: parseReadyWhen('up'),
			restart: {policy: 'on-failure', max: 3},
		});
		expect(await sup.start()).toMatchObject({ok: true});
		await waitFor(events, e => e.type === 'exited');
		await waitFor(events, () => sup.state === 'exited');
		expect(sup.restarts).toBe(0);
		expect(sup.unexpectedExits).toBe(1);
	});

	it('stop() during start-up ends the start at once; killNow() takes a running group down synchronously', async () => {
		const {sup, events} = supervise({
			command: `${node} -e "setInterval(() => {}, 1000)"`,
			ready: parseReadyWhen('never'),
			startTimeoutMs: 20_000,
		});
		const starting = sup.start();
		const spawned = await waitFor(events, e => e.type === 'spawned');
		const pid = spawned.type === 'spawned' ? spawned.pid : null;
		const stopped = await sup.stop();
		expect(await starting).toMatchObject({ok: false, failure: {kind: 'stopped'}});
		expect(stopped.wasRunning).toBe(true);
		expect(groupAlive(pid!)).toBe(false);

		const {sup: sup2} = supervise({
			command: `${node} -e "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)" & wait`,
			ready: parseReadyWhen('up'),
		});
		expect(await sup2.start()).toMatchObject({ok: true});
		const pid2 = sup2.pid!;
		sup2.killNow();
		// SIGKILL is delivered at once; the kernel needs a moment to reap.
		for (let i = 0; i < 100 && groupAlive(pid2); i++) await new Promise(resolve => setTimeout(resolve, 20));
		expect(groupAlive(pid2)).toBe(false);
		expect(await sup2.stop()).toMatchObject({signal: 'SIGKILL'});
	});

	it('a SUT without a readiness probe that dies within the settle time is a start failure', async () => {
		const {sup} = supervise({
			command: `${JSON.stringify('/usr/bin/python3')} -c "import sys; print('Traceback (most recent call last):'); sys.exit(1)"`,
		});
		const result = await sup.start();
		expect(result).toMatchObject({ok: false, failure: {kind: 'exited', code: 1}});
	});

	it('a crashing drydock takes the SUT group down through its exit guard', async () => {
		const child = spawn(
			process.execPath,
			['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'crashing-drydock.ts')],
			{stdio: ['ignore', 'pipe', 'pipe']},
		);
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		const code = await new Promise<number | null>(resolve => child.on('close', resolve));
		expect(stderr).toContain('drydock crashed');
		expect(code).not.toBe(0);
		const pgid = Number(/pgid (\d+)/.exec(stdout)?.[1]);
		expect(pgid).toBeGreaterThan(0);
		for (let i = 0; i < 100 && groupAlive(pgid); i++) await new Promise(resolve => setTimeout(resolve, 20));
		expect(groupAlive(pgid)).toBe(false);
	});
});
