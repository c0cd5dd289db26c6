/** Two lines: where the run stands (plan, state, time) and the safety state (grade, breaker, kill switch). */
import {memo} from 'react';
import type {Grade} from '../../engine/grade.js';
import type {BreakerView, KillSwitchView, MetricsView, ProfileView, RunStatusView} from '../../engine/snapshot.js';
import {useUiEnvironment} from '../environment.js';
import {breakerColor, type Glyphs} from '../glyphs.js';
import {formatCount, formatElapsed, formatPercent} from '../format.js';
import type {SegmentInput} from '../components/Line.js';
import {HeaderBar} from '../components/HeaderBar.js';
import type {SutView} from '../../engine/sut-view.js';
import {sutStateColor, sutStateGlyph} from './panels/SutPanel.js';
import type {RuntimeStatus} from './runtime-status.js';
import type {MarketView} from '../../engine/market-view.js';
import {marketSegments} from './market-segments.js';
import type {ReplayView} from '../../engine/replay-view.js';
import {replaySegment} from './replay-segment.js';

interface ConsoleHeaderProps {
	width: number;
	profile: ProfileView;
	run: RunStatusView | null;
	grade: Grade | null;
	breaker: BreakerView;
	killSwitch: KillSwitchView;
	metrics: MetricsView;
	errorCount: number;
	/** The system under test, when one is configured. */
	sut?: SutView | null;
	/** The mock's simulated market (regime, halt, shock), when seen. */
	market?: MarketView | null;
	/** The replayed market (`--replay FILE`), when there is one. */
	replay?: ReplayView | null;
	/** Snapshot time, for the breaker's retry countdown. */
	at: number;
	/** The session's runtime, when it failed: the header reads `error` instead of `idle`. */
	runtime?: RuntimeStatus;
}

const runStateColor: Record<string, string> = {
	idle: 'gray',
	starting: 'cyan',
	running: 'cyan',
	stopping: 'yellow',
	finished: 'green',
	interrupted: 'yellow',
};

function runSegments(run: RunStatusView | null, g: Glyphs, runtime: RuntimeStatus | undefined): SegmentInput[] {
	const running = run !== null && run.state !== 'finished' && run.state !== 'interrupted';
	if (runtime?.state === 'failed' && !running)
		return [
			{text: 'error', color: 'red', bold: true, inverse: true},
			{text: 'setup failed · R retry', color: 'red'},
		];
	if (run === null && runtime?.state === 'building')
		return [
			{text: 'idle', color: 'gray', bold: true},
			{text: 'connecting to the venue…', dim: true},
		];
	if (run === null)
		return [
			{text: 'idle', color: 'gray', bold: true},
			{text: 'Q quick run · F full run · ? help', dim: true},
		];
	const failed = run.state === 'finished' && run.exitCode !== null && run.exitCode !== 0;
	const stateText =
		run.state === 'finished' ? (failed ? `finished ${g.status.fail}` : `finished ${g.status.pass}`) : run.state;
	return [
		{text: `${stateText}`, color: failed ? 'red' : runStateColor[run.state], bold: true},
		{text: `plan ${run.plan.name}`},
		{text: `elapsed ${formatElapsed(run.elapsedMs)}`},
		run.remainingMs !== null && run.state !== 'finished' && run.state !== 'interrupted'
			? {text: `left ${formatElapsed(run.remainingMs)}`}
			: null,
		run.currentPhase ? {text: `${g.pointer} ${run.currentPhase}`, color: 'cyan'} : null,
	];
}

function ConsoleHeaderView({
	width,
	profile,
	run,
	grade,
	breaker,
	killSwitch,
	metrics,
	errorCount,
	sut,
	market,
	replay,
	at,
	runtime,
}: ConsoleHeaderProps) {
	const {g} = useUiEnvironment();
	const envColor = profile.environment === 'mainnet' ? 'red' : profile.environment === 'testnet' ? 'yellow' : 'green';
	const line1: SegmentInput[] = [
		{text: 'drydock', bold: true},
		...runSegments(run, g, runtime),
		{text: `${profile.name}`, color: envColor, bold: true},
		{text: `${profile.environment}/${profile.execution}`, color: envColor},
		{text: profile.symbols.slice(0, 3).join(','), dim: true},
	];
	const gradeColor = grade === null ? 'gray' : grade === 'C' ? 'red' : grade === 'B' ? 'yellow' : 'green';
	const retry =
		breaker.state === 'open' && breaker.retryAt !== null
			? ` retry ${formatElapsed(Math.max(0, breaker.retryAt - at))}`
			: '';
	const line2: SegmentInput[] = [
		{text: `grade ${grade ?? '—'}`, color: gradeColor, bold: true},
		{
			text: `breaker ${g.breaker[breaker.state]} ${breaker.state}${retry}`,
			color: breakerColor[breaker.state],
			bold: breaker.state !== 'closed',
			inverse: breaker.state === 'open',
		},
		killSwitch.engaged
			? {
					text: `KILL SWITCH ON${killSwitch.ordersCancelled > 0 ? ` (${killSwitch.ordersCancelled} cancelled)` : ''}`,
					color: 'red',
					bold: true,
					inverse: true,
				}
			: {text: 'kill switch off', color: 'green'},
		{text: `ops ${formatCount(metrics.operations)}`},
		{
			text: `ok ${formatPercent(metrics.successRate)}`,
			color: metrics.successRate !== null && metrics.successRate < 0.99 ? 'yellow' : undefined,
		},
		{text: `errors ${formatCount(errorCount)}`, color: errorCount > 0 ? 'red' : 'gray'},
	];
	// The SUT's state right after the grade: it outranks drydock's own figures when the line is short.
	if (sut)
		line2.splice(1, 0, {
			text: `sut ${sutStateGlyph(sut.state, g.ascii)} ${sut.state}${sut.pid !== null ? ` pid ${sut.pid}` : ''}`,
			color: sutStateColor[sut.state],
			bold: sut.state !== 'running',
		});
	// After the grade (and SUT): the replay clock, then a halt or shock, outrank drydock's own figures on a
	// short line. A replayed market follows its recording, so the simulator's regime would be a false label.
	line2.splice(
		sut ? 2 : 1,
		0,
		...(replay ? [replaySegment(replay)] : []),
		...marketSegments(market, {regime: !replay}),
	);
	return <HeaderBar width={width} lines={[line1, line2]} />;
}

export const ConsoleHeader = memo(ConsoleHeaderView);
