/**
 * `drydock record`: a venue's public market streams written to a .rec file (raw frames with receive
 * time, depth snapshots, gaps), for `drydock mock --replay`. `drydock record import …` is record-import.ts.
 * Exit codes: 0 recorded (also when stopped by Ctrl-C/SIGTERM: the file is closed cleanly), 2 bad input,
 * 1 venue unreachable.
 */
import {parseCommandArgs} from '../util/args.js';
import {parseDuration} from '../util/duration.js';
import {numberOption} from '../util/args.js';
import {UsageError} from '../util/usage-error.js';
import {helpOption, positiveDuration, showHelp} from './flags.js';
import {DEFAULT_RECORD_STREAMS, parseStreamList, parseSymbolList} from '../recording/stream-names.js';
import {outputProblem} from '../recording/recording-output.js';

export const recordHelp = `drydock record — record a venue's market streams to a file a mock can replay

Usage:
  drydock record [--profile mainnet] [--symbols BTCUSDT,ETHUSDT] [--streams LIST] [--duration 6h] -o FILE.rec
  drydock record import trades|aggTrades|klines FILE.zip [...] -o FILE.rec   (see drydock record import --help)

Options:
  --profile P          where to record from: mainnet (default), testnet, or mock (a running mock from
                       the profile's urls, else an embedded one); public data, no API key needed
  --exchange-url URL   record from a running \`drydock mock\` at this REST URL (its streams on the same port)
  --symbols LIST       comma-separated symbols (default: the profile's)
  --streams LIST       per-symbol streams (default ${DEFAULT_RECORD_STREAMS.join(',')});
                       any of trade, aggTrade, bookTicker, miniTicker, ticker, depth, depth@100ms,
                       depth5|10|20[@100ms], kline_<interval>
  --duration D         stop after D (e.g. 90s, 6h); default: until Ctrl-C
  -o, --output FILE    the recording to write (refused if it exists, unless --force)
  --force              overwrite FILE
  --snapshot-every D   REST depth snapshot per symbol this often (default 5m; 0 = only at start and after
                       a reconnect)
  --depth-limit N      levels per depth snapshot (default 1000)
  --progress-every D   without a terminal, a progress line this often (default 10s)
  --console            a live screen instead of the progress line: per stream frames, rate, last frame
                       age and text, the figures and the gaps; q stops (needs a terminal, else the lines)
  -h, --help           this text

A dropped connection is written as a gap (from the last frame to the resubscription), followed by fresh
depth snapshots. Ctrl-C or SIGTERM ends the file cleanly; a kill -9 loses at most the last second.
Exit codes: 0 recorded, 1 venue unreachable, 2 bad input.`;

interface Venue {
	rest: string;
	ws: string;
	label: string;
	symbols: string[];
	close?: () => Promise<void>;
}

async function resolveVenue(profileName: string, exchangeUrl: string | undefined, symbols?: string[]): Promise<Venue> {
	const {endpointsFromUrl, venueEndpoints} = await import('../runtime/target.js');
	if (exchangeUrl !== undefined) {
		const endpoints = endpointsFromUrl(exchangeUrl);
		return {rest: endpoints.rest, ws: endpoints.ws, label: endpoints.rest, symbols: symbols ?? ['BTCUSDT']};
	}
	const {loadProfile} = await import('../profiles/profile-file.js');
	const {profile} = await loadProfile(profileName);
	const chosen = symbols ?? profile.symbols.map(s => s.replace('/', '').toUpperCase());
	if (profile.environment !== 'mock') {
		const endpoints = venueEndpoints(profile.environment);
		return {rest: endpoints.rest, ws: endpoints.ws, label: `${profile.environment} (${endpoints.ws})`, symbols: chosen};
	}
	if (profile.urls?.rest !== undefined) {
		const endpoints = endpointsFromUrl(profile.urls.rest, `profile ${profile.name}: urls.rest`, profile.urls.ws);
		return {rest: endpoints.rest, ws: endpoints.ws, label: endpoints.rest, symbols: chosen};
	}
	const {startMockExchange} = await import('../mock/index.js');
	const mock = await startMockExchange({
		host: '127.0.0.1',
		port: 0,
		seed: profile.mock.seed,
		symbols: chosen,
		quiet: true,
	});
	return {
		rest: mock.rest,
		ws: mock.ws,
		label: `an embedded mock (${mock.rest})`,
		symbols: chosen,
		close: () => mock.close(),
	};
}

