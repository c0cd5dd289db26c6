import {describe, expect, it} from 'vitest';
import {spawn} from 'node:child_process';
import {createMonitor} from '../../source/monitor/monitor.js';
import type {EngineEvent} from '../../source/engine/events.js';

describe('resource monitor', () => {
	it('samples drydock and a watched pid, raises one anomaly per crossing, and notices the watched process dying', async () => {
		const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'});
		const events: EngineEvent[] = [];
		const monitor = createMonitor({
			emit: e => events.push(e),
			limits: {cpuPercent: 1000, rssMb: 1, rssSlopeMbPerHour: 5, eventLoopLagMs: 10_000},
			watchPid: child.pid!,
		});
		await monitor.sample();
		await monitor.sample();
		const resources = events.filter((e): e is Extract<EngineEvent, {type: 'resource'}> => e.type === 'resource');
		const self = resources.filter(r => r.sample.which === 'self');
		const watched = resources.filter(r => r.sample.which === 'watched');
		expect(self).toHaveLength(2);
		expect(self[0]!.sample.pid).toBe(process.pid);
		expect(self[0]!.sample.rssMb!).toBeGreaterThan(10);
		expect(self[0]!.sample.heapMb!).toBeGreaterThan(1);
		expect(watched).toHaveLength(2);
		expect(watched[0]!.sample).toMatchObject({pid: child.pid, alive: true});
		// RSS over the 1 MB limit on both samples: the first sample is start-up (ignored), the second raises once.
		const anomalies = () => events.filter((e): e is Extract<EngineEvent, {type: 'anomaly'}> => e.type === 'anomaly');
		expect(
			anomalies()
				.map(a => a.metric)
				.sort(),
		).toEqual(['drydock:rss', `pid ${child.pid}:rss`]);
		await monitor.sample();
		expect(anomalies()).toHaveLength(2); // still over: no repeat
		child.kill('SIGKILL');
		await new Promise(resolve => child.on('exit', resolve));
		await monitor.sample();
		expect(events.filter(e => e.type === 'resource').at(-1)).toMatchObject({sample: {which: 'watched', alive: false}});
		expect(anomalies().at(-1)!.detail).toMatch(/is not running/);
		await monitor.stop();
	});
});
