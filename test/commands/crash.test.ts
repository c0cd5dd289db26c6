/** The shutdown coordinator's crash path, on a fake engine (the real thing is in crash.e2e.test.ts). */
import {describe, expect, it} from 'vitest';
import {
	CRASH_EXIT_CODE,
	createShutdownCoordinator,
	describeCrash,
	engineShutdownTarget,
	exitCodeFor,
	type ShutdownTarget,
} from '../../source/engine/shutdown.js';
import type {PhaseDefinition} from '../../source/engine/phase-definition.js';
import {testEngine} from '../engine/helpers.js';

function fakeTarget(running: boolean, options: {killSwitch?: () => Promise<void>} = {}) {
	const calls: string[] = [];
	let finish!: () => void;
	const target: ShutdownTarget = {
		running,
		interrupt: by => {
			calls.push(`interrupt:${by}`);
			return new Promise(resolve => (finish = () => resolve(null)));
		},
		writeEmergencyReport: () => {
			calls.push('emergency');
			return '/tmp/x/report.json';
		},
		engageKillSwitch: () => {
			calls.push('kill-switch');
			return options.killSwitch?.() ?? Promise.resolve();
		},
		recordCrash: cause => calls.push(`record:${cause}`),
	};
	return {target, calls, finish: () => finish()};
}

const secret = 'SuperSecretValue1234567890';
const mask = (text: string) => text.replaceAll(secret, '****');

describe('crash path', () => {
	it('kill switch first, then interrupt; the terminal restored; one masked line; resolves 70 once the report is written', async () => {
		const {target, calls, finish} = fakeTarget(true);
		const lines: string[] = [];
		const exits: number[] = [];
		let restored = 0;
		const c = createShutdownCoordinator({
			engine: target,
			log: line => lines.push(line),
			mask,
			exit: code => exits.push(code),
			restoreTerminal: () => restored++,
			debug: false,
		});
		c.crash(new TypeError(`venue said ${secret}`));
		expect(calls[0]).toMatch(
			/^record:uncaught exception: TypeError: venue said \*\*\*\* \(at crash\.test\.ts:\d+:\d+\)$/,
		);
		expect(calls.slice(1)).toEqual(['kill-switch', 'interrupt:crash']);
		expect(restored).toBe(1);
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatch(
			/^drydock: crashed: TypeError: venue said \*\*\*\* \(at crash\.test\.ts:\d+:\d+\) — kill switch engaged/,
		);
		expect(lines.join('')).not.toContain(secret);
		expect(c.requested).toBe('crash');
		// Later throws (a strategy's timer firing again) change nothing.
		c.crash(new Error('again'));
		expect(calls).toHaveLength(3);
		finish();
		expect(await c.done).toBe(CRASH_EXIT_CODE);
		expect(exits).toEqual([]);
	});

	it('cleanup that hangs past the deadline forces the exit with an emergency report and code 70', async () => {
		const {target, calls} = fakeTarget(true, {killSwitch: () => new Promise(() => {})});
		const exits: number[] = [];
		const lines: string[] = [];
		const c = createShutdownCoordinator({
			engine: target,
			log: line => lines.push(line),
			exit: code => exits.push(code),
			crashDeadlineMs: 50,
			debug: false,
		});
		c.crash(new Error('boom'));
		await new Promise(resolve => setTimeout(resolve, 120));
		expect(calls).toContain('emergency');
		expect(exits).toEqual([70]);
		expect(lines.at(-1)).toMatch(
			/did not finish within 0 s: forced exit; partial report written to \/tmp\/x\/report\.json/,
		);
	});

	it('a kill switch that fails is reported and the report is still written', async () => {
		const {target, calls, finish} = fakeTarget(true, {
			killSwitch: () => Promise.reject(new Error(`cancel failed ${secret}`)),
		});
		const lines: string[] = [];
		const c = createShutdownCoordinator({
			engine: target,
			log: line => lines.push(line),
			mask,
			exit: () => {},
			debug: false,
		});
		c.crash(new Error('boom'));
		finish();
		expect(await c.done).toBe(70);
		expect(calls).toContain('interrupt:crash');
		expect(lines.some(line => line === 'drydock: kill switch: cancel failed ****')).toBe(true);
	});

	it('with no run active: one line, resolves 70 at once, nothing interrupted', async () => {
		const {target, calls} = fakeTarget(false);
		const lines: string[] = [];
		const c = createShutdownCoordinator({engine: target, log: line => lines.push(line), exit: () => {}, debug: false});
		c.crash('a string was thrown');
		expect(await c.done).toBe(70);
		expect(calls).toEqual(['record:uncaught exception: thrown value a string was thrown']);
		expect(lines).toEqual([
			'drydock: crashed: thrown value a string was thrown (no run was active; DRYDOCK_DEBUG=1 for the stack)',
		]);
	});

	it('a crash while a signal shutdown is under way keeps that reason but bounds the wait; Ctrl-C after a crash forces 70', async () => {
		const {target, calls} = fakeTarget(true);
		const exits: number[] = [];
		const c = createShutdownCoordinator({
			engine: target,
			log: () => {},
			exit: code => exits.push(code),
			crashDeadlineMs: 30,
			debug: false,
		});
		c.request('SIGTERM');
		c.crash(new Error('during cleanup'));
		expect(c.requested).toBe('SIGTERM');
		await new Promise(resolve => setTimeout(resolve, 80));
		expect(exits).toEqual([143]);
		expect(calls).toContain('emergency');

		const second = fakeTarget(true);
		const c2 = createShutdownCoordinator({
			engine: second.target,
			log: () => {},
			exit: code => exits.push(code),
			debug: false,
		});
		c2.crash(new Error('boom'));
		c2.request('SIGINT');
		expect(exits.at(-1)).toBe(70);
	});

	it('DRYDOCK_DEBUG prints the masked stack; otherwise no stack', () => {
		const lines: string[] = [];
		const c = createShutdownCoordinator({
			engine: fakeTarget(false).target,
			log: line => lines.push(line),
			mask,
			exit: () => {},
			debug: true,
		});
		c.crash(new Error(`boom ${secret}`));
		expect(lines[0]).toMatch(/^Error: boom \*\*\*\*\n\s+at /);
		expect(lines.join('\n')).not.toContain(secret);
	});

	it('describeCrash: name, message on one line, and the throw site', () => {
		expect(exitCodeFor('crash')).toBe(70);
		const error = new RangeError('line one\nline two');
		error.stack =
			'RangeError: line one\n    at node:internal/timers:1:1\n    at Timeout._onTimeout (file:///home/u/strategy.mjs:12:9)\n    at listOnTimeout (node:internal/timers:581:17)';
		expect(describeCrash(error)).toBe('RangeError: line one line two (at strategy.mjs:12:9)');
		expect(describeCrash(Object.assign(new Error(''), {stack: ''}))).toBe('(no message)');
	});
});