export default async function command(argv: string[]): Promise<number> {
	if (argv[0] === 'import') return (await import('./record-import.js')).default(argv.slice(1));
	const {values, positionals} = parseCommandArgs('record', argv, {
		profile: {type: 'string'},
		'exchange-url': {type: 'string'},
		symbols: {type: 'string'},
		streams: {type: 'string'},
		duration: {type: 'string'},
		output: {type: 'string', short: 'o'},
		force: {type: 'boolean'},
		'snapshot-every': {type: 'string'},
		'depth-limit': {type: 'string'},
		'progress-every': {type: 'string'},
		console: {type: 'boolean'},
		...helpOption,
	});
	if (showHelp(values, recordHelp)) return 0;
	if (positionals.length > 0)
		throw new UsageError(`record: unexpected argument "${positionals[0]}" (did you mean record import?)`);
	const streams = parseStreamList(values.streams ?? DEFAULT_RECORD_STREAMS.join(','));
	if (!streams.ok) throw new UsageError(`--streams: ${streams.message}`);
	let symbols: string[] | undefined;
	if (values.symbols !== undefined) {
		const parsed = parseSymbolList(values.symbols);
		if (!parsed.ok) throw new UsageError(`--symbols: ${parsed.message}`);
		symbols = parsed.values;
	}
	const durationMs = positiveDuration(values.duration, '--duration');
	const snapshotEveryMs =
		values['snapshot-every'] === undefined ? 5 * 60_000 : parseDuration(values['snapshot-every'], '--snapshot-every');
	const depthLimit = numberOption(values['depth-limit'], '--depth-limit', {min: 1, max: 5000, integer: true}) ?? 1000;
	const progressEveryMs = positiveDuration(values['progress-every'], '--progress-every') ?? 10_000;
	const output = values.output;
	if (output === undefined) throw new UsageError('-o: say where the recording goes, e.g. -o btc.rec');
	const problem = outputProblem(output, values.force === true);
	if (problem !== undefined) throw new UsageError(`-o: ${problem}`);

	const venue = await resolveVenue(values.profile ?? 'mainnet', values['exchange-url'], symbols);
	try {
		return await record(venue, {
			output,
			streams: streams.values,
			snapshotEveryMs,
			depthLimit,
			progressEveryMs,
			console: values.console === true,
			...(durationMs !== undefined ? {durationMs} : {}),
		});
	} finally {
		await venue.close?.();
	}
}

interface RecordPlan {
	output: string;
	streams: string[];
	snapshotEveryMs: number;
	depthLimit: number;
	progressEveryMs: number;
	console: boolean;
	durationMs?: number;
}

/** Why `--console` cannot draw here (the progress lines are used instead), or undefined when it can. */
function consoleProblem(env: NodeJS.ProcessEnv = process.env): string | undefined {
	if (!process.stdin.isTTY || !process.stdout.isTTY) return 'no terminal';
	if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0') return 'CI is set';
	return undefined;
}

