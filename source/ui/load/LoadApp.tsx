/**
 * The Load screen: reads the load runner's snapshots (useSyncExternalStore over its 4 Hz store),
 * lays the panels out for the terminal size, and turns keys into runner commands through the pure
 * controller. Each panel sits behind its own error boundary: a drawing bug never stops the load.
 */
import {useCallback, useRef} from 'react';
import {Box, useStdin, useStdout} from 'ink';
import type {LoadCommand, LoadSnapshot, LoadStore} from '../../load/snapshot.js';
import {useKeyController} from '../hooks/use-key-controller.js';
import {useThrottledSnapshot} from '../hooks/use-throttled-snapshot.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {Panel, panelInner} from '../components/Panel.js';
import {PanelBoundary} from '../components/PanelBoundary.js';
import {ScreenFrame, TooSmall} from '../components/ScreenFrame.js';
import {clampIndex} from '../list-window.js';
import {handleLoadScreenKey, initialLoadScreenState, type LoadScreenState} from './load-screen-controller.js';
import {computeLoadScreenLayout, loadScreenMinColumns, loadScreenMinRows} from './load-screen-layout.js';
import {LoadHeader} from './LoadHeader.js';
import {LoadFooter} from './LoadFooter.js';
import {LoadHelp} from './LoadHelp.js';
import {RequestTable, requestColumns, requestRowsRoom} from './RequestTable.js';
import {Charts} from './Charts.js';
import {Failures} from './Failures.js';

export interface LoadAppProps {
	store: LoadStore;
	onQuit(force: boolean): void;
	ascii: boolean;
	/** The session's description of the load model, for the header. */
	description?: string;
	/** Least time between snapshot-driven frames (keys redraw at once); 0 follows every snapshot. */
	refreshMs?: number;
}

const hiddenLabels: Record<string, string> = {min: 'Min', max: 'Max', avg: 'Avg', type: 'Type', p95: 'p95'};

export function LoadApp({store, onQuit, ascii, description, refreshMs = 500}: LoadAppProps) {
	const {stdout} = useStdout();
	const {isRawModeSupported} = useStdin();
	const size = useTerminalSize(stdout);
	const snapshot = useThrottledSnapshot(store, refreshMs);
	const pageRef = useRef(5);
	const ui = useKeyController<LoadScreenState, LoadCommand, LoadSnapshot>({
		initial: initialLoadScreenState,
		handle: handleLoadScreenKey,
		getSnapshot: useCallback(() => store.getSnapshot(), [store]),
		dispatch: useCallback((command: LoadCommand) => store.dispatch(command), [store]),
		onQuit,
		pageSize: () => pageRef.current,
		active: isRawModeSupported === true,
	});
	const layout = computeLoadScreenLayout(size.columns, size.rows, snapshot.entries.length);
	pageRef.current = Math.max(1, requestRowsRoom(panelInner(layout.width, layout.requestsHeight).height) - 1);

	// Panels that choked on one odd snapshot retry every few publications.
	const resetKey = Math.floor(snapshot.version / 20);

	let body;
	if (layout.mode === 'too-small') {
		body = (
			<TooSmall
				width={layout.width}
				height={layout.bodyHeight}
				size={size}
				who="the Load screen"
				minColumns={loadScreenMinColumns}
				minRows={loadScreenMinRows}
			/>
		);
	} else if (ui.overlay === 'help') {
		body = <LoadHelp width={layout.width} height={layout.bodyHeight} />;
	} else {
		const requests = panelInner(layout.width, layout.requestsHeight);
		const charts = panelInner(layout.chartsWidth, layout.bottomHeight);
		const failures = panelInner(layout.failuresWidth, layout.bottomHeight);
		const {hidden} = requestColumns(requests.width);
		const failureCount = snapshot.failures.reduce((sum, f) => sum + f.occurrences, 0);
		const seconds = Math.min(snapshot.series.length, Math.max(0, charts.width - 12));
		body = (
			<Box flexDirection="column" width={layout.width} height={layout.bodyHeight}>
				<Panel
					title={`requests · ${snapshot.entries.length} name${snapshot.entries.length === 1 ? '' : 's'}`}
					badge={hidden.length > 0 ? `${hidden.map(id => hiddenLabels[id]).join(' ')} hidden (narrow)` : undefined}
					width={layout.width}
					height={layout.requestsHeight}
					focused
				>
					<PanelBoundary name="requests" width={requests.width} height={requests.height} resetKey={resetKey}>
						<RequestTable
							entries={snapshot.entries}
							total={snapshot.total}
							selected={clampIndex(ui.selected, snapshot.entries.length)}
							width={requests.width}
							height={requests.height}
						/>
					</PanelBoundary>
				</Panel>
				<Box flexDirection="row" width={layout.width} height={layout.bottomHeight}>
					<Panel
						title={`per second${seconds > 0 ? ` · last ${seconds}s` : ''}`}
						width={layout.chartsWidth}
						height={layout.bottomHeight}
						focused={false}
					>
						<PanelBoundary name="charts" width={charts.width} height={charts.height} resetKey={resetKey}>
							<Charts series={snapshot.series} width={charts.width} height={charts.height} />
						</PanelBoundary>
					</Panel>
					<Panel
						title="failures"
						badge={failureCount > 0 ? String(failureCount) : undefined}
						width={layout.failuresWidth}
						height={layout.bottomHeight}
						focused={false}
					>
						<PanelBoundary name="failures" width={failures.width} height={failures.height} resetKey={resetKey}>
							<Failures failures={snapshot.failures} width={failures.width} height={failures.height} />
						</PanelBoundary>
					</Panel>
				</Box>
			</Box>
		);
	}

	return (
		<ScreenFrame
			ascii={ascii}
			size={size}
			width={layout.width}
			height={layout.height}
			resetKey={resetKey}
			header={<LoadHeader width={layout.width} snapshot={snapshot} description={description} />}
			footer={<LoadFooter width={layout.width} ui={ui} status={snapshot.status} />}
		>
			{body}
		</ScreenFrame>
	);
}
