/**
 * The console screen: reads engine snapshots (useSyncExternalStore), lays panels out for the terminal
 * size, and turns keys into engine commands through the console controller. Each panel sits behind
 * its own error boundary; nothing here owns a timer that matters to a result (the 1 s clock is
 * display only).
 */
import path from 'node:path';
import {useCallback, useMemo, useRef, useSyncExternalStore} from 'react';
import {Box, useStdin, useStdout} from 'ink';
import type {EngineHandle} from '../../engine/commands.js';
import type {EngineSnapshot} from '../../engine/snapshot.js';
import {useKeyController} from '../hooks/use-key-controller.js';
import {useThrottledSnapshot} from '../hooks/use-throttled-snapshot.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {useNow} from '../hooks/use-now.js';
import {clampIndex} from '../list-window.js';
import {Panel, panelInner} from '../components/Panel.js';
import {PanelBoundary} from '../components/PanelBoundary.js';
import {ScreenFrame, TooSmall} from '../components/ScreenFrame.js';
import {
	focusFirstFailure,
	handleConsoleKey,
	initialConsoleState,
	type ConsoleDispatch,
	type ConsoleKeyContext,
	type FocusId,
	type ConsoleState,
} from './console-controller.js';
import {readyRuntime, type RuntimeStatusSource} from './runtime-status.js';
import {RuntimeError, runtimeErrorHeight} from './panels/RuntimeError.js';
import {consoleKeysLabel} from './console-keymap.js';
import {
	computeConsoleLayout,
	minColumns,
	minRows,
	type PanelId,
	type PanelSlot,
	type ConsoleLayout,
} from './console-layout.js';
import {visibleErrors} from './snapshot-selectors.js';
import {ConsoleHeader} from './ConsoleHeader.js';
import {ConsoleFooter} from './ConsoleFooter.js';
import {ConsoleHelp} from './ConsoleHelp.js';
import {PhaseTable} from './panels/PhaseTable.js';
import {CheckDetail} from './panels/CheckDetail.js';
import {CheckDescribe} from './panels/CheckDescribe.js';
import {sortedChecks} from './snapshot-selectors.js';
import {MetricsPanel} from './panels/MetricsPanel.js';
import {ErrorLog} from './panels/ErrorLog.js';
import {StreamInspector} from './panels/StreamInspector.js';
import {ResourcePanel} from './panels/ResourcePanel.js';
import {SutPanel, defaultSutLimits} from './panels/SutPanel.js';

export interface ConsoleAppProps {
	engine: EngineHandle;
	onQuit(force: boolean): void;
	ascii: boolean;
	/** Display clock for ages; tests pass a fixed one. */
	clock?: () => number;
	/**
	 * Least time between frames driven by engine snapshots (keys always redraw at once). 2 Hz is
	 * plenty to watch a run and halves the console's CPU against the engine's 4 Hz publish rate.
	 * 0 follows every snapshot.
	 */
	refreshMs?: number;
	/** The session's runtime (building, ready, failed) and its retry; absent: always ready. */
	runtime?: RuntimeStatusSource;
	/** The profile's `killSwitch.flatten`; unset, `k` asks whether to also close positions. */
	killSwitchFlatten?: boolean;
}

const noSubscription = () => () => {};
const alwaysReady = () => readyRuntime;

const tabLabels: Record<PanelId, string> = {
	phases: 'phases',
	checks: 'checks',
	metrics: 'metrics',
	errors: 'errors',
	streams: 'streams',
	resources: 'resources',
	sut: 'sut',
};

function isFocused(id: PanelId, focus: FocusId): boolean {
	return id === focus;
}