async function record(venue: Venue, plan: RecordPlan): Promise<number> {
	const {findUnknownSymbol, VenueUnreachableError} = await import('../recording/venue-rest.js');
	const {LiveRecorder} = await import('../recording/live-recorder.js');
	const {RecordProgress, formatBytes, formatElapsed} = await import('../recording/record-progress.js');
	const {drydockVersion} = await import('../runtime/session.js');
	const err = process.stderr;
	const unreachable = (message: string) => {
		err.write(`drydock record: ${message}\n`);
		return 1;
	};
	let unknown: string | undefined;
	try {
		unknown = await findUnknownSymbol(venue.rest, venue.symbols);
	} catch (error) {
		if (error instanceof VenueUnreachableError) return unreachable(error.message);
		throw error;
	}
	if (unknown !== undefined) throw new UsageError(`--symbols: ${venue.label} does not list "${unknown}"`);

	let recorder;
	try {
		recorder = await LiveRecorder.start({
			path: plan.output,
			wsBase: venue.ws,
			rest: venue.rest,
			symbols: venue.symbols,
			streams: plan.streams,
			snapshotEveryMs: plan.snapshotEveryMs,
			depthLimit: plan.depthLimit,
			tool: `drydock ${drydockVersion()}`,
		});
	} catch (error) {
		const e = error as NodeJS.ErrnoException;
		if (e.code === 'EACCES' || e.code === 'ENOENT' || e.code === 'EISDIR')
			throw new UsageError(`-o: cannot write ${plan.output} (${e.code})`);
		return unreachable(`cannot open ${venue.ws}/stream: ${e.message}`);
	}
	const description =
		`${venue.symbols.join(',')} × ${plan.streams.join(',')} from ${venue.label} → ${plan.output}` +
		`${plan.durationMs !== undefined ? ` for ${formatElapsed(plan.durationMs)}` : ''}`;
	const problem = plan.console ? consoleProblem() : undefined;
	if (problem !== undefined)
		err.write(`drydock record: --console needs a terminal (${problem}): progress lines instead\n`);
	const useConsole = plan.console && problem === undefined;
	const hint = !plan.console && err.isTTY ? '; --console for a live view of the streams' : '';
	err.write(`drydock record: ${description} (Ctrl-C to stop${hint})\n`);
	let stopFromScreen: (force: boolean) => void = () => {};
	let screen: {unmount(): void} | undefined;
	let progress: {stop(): void} | undefined;
	if (useConsole) {
		const {RecordWatch} = await import('../recording/record-view.js');
		const {monotonicNow} = await import('../recording/live-recorder.js');
		const watch = new RecordWatch(() => recorder.refresh(), {
			now: monotonicNow,
			...(plan.durationMs !== undefined ? {durationMs: plan.durationMs} : {}),
		});
		recorder.onFrameWritten(watch.onFrame);
		const {mountRecordScreen} = await import('../ui/record/mount-record-screen.js');
		screen = mountRecordScreen(watch, {
			description: [
				`→ ${plan.output}`,
				venue.symbols.join(','),
				`from ${venue.label}`,
				...(plan.durationMs !== undefined ? [`for ${formatElapsed(plan.durationMs)}`] : []),
			],
			onQuit: force => stopFromScreen(force),
		});
	} else {
		const lines = new RecordProgress(() => recorder.refresh(), err, {
			...(plan.durationMs !== undefined ? {durationMs: plan.durationMs} : {}),
			lineEveryMs: plan.progressEveryMs,
		});
		lines.start();
		progress = lines;
	}
	let onSignal: (signal: NodeJS.Signals) => void = () => {};
	const why = await new Promise<string>(resolve => {
		onSignal = signal => resolve(signal);
		stopFromScreen = force => {
			if (force) {
				screen?.unmount();
				recorder.stop();
				process.exit(0);
			}
			resolve('stopped from the console');
		};
		process.on('SIGINT', onSignal);
		process.on('SIGTERM', onSignal);
		if (plan.durationMs !== undefined) setTimeout(() => resolve('duration reached'), plan.durationMs).unref();
	});
	process.off('SIGINT', onSignal);
	process.off('SIGTERM', onSignal);
	progress?.stop();
	screen?.unmount();
	const stats = recorder.stop();
	const ratio = stats.bytesWritten > 0 ? (stats.rawBytes / stats.bytesWritten).toFixed(1) : '0';
	const silent = [...stats.perStream].filter(([, n]) => n === 0).map(([name]) => name);
	err.write(
		`drydock record: ${why}; ${plan.output} closed: ${stats.frames} frames, ${stats.snapshots} snapshots, ` +
			`${stats.gaps} gaps, ${formatBytes(stats.bytesWritten)} (${ratio}× compressed)\n`,
	);
	if (silent.length > 0) err.write(`drydock record: no frames on ${silent.join(', ')}\n`);
	if (stats.snapshotErrors > 0)
		err.write(`drydock record: ${stats.snapshotErrors} depth snapshot(s) failed, last: ${stats.lastSnapshotError}\n`);
	return 0;
}
