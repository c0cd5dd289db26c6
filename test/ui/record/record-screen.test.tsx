/**
 * The record screen over a real recording: an embedded mock on loopback, a LiveRecorder writing a file,
 * the view model following it, and RecordApp drawn into fake streams. The stream rows fill and update
 * as frames arrive; q asks to stop once; the screen fits the terminal.
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {render} from 'ink';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {startMockExchange, type MockExchange} from '../../../source/mock/index.js';
import {LiveRecorder, monotonicNow} from '../../../source/recording/live-recorder.js';
import {RecordWatch, type RecordView} from '../../../source/recording/record-view.js';
import {RecordApp} from '../../../source/ui/record/RecordApp.js';
import {FakeStdin, FakeStdout, stripAnsi, tick} from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'drydock-record-screen-'));
let mock: MockExchange;
beforeAll(async () => {
	mock = await startMockExchange({host: '127.0.0.1', port: 0, seed: 7, symbols: ['BTCUSDT'], quiet: true});
});
afterAll(async () => {
	await mock?.close();
	rmSync(dir, {recursive: true, force: true});
});

async function until(what: string, test: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!test()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await tick(50);
	}
}

describe('record screen', () => {
	it('shows each stream with its frames, rate, age and last frame, updating while recording; q stops', async () => {
		const recorder = await LiveRecorder.start({
			path: join(dir, 'screen.rec'),
			wsBase: mock.ws,
			rest: mock.rest,
			symbols: ['BTCUSDT'],
			streams: ['trade', 'depth@100ms', 'bookTicker'],
			snapshotEveryMs: 0,
			depthLimit: 50,
			tool: 'drydock test',
		});
		const watch = new RecordWatch(() => recorder.refresh(), {now: monotonicNow, durationMs: 60_000, minSampleMs: 200});
		recorder.onFrameWritten(watch.onFrame);
		const stdout = new FakeStdout(100, 30);
		const stdin = new FakeStdin();
		const onQuit = vi.fn<(force: boolean) => void>();
		const instance = render(
			<RecordApp
				source={watch}
				description={['→ screen.rec', 'BTCUSDT']}
				onQuit={onQuit}
				ascii={false}
				refreshMs={100}
			/>,
			{
				stdout: stdout as unknown as NodeJS.WriteStream,
				stdin: stdin as unknown as NodeJS.ReadStream,
				stderr: stdout as unknown as NodeJS.WriteStream,
				debug: true,
				exitOnCtrlC: false,
				patchConsole: false,
			},
		);
		const lines = () => stripAnsi(stdout.frames.at(-1) ?? '').split('\n');
		const row = (stream: string) => lines().find(l => l.includes(`│${stream} `)) ?? '';
		const frames = (stream: string) => Number(/\s(\d+)\s/.exec(row(stream).slice(stream.length + 1))?.[1] ?? -1);
		try {
			await until('trade, depth and bookTicker rows with frames', () =>
				['btcusdt@trade', 'btcusdt@depth@100ms', 'btcusdt@bookTicker'].every(s => frames(s) > 0),
			);
			const depthRow = row('btcusdt@depth@100ms');
			expect(depthRow).toMatch(/bids \d+/);
			expect(row('btcusdt@bookTicker')).toContain('"s":"BTCUSDT"');
			expect(lines()[0]).toMatch(/^drydock record +→ screen\.rec +BTCUSDT/);
			expect(lines()[1]).toMatch(/\d+ events .*× compressed +0 gaps/);
			expect(lines()[1]).toMatch(/left\)/);
			expect(lines().join('\n')).toContain('no gaps');
			const before = frames('btcusdt@depth@100ms');
			await until('the depth row to count more frames', () => frames('btcusdt@depth@100ms') > before);
			expect(row('btcusdt@depth@100ms')).toMatch(/\d+(\.\d)?\/s/);
			// Fits the 100×30 terminal: rows − 1 lines, none wider than 100.
			const shown = lines().filter((l, i, all) => i < all.length - 1 || l !== '');
			expect(shown.length).toBeLessThanOrEqual(29);
			for (const line of shown) expect([...line].length).toBeLessThanOrEqual(100);

			await tick(20);
			stdin.write('q');
			await until('the stop notice', () => lines().join('\n').includes('stopping: writing the end record'));
			expect(onQuit).toHaveBeenCalledTimes(1);
			expect(onQuit).toHaveBeenCalledWith(false);
			stdin.write('q');
			await tick(20);
			expect(onQuit).toHaveBeenCalledTimes(1);
		} finally {
			instance.unmount();
			recorder.stop();
		}
	}, 30_000);

	it('lists gaps newest first, says RECONNECTING while down, and a second Ctrl-C forces', async () => {
		const view: RecordView = {
			events: 1200,
			ratePerSecond: 40,
			bytes: '210.0 KB',
			ratio: 7.2,
			gaps: 2,
			snapshots: 6,
			snapshotErrors: 1,
			lastSnapshotError: 'HTTP 503',
			connected: false,
			elapsed: '2:00',
			remaining: undefined,
			streams: [{stream: 'btcusdt@trade', frames: 1200, ratePerSecond: 40, ageMs: 6500, text: '{"e":"trade"}'}],
			gapList: [
				{
					from: Date.UTC(2026, 0, 1, 12, 1, 0),
					to: Date.UTC(2026, 0, 1, 12, 1, 4),
					lengthMs: 4000,
					reason: 'silence for 3s',
				},
				{
					from: Date.UTC(2026, 0, 1, 12, 0, 0),
					to: Date.UTC(2026, 0, 1, 12, 0, 2),
					lengthMs: 2000,
					reason: 'socket closed',
				},
			],
		};
		const stdout = new FakeStdout(80, 24);
		const stdin = new FakeStdin();
		const onQuit = vi.fn<(force: boolean) => void>();
		const instance = render(
			<RecordApp source={{view: () => view}} description={['→ x.rec']} onQuit={onQuit} ascii={false} refreshMs={50} />,
			{
				stdout: stdout as unknown as NodeJS.WriteStream,
				stdin: stdin as unknown as NodeJS.ReadStream,
				stderr: stdout as unknown as NodeJS.WriteStream,
				debug: true,
				exitOnCtrlC: false,
				patchConsole: false,
			},
		);
		try {
			await tick(30);
			const text = () => stripAnsi(stdout.frames.at(-1) ?? '');
			expect(text()).toMatch(/1200 events .*2 gaps .*2:00 elapsed/);
			expect(text()).toContain('1 depth snapshot error, last: HTTP 503');
			expect(text()).toContain('RECONNECTING');
			const gapLines = text()
				.split('\n')
				.filter(l => / (silence|socket closed)/.test(l));
			expect(gapLines).toHaveLength(2);
			expect(gapLines[0]).toMatch(/12:01:00 4s silence for 3s/);
			expect(gapLines[1]).toMatch(/12:00:00 2s socket closed/);
			stdin.write('\u0003');
			await tick(20);
			stdin.write('\u0003');
			await tick(20);
			expect(onQuit.mock.calls).toEqual([[false], [true]]);
		} finally {
			instance.unmount();
		}
	});
});