/** The finished run's report.json, relative to the working folder when it is inside it. */
function reportPath(snapshot: EngineSnapshot): string | null {
	const run = snapshot.run;
	if (!run?.reportDir || (run.state !== 'finished' && run.state !== 'interrupted')) return null;
	const file = path.join(run.reportDir, 'report.json');
	const relative = path.relative(process.cwd(), file);
	return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

const headerFooterResetKey = (seq: number) => Math.floor(seq / 20);

interface SlotProps {
	slot: PanelSlot;
	width: number;
	snapshot: EngineSnapshot;
	ui: ConsoleState;
	now: number;
	layout: ConsoleLayout;
}

function panelTitle(slot: PanelSlot, snapshot: EngineSnapshot, ui: ConsoleState): {title: string; badge?: string} {
	const selectedPhase = snapshot.phases[clampIndex(ui.selectedPhase, snapshot.phases.length)];
	if (slot.tabs) {
		const title = slot.tabs.map(t => (t === slot.id ? `[${tabLabels[t]}]` : tabLabels[t])).join(' ');
		return {title, badge: badgeFor(slot.id, ui, snapshot)};
	}
	if (slot.id === 'checks') return {title: `checks${selectedPhase ? ` · ${selectedPhase.id}` : ''}`};
	return {title: tabLabels[slot.id], badge: badgeFor(slot.id, ui, snapshot)};
}

function badgeFor(id: PanelId, ui: ConsoleState, snapshot: EngineSnapshot): string | undefined {
	if (id === 'streams' && ui.pausedStreams) return 'PAUSED';
	if (id === 'errors' && ui.filter !== '') return `/${ui.filter}`;
	if (id === 'errors' && snapshot.errors.length > 0) return `${snapshot.errors.length}`;
	if (id === 'phases') {
		const failed = snapshot.phases.filter(p => p.status === 'fail').length;
		return failed > 0 ? `${failed} failed` : undefined;
	}
	return undefined;
}

/** A tab bar too long for its border loses tabs from the front (the shown one stays): six tabs at 80 columns. */
function fitTabs(title: string, room: number): string {
	let fitted = title;
	while (fitted.length > room && !fitted.startsWith('[') && fitted.includes(' '))
		fitted = fitted.slice(fitted.indexOf(' ') + 1);
	return fitted === title ? title : `… ${fitted}`;
}

function SlotView({slot, width, snapshot, ui, now}: SlotProps) {
	const inner = panelInner(width, slot.height);
	const focused = isFocused(slot.id, ui.focus);
	const titled = panelTitle(slot, snapshot, ui);
	const {badge} = titled;
	const title = slot.tabs ? fitTabs(titled.title, width - 6 - (badge ? badge.length + 2 : 0)) : titled.title;
	const resetKey = Math.floor(snapshot.seq / 20);
	return (
		<Panel title={title} badge={badge} width={width} height={slot.height} focused={focused}>
			<PanelBoundary name={tabLabels[slot.id]} width={inner.width} height={inner.height} resetKey={resetKey}>
				<PanelContent
					id={slot.id}
					width={inner.width}
					height={inner.height}
					snapshot={snapshot}
					ui={ui}
					now={now}
					focused={focused}
				/>
			</PanelBoundary>
		</Panel>
	);
}

interface ContentProps {
	id: PanelId;
	width: number;
	height: number;
	snapshot: EngineSnapshot;
	ui: ConsoleState;
	now: number;
	focused: boolean;
}

function PanelContent({id, width, height, snapshot, ui, now, focused}: ContentProps) {
	const errors = useMemo(() => visibleErrors(snapshot.errors, ui.filter), [snapshot.errors, ui.filter]);
	switch (id) {
		case 'phases':
			return (
				<PhaseTable
					phases={snapshot.phases}
					selected={ui.selectedPhase}
					focused={focused}
					width={width}
					height={height}
					at={snapshot.at}
				/>
			);
		case 'checks':
			return (
				<CheckDetail
					phase={snapshot.phases[clampIndex(ui.selectedPhase, snapshot.phases.length)]}
					width={width}
					height={height}
					at={snapshot.at}
					selected={ui.selectedCheck}
					focused={focused}
					report={reportPath(snapshot)}
				/>
			);
		case 'metrics':
			return (
				<MetricsPanel
					metrics={snapshot.metrics}
					soak={snapshot.soak}
					faults={snapshot.faults}
					now={snapshot.at}
					width={width}
					height={height}
				/>
			);
		case 'errors':
			return (
				<ErrorLog
					errors={errors}
					totalGroups={snapshot.errors.length}
					filter={ui.filter}
					filterEditing={ui.filterEditing}
					selected={ui.selectedError}
					focused={focused}
					width={width}
					height={height}
					now={now}
				/>
			);
		case 'streams':
			return (
				<StreamInspector
					streams={ui.pausedStreams?.streams ?? snapshot.streams}
					paused={ui.pausedStreams !== null}
					selected={ui.selectedStream}
					focused={focused}
					width={width}
					height={height}
					now={ui.pausedStreams?.at ?? now}
				/>
			);
		case 'resources':
			return (
				<ResourcePanel
					self={snapshot.resources.self}
					watched={snapshot.resources.watched}
					limits={snapshot.resources.limits}
					width={width}
					height={height}
				/>
			);
		case 'sut':
			return (
				<SutPanel
					sut={snapshot.sut}
					limits={snapshot.sut?.limits ?? defaultSutLimits}
					self={snapshot.resources.self}
					width={width}
					height={height}
					now={snapshot.at}
				/>
			);
	}
}

export function ConsoleApp({
	engine,
	onQuit,
	ascii,
	clock = Date.now,
	refreshMs = 500,
	runtime,
	killSwitchFlatten,
}: ConsoleAppProps) {
	const {stdout} = useStdout();
	const {isRawModeSupported} = useStdin();
	const size = useTerminalSize(stdout);
	const snapshot = useThrottledSnapshot(engine, refreshMs);
	const now = useNow(clock, 1000, snapshot.at);
	const pageRef = useRef(5);
	const runtimeStatus = useSyncExternalStore(runtime?.subscribe ?? noSubscription, runtime?.get ?? alwaysReady);
	const runtimeFailedRef = useRef(false);
	runtimeFailedRef.current = runtimeStatus.state === 'failed';
	const ui = useKeyController<ConsoleState, ConsoleDispatch, EngineSnapshot>({
		initial: initialConsoleState,
		handle: useCallback(
			(state: ConsoleState, input: string, key: Parameters<typeof handleConsoleKey>[2], context: ConsoleKeyContext) =>
				handleConsoleKey(state, input, key, {
					...context,
					runtimeFailed: runtimeFailedRef.current,
					...(killSwitchFlatten !== undefined ? {killSwitchFlatten} : {}),
				}),
			[killSwitchFlatten],
		),
		getSnapshot: useCallback(() => engine.getSnapshot(), [engine]),
		dispatch: useCallback(
			(command: ConsoleDispatch) => {
				if (command.type === 'retry-setup') runtime?.retry();
				else engine.dispatch(command);
			},
			[engine, runtime],
		),
		onQuit,
		pageSize: () => pageRef.current,
		active: isRawModeSupported === true,
		// A run that just ended: the cursor goes to its first failed phase.
		sync: {
			key:
				snapshot.run && (snapshot.run.state === 'finished' || snapshot.run.state === 'interrupted')
					? snapshot.run.id
					: null,
			update: useCallback((state: ConsoleState) => focusFirstFailure(state, engine.getSnapshot()), [engine]),
		},
	});
	const frameLayout = computeConsoleLayout(size.columns, size.rows, ui.focus, ascii, Boolean(snapshot.sut));
	// A failed setup takes rows above the panels for its whole reason; the panels get the rest.
	const failure =
		runtimeStatus.state === 'failed' && frameLayout.mode !== 'too-small'
			? (runtimeStatus.error ?? 'setup failed')
			: null;
	const failureHeight =
		failure === null ? 0 : Math.min(frameLayout.bodyHeight, runtimeErrorHeight(failure, frameLayout.width));
	const panelsLayout =
		failure === null
			? frameLayout
			: computeConsoleLayout(size.columns, size.rows - failureHeight, ui.focus, ascii, Boolean(snapshot.sut));
	const layout = panelsLayout.mode === 'too-small' && failure !== null ? {...frameLayout, columns: []} : panelsLayout;
	pageRef.current = Math.max(1, layout.bodyHeight - 4);

	const describedPhase = snapshot.phases[clampIndex(ui.selectedPhase, snapshot.phases.length)];
	const describedChecks = sortedChecks(describedPhase);
	const describedCheck = describedChecks[clampIndex(ui.selectedCheck, describedChecks.length)];
	let body;
	if (layout.mode === 'too-small') {
		body = (
			<TooSmall
				width={layout.width}
				height={layout.bodyHeight}
				size={size}
				who="drydock"
				minColumns={minColumns}
				minRows={minRows}
			/>
		);
	} else if (ui.overlay === 'help') {
		body = <ConsoleHelp width={layout.width} height={layout.bodyHeight} />;
	} else if (ui.overlay === 'describe-check' && describedPhase && describedCheck) {
		body = (
			<CheckDescribe
				phase={describedPhase}
				check={describedCheck}
				width={frameLayout.width}
				height={frameLayout.bodyHeight}
			/>
		);
	} else {
		const panels =
			layout.columns.length === 0 ? null : (
				<Box flexDirection="row" width={layout.width} height={layout.bodyHeight}>
					{layout.columns.map((column, c) => (
						<Box key={c} flexDirection="column" width={column.width} height={layout.bodyHeight} flexShrink={0}>
							{column.panels.map(slot => (
								<SlotView
									key={slot.id + String(c)}
									slot={slot}
									width={column.width}
									snapshot={snapshot}
									ui={ui}
									now={now}
									layout={layout}
								/>
							))}
						</Box>
					))}
				</Box>
			);
		body =
			failure === null ? (
				panels
			) : (
				<Box flexDirection="column" width={frameLayout.width} height={frameLayout.bodyHeight}>
					<RuntimeError
						reason={failure}
						width={frameLayout.width}
						height={layout.columns.length === 0 ? frameLayout.bodyHeight : failureHeight}
						retryKey={consoleKeysLabel('retry-setup', ascii)}
					/>
					{panels}
				</Box>
			);
	}

	return (
		<ScreenFrame
			ascii={ascii}
			size={size}
			width={frameLayout.width}
			height={frameLayout.height}
			resetKey={headerFooterResetKey(snapshot.seq)}
			header={
				<ConsoleHeader
					width={layout.width}
					profile={snapshot.profile}
					run={snapshot.run}
					grade={snapshot.grade}
					breaker={snapshot.breaker}
					killSwitch={snapshot.killSwitch}
					metrics={snapshot.metrics}
					errorCount={snapshot.errors.reduce((sum, e) => sum + e.count, 0)}
					sut={snapshot.sut ?? null}
					market={snapshot.market ?? null}
					replay={snapshot.replay ?? null}
					at={snapshot.at}
					runtime={runtimeStatus}
				/>
			}
			footer={
				<ConsoleFooter
					width={layout.width}
					ui={ui}
					notices={snapshot.notices}
					runtimeFailed={runtimeStatus.state === 'failed'}
				/>
			}
		>
			{body}
		</ScreenFrame>
	);
}
