/**
 * The session's runtime failed (the venue unreachable, a bad key): the whole reason, wrapped, and the
 * key that retries. Shown above the panels until a retry succeeds, so the reason is never one cut-off
 * notice line and never repeated per phase.
 */
import {Box} from 'ink';
import {Panel, panelInner} from '../../components/Panel.js';
import {Line} from '../../components/Line.js';
import {sanitize, wrapCells} from '../../text.js';

/** Rows the panel takes for a reason at a width: the wrapped reason (at most 6 lines), the key line and the frame. */
export function runtimeErrorHeight(reason: string, width: number): number {
	return Math.min(6, wrapCells(sanitize(reason), Math.max(1, width - 2), 6).length) + 3;
}

export function RuntimeError({
	reason,
	width,
	height,
	retryKey,
}: {
	reason: string;
	width: number;
	height: number;
	retryKey: string;
}) {
	const inner = panelInner(width, height);
	const lines = wrapCells(sanitize(reason), Math.max(1, inner.width), Math.max(1, inner.height - 1));
	return (
		<Panel title="setup failed" badge="error" width={width} height={height} focused>
			<Box flexDirection="column" width={inner.width}>
				{lines.map((line, i) => (
					<Line key={i} width={inner.width} segments={[{text: line, color: 'red'}]} />
				))}
				<Line
					width={inner.width}
					segments={[
						{text: `${retryKey} retry`, bold: true},
						{text: '  (builds the venue and client again)  q quit', dim: true},
					]}
				/>
			</Box>
		</Panel>
	);
}