describe('engineShutdownTarget on a real engine', () => {
	async function crashDuringRun(engageFirst: boolean) {
		let cancelled = 0;
		let killSwitchSeenByPhase: () => boolean = () => false;
		let started!: () => void;
		const running = new Promise<void>(resolve => (started = resolve));
		const soak: PhaseDefinition<object, {name: string}> = {
			id: 'soak',
			title: 'Soak',
			run: async ctx => {
				killSwitchSeenByPhase = () => ctx.killSwitchEngaged();
				started();
				while (!ctx.signal.aborted) await ctx.sleep(5);
			},
		};
		const engine = testEngine(
			[soak],
			{},
			{runtime: {phases: [soak], services: {}, hooks: {cancelAllOrders: async () => ++cancelled}}},
		);
		const outcome = engine.start({name: 'phase', phases: ['soak'], soakDurationMs: 60_000});
		await running;
		if (engageFirst) await engine.execute({type: 'kill-switch'});
		const c = createShutdownCoordinator({
			engine: engineShutdownTarget(engine),
			log: () => {},
			exit: () => {},
			debug: false,
		});
		c.crash(new Error('boom'));
		// Engaged at once, before any await: no order may leave after the crash.
		expect(engine.store.killSwitch.engaged).toBe(true);
		const blockedSeen = killSwitchSeenByPhase();
		expect(await c.done).toBe(70);
		const result = await outcome;
		await engine.close();
		return {engine, result, cancelled, blockedSeen};
	}

	it('engages the kill switch (cancel hook called), interrupts the run by "crash", records the cause as a critical error', async () => {
		const {engine, result, cancelled, blockedSeen} = await crashDuringRun(false);
		expect(engine.store.killSwitch.engaged).toBe(true);
		expect(cancelled).toBeGreaterThanOrEqual(1);
		expect(blockedSeen).toBe(true);
		expect(result.interruptedBy).toBe('crash');
		expect(engine.store.errors.list(10).find(g => g.kind === 'crash')).toMatchObject({
			critical: true,
			message: expect.stringMatching(/^uncaught exception: boom \(at crash\.test\.ts:\d+:\d+\)$/),
		});
	});

	it('a kill switch the operator already engaged stays engaged (never toggled off by the crash)', async () => {
		const {engine} = await crashDuringRun(true);
		expect(engine.store.killSwitch.engaged).toBe(true);
	});
});
