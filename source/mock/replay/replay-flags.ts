/**
 * `--replay FILE [--speed 1|10|max] [--from T] [--to T] [--loop] [--keep-time] [--paused]` for
 * `drydock mock` (and `--replay FILE` for run and console, which always loop). T is an ISO time, Unix
 * milliseconds, or an offset from the recording's start such as `90s` or `5m`.
 */
import {parseDuration} from '../../util/duration.js';
import {UsageError} from '../../util/usage-error.js';
import type {RecordingScan} from './recording-scan.js';
import type {ReplaySettings} from './replay-driver.js';
import {parseSpeed} from './replay-admin.js';
import type {MockReplayOptions} from './index.js';

export const replayFlagOptions = {
	replay: {type: 'string'},
	speed: {type: 'string'},
	from: {type: 'string'},
	to: {type: 'string'},
	loop: {type: 'boolean'},
	'keep-time': {type: 'boolean'},
	paused: {type: 'boolean'},
} as const;

export const replayFlagsHelp = `  --replay FILE       replay a recording (drydock record) instead of simulating: symbols, book,
                      trades and streams follow the file; orders match against the replayed book
  --speed S           1 (real time, default), 10, any factor, or max (as fast as subscribers read)
  --from T, --to T    replay only this part: ISO time, Unix ms, or an offset from the start (90s, 5m)
  --loop              start over at the end (times and ids keep rising)
  --keep-time         publish the recorded timestamps instead of shifting them to now
  --paused            start paused; POST {admin}/replay {"paused":false} starts it
`;

export interface ReplayFlagValues {
	replay?: string | undefined;
	speed?: string | undefined;
	from?: string | undefined;
	to?: string | undefined;
	loop?: boolean | undefined;
	'keep-time'?: boolean | undefined;
	paused?: boolean | undefined;
}

/** Reads a recording named on the command line; a missing or bad file is a usage error (exit 2). */
export async function scanReplayFile(path: string): Promise<RecordingScan> {
	// Loaded only when a replay is asked for: the command line's start stays light.
	const {scanRecording, ReplayFileError} = await import('./recording-scan.js');
	const {RecordingFormatError} = await import('../../recording/format/recording-file.js');
	try {
		return scanRecording(path);
	} catch (error) {
		const e = error as NodeJS.ErrnoException;
		if (e.code === 'ENOENT') throw new UsageError(`--replay: no such file ${path}`);
		if (e.code === 'EISDIR') throw new UsageError(`--replay: ${path} is a directory, not a recording`);
		if (error instanceof RecordingFormatError || error instanceof ReplayFileError)
			throw new UsageError(`--replay: ${e.message}`);
		throw new UsageError(`--replay: cannot read ${path} (${e.message})`);
	}
}

function timeFlag(text: string | undefined, flag: string, scan: RecordingScan): number | undefined {
	if (text === undefined) return undefined;
	const trimmed = text.trim();
	if (/^\d{12,}$/.test(trimmed)) return Number(trimmed);
	if (/^\d{4}-\d\d-\d\d/.test(trimmed)) {
		const t = Date.parse(trimmed);
		if (Number.isNaN(t)) throw new UsageError(`${flag}: cannot read "${text}" as a time`);
		return t;
	}
	return scan.firstT + parseDuration(trimmed, flag);
}

/** The replay settings from flags, or undefined without --replay (the other flags then are errors). */
export async function replayFromFlags(
	values: ReplayFlagValues,
	forceLoop = false,
): Promise<MockReplayOptions | undefined> {
	if (values.replay === undefined) {
		for (const flag of ['speed', 'from', 'to', 'loop', 'keep-time', 'paused'] as const)
			if (values[flag] !== undefined) throw new UsageError(`--${flag}: only with --replay FILE`);
		return undefined;
	}
	const speed = values.speed === undefined ? 1 : parseSpeed(values.speed);
	if (speed === undefined) throw new UsageError(`--speed: "${values.speed}" is not a positive number or max`);
	const scan = await scanReplayFile(values.replay);
	const from = timeFlag(values.from, '--from', scan);
	const to = timeFlag(values.to, '--to', scan);
	if (from !== undefined && to !== undefined && to <= from) throw new UsageError('--to: must be after --from');
	if (from !== undefined && from > scan.lastT)
		throw new UsageError(`--from: after the recording's end (${new Date(scan.lastT).toISOString()})`);
	if (to !== undefined && to < scan.firstT)
		throw new UsageError(`--to: before the recording's start (${new Date(scan.firstT).toISOString()})`);
	const settings: ReplaySettings = {
		speed,
		loop: forceLoop || values.loop === true,
		keepTime: values['keep-time'] === true,
		paused: values.paused === true,
		...(from === undefined ? {} : {from}),
		...(to === undefined ? {} : {to}),
	};
	return {scan, ...settings};
}

/** One line for the start banner: what is replayed. */
export function describeReplay(options: MockReplayOptions): string {
	const {scan} = options;
	const span = Math.round((scan.lastT - scan.firstT) / 1000);
	const damaged = scan.damage ? `; ${scan.damage.reason} (replaying up to the last whole chunk)` : '';
	return `replaying ${scan.path}: ${scan.frames} frames of ${scan.symbols.join(',')} over ${span}s from ${new Date(scan.firstT).toISOString()} at speed ${String(options.speed)}${options.loop ? ', looping' : ''}${damaged}`;
}
