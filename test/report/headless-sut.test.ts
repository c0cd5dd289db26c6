/** The headless reporter's SUT lines: start, ready, unexpected exit, restart, stop, and each sut-* check as recorded. */
import {describe, expect, it} from 'vitest';
import {attachHeadlessReporter} from '../../source/report/headless.js';
import type {SutView} from '../../source/engine/sut-view.js';
import {testEngine} from '../engine/helpers.js';

function view(overrides: Partial<SutView>): SutView {
	return {
		command: 'python3 -m mybot',
		state: 'starting',
		pid: 100,
		uptimeMs: 0,
		restarts: 0,
		unexpectedExits: 0,
		cpuPercent: null,
		rssMb: null,
		processes: 1,
		cpuHistory: [],
		rssHistory: [],
		venue: null,
		venueError: null,
		statsd: null,
		errors: {total: 0, expected: 0},
		lastLines: [],
		...overrides,
	};
}

describe('headless SUT lines', () => {
	it("prints the SUT's state changes once each and its sut-* checks as they are recorded", async () => {
		const engine = testEngine(
			[
				{
					id: 'soak',
					title: 'Soak',
					run: async ctx => {
						const sample = (v: SutView) => engine.emit({type: 'sut-sample', at: Date.now(), view: v});
						sample(view({state: 'starting'}));
						sample(view({state: 'running'}));
						sample(view({state: 'running', uptimeMs: 1000}));
						sample(
							view({
								state: 'restarting',
								pid: null,
								unexpectedExits: 1,
								lastLines: [{at: 0, stream: 'stderr', line: 'Traceback (most recent call last):', error: true}],
							}),
						);
						sample(view({state: 'running', pid: 101, restarts: 1, unexpectedExits: 1}));
						sample(
							view({
								state: 'stopped',
								pid: null,
								restarts: 1,
								unexpectedExits: 1,
								lastLines: [{at: 0, stream: 'stdout', line: 'bye\nnow', error: false}],
							}),
						);
						// Its last line was said already: not again.
						sample(
							view({
								state: 'exited',
								pid: null,
								restarts: 1,
								unexpectedExits: 1,
								lastLines: [{at: 0, stream: 'stdout', line: 'bye\nnow', error: false}],
							}),
						);
						await ctx.sleep(5);
						ctx.check({
							id: 'sut-alive',
							title: 'SUT alive',
							verdict: 'fail',
							measured: 1,
							threshold: 'no unexpected exit',
							reason: '1 unexpected exit (restarted 1 time)',
						});
						ctx.check({id: 'sut-orphans', title: 'SUT orphans', verdict: 'pass', measured: 0, threshold: '= 0'});
						ctx.check({id: 'rate', title: 'rate', verdict: 'pass'});
					},
				},
			],
			{},
		);
		let out = '';
		const detach = attachHeadlessReporter(engine, {write: t => void (out += t), progressEveryMs: 60_000});
		await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 100});
		detach();
		await engine.close();
		const sut = out.split('\n').filter(l => l.includes('SUT     '));
		expect(sut.map(l => l.replace(/^\[[^\]]*\] /, ''))).toEqual([
			'SUT     starting pid 100: python3 -m mybot',
			'SUT     running (ready) pid 100',
			'SUT     EXITED unexpectedly (1 so far)',
			'SUT     restarting — last line: Traceback (most recent call last):',
			'SUT     RESTART #1 pid 101',
			'SUT     running (ready) pid 101',
			'SUT     STOPPED — last line: bye now',
			'SUT     EXITED',
			'SUT     FAIL sut-alive: measured 1 (threshold no unexpected exit) — 1 unexpected exit (restarted 1 time)',
			'SUT     PASS sut-orphans: measured 0 (threshold = 0)',
		]);
		// Lines carry the run clock like every other headless line.
		for (const line of sut) expect(line).toMatch(/^\[ *[0-9.a-z]+\] SUT {5}/);
	});
});
