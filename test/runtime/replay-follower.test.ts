/** The runtime's replay follower: the mock's replay admin, polled into replay-sample engine events. */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import type {EngineEvent} from '../../source/engine/events.js';
import {followReplay} from '../../source/runtime/replay-follower.js';
import {RecordingWriter} from '../../source/recording/format/recording-file.js';
import {startReplayMock, waitFor} from '../mock/replay/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'drydock-replay-follow-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe('followReplay', () => {
	it('emits the replay clock and position from the mock while it replays', async () => {
		const path = join(dir, 'f.rec');
		const base = Date.UTC(2026, 10, 30, 12);
		const writer = new RecordingWriter(
			path,
			{source: 'test', symbols: ['BTCUSDT'], streams: ['trade'], startedAt: base, tool: 'test'},
			{fsync: false},
		);
		for (let i = 0; i < 10; i++)
			writer.write({
				type: 'frame',
				t: base + i * 100,
				stream: 'btcusdt@trade',
				data: {
					e: 'trade',
					E: base + i * 100,
					s: 'BTCUSDT',
					t: i + 1,
					p: '100.00',
					q: '1.00000',
					T: base + i * 100,
					m: false,
				},
			});
		writer.close(true, base + 1000);
		const mock = await startReplayMock(path, {keepTime: true});
		const events: EngineEvent[] = [];
		const stop = followReplay(mock.admin, e => events.push(e), 50);
		try {
			await fetch(`${mock.admin}/replay`, {method: 'POST', body: JSON.stringify({paused: false})});
			const ended = await waitFor('an ended sample', () =>
				events.find(e => e.type === 'replay-sample' && e.view.ended),
			);
			expect(ended).toMatchObject({
				type: 'replay-sample',
				view: {file: path, progress: 1, speed: 'max', clock: base + 1000},
			});
		} finally {
			stop();
			await mock.close();
		}
	});
});
