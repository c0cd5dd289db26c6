import {describe, expect, it} from 'vitest';
import {parseProcStat, treePids, type ProcStat} from '../../source/sut/proc.js';
import {ProcessTreeMonitor} from '../../source/sut/process-tree.js';
import {SutSupervisor} from '../../source/sut/supervisor.js';

const node = JSON.stringify(process.execPath);

describe('SUT process tree', () => {
	it('parses /proc stat lines whose command holds spaces and parentheses', () => {
		expect(parseProcStat('4242 (my (weird) bot) S 4200 4242 4242 0 -1 4194560 …')).toEqual({
			pid: 4242,
			ppid: 4200,
			pgrp: 4242,
			state: 'S',
		});
		expect(parseProcStat('garbage')).toBeNull();
	});

	it('walks descendants by parent and adds re-parented members of the group, leaving zombies out', () => {
		const table: ProcStat[] = [
			{pid: 1, ppid: 0, pgrp: 1, state: 'S'},
			{pid: 100, ppid: 1, pgrp: 100, state: 'S'}, // leader
			{pid: 101, ppid: 100, pgrp: 100, state: 'S'},
			{pid: 102, ppid: 101, pgrp: 555, state: 'R'}, // grandchild that made its own group: still a descendant
			{pid: 103, ppid: 1, pgrp: 100, state: 'S'}, // orphan re-parented to init, still in the group
			{pid: 104, ppid: 100, pgrp: 100, state: 'Z'},
			{pid: 200, ppid: 1, pgrp: 200, state: 'S'}, // someone else
		];
		expect(treePids(table, 100).sort((a, b) => a - b)).toEqual([100, 101, 102, 103]);
		expect(treePids(table, 999, 999)).toEqual([]);
	});

	it('sums CPU and RSS over a real tree, sees a child that allocates, and runs the leak detector on its RSS', async () => {
		// The leader (sh) starts two node processes; one holds ~60 MB.
		const sup = new SutSupervisor({
			command: `${node} -e "globalThis.k = Buffer.alloc(60 * 1024 * 1024, 1); setInterval(() => {}, 1000)" & ${node} -e "setInterval(() => {}, 1000)" & echo up; wait`,
			env: process.env as Record<string, string>,
			ready: {kind: 'output', pattern: /up/, source: 'up'},
			startTimeoutMs: 10_000,
			stopSignal: 'SIGTERM',
			stopTimeoutMs: 2_000,
			restart: {policy: 'never'},
		});
		expect(await sup.start()).toMatchObject({ok: true});
		const monitor = new ProcessTreeMonitor();
		monitor.setRoot(sup.pid);
		let sample = await monitor.sample();
		for (let i = 0; i < 50 && (sample === null || sample.pids.length < 3 || sample.rssMb < 80); i++) {
			await new Promise(resolve => setTimeout(resolve, 100));
			sample = await monitor.sample();
		}
		expect(sample!.pids).toHaveLength(3);
		expect(sample!.pids).toContain(sup.pid);
		expect(sample!.rssMb).toBeGreaterThan(80);
		const stats = monitor.stats();
		expect(stats.samples).toBeGreaterThan(0);
		expect(stats.peakRssMb).toBeGreaterThan(80);
		expect(stats.peakProcesses).toBe(3);
		await sup.stop();
		monitor.setRoot(null);
		expect(await monitor.sample()).toBeNull();

		// The leak detector over the recorded series: a steady climb of 100 MB/h is a leak.
		const leaky = new ProcessTreeMonitor({capacity: 100});
		for (let i = 0; i < 400; i++)
			leaky.record({at: i * 10_000, pids: [1], cpuPercent: 1, rssMb: 100 + (i * 10_000 * 100) / 3_600_000});
		const verdict = leaky.leak({warmupUntil: 60_000, limitMbPerHour: 5});
		expect(verdict.leaking).toBe(true);
		expect(verdict.conclusive).toBe(true);
		expect(verdict.slopePerHour!).toBeGreaterThan(90);
		// Bounded series whatever the length.
		expect(leaky.rssHistory().length).toBeLessThanOrEqual(100);
		const flat = new ProcessTreeMonitor();
		for (let i = 0; i < 400; i++) flat.record({at: i * 10_000, pids: [1], cpuPercent: 1, rssMb: 100 + (i % 2)});
		expect(flat.leak({warmupUntil: 60_000, limitMbPerHour: 5}).leaking).toBe(false);
	});
});
