import {describe, expect, it} from 'vitest';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {LogCapture} from '../../source/sut/log-capture.js';
import {ProcessTreeMonitor} from '../../source/sut/process-tree.js';
import {StatsdIntake} from '../../source/sut/statsd.js';
import {SutSupervisor} from '../../source/sut/supervisor.js';
import {buildSutView} from '../../source/sut/view.js';

describe('SUT panel view', () => {
	it('shows a running SUT’s process, resources, StatsD figures and last lines; nothing live once stopped', async () => {
		const supervisor = new SutSupervisor({
			command: 'echo ready; echo "ERROR x" >&2; exec sleep 30',
			env: process.env as Record<string, string>,
			ready: {kind: 'output', pattern: /ready/, source: 'ready'},
			startTimeoutMs: 10_000,
			stopSignal: 'SIGTERM',
			stopTimeoutMs: 2_000,
			restart: {policy: 'never'},
		});
		const capture = new LogCapture({dir: mkdtempSync(join(tmpdir(), 'sut-view-')), errorPatterns: [/ERROR/]});
		supervisor.on(e => {
			if (e.type === 'log') capture.line(e.stream, e.line, e.at);
		});
		const tree = new ProcessTreeMonitor();
		const intake = new StatsdIntake({metrics: {operation: 'op'}});
		intake.ingest('op:3|ms\nop:5|ms|#status:error\nbad');
		expect(await supervisor.start()).toMatchObject({ok: true});
		tree.setRoot(supervisor.pid);
		expect(await tree.sample()).not.toBeNull();
		while (capture.errors().total === 0) await new Promise(resolve => setTimeout(resolve, 10));
		const view = buildSutView({command: 'bot', supervisor, tree, intake, capture}, Date.now());
		expect(view).toMatchObject({
			command: 'bot',
			state: 'running',
			pid: supervisor.pid,
			restarts: 0,
			processes: 1,
			venue: null,
			venueError: null,
			statsd: {operations: 2, failed: 1, successRate: 0.5, avgLatencyMs: 4, malformed: 1},
			errors: {total: 1, expected: 0},
		});
		expect(view.rssMb!).toBeGreaterThan(0);
		expect(view.uptimeMs!).toBeGreaterThanOrEqual(0);
		expect(view.rssHistory).toHaveLength(1);
		expect(view.lastLines.map(l => l.line)).toEqual(['ready', 'ERROR x']);
		await supervisor.stop();
		capture.close();
		expect(buildSutView({command: 'bot', supervisor, tree}, Date.now())).toMatchObject({
			state: 'stopped',
			pid: null,
			uptimeMs: null,
			cpuPercent: null,
			processes: 0,
			statsd: null,
		});
	});
});
