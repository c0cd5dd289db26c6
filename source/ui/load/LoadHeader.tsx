/** Two lines: what runs where (scenario, host, load model, status) and how it goes (time, users, RPS, failures). */
import {memo} from 'react';
import type {LoadSnapshot} from '../../load/snapshot.js';
import type {SegmentInput} from '../components/Line.js';
import {HeaderBar} from '../components/HeaderBar.js';
import {formatElapsed, formatPercent, formatRate} from '../format.js';
import {shortCount} from './short-figures.js';

interface LoadHeaderProps {
	width: number;
	snapshot: LoadSnapshot;
	/** The session's one-line description of the load model (`5 users at 5/s`). */
	description: string | undefined;
}

const statusColor: Record<LoadSnapshot['status'], string> = {
	starting: 'cyan',
	running: 'cyan',
	stopping: 'yellow',
	finished: 'green',
};

function baseName(file: string): string {
	return file.split(/[\\/]/).at(-1) ?? file;
}

function LoadHeaderView({width, snapshot, description}: LoadHeaderProps) {
	const s = snapshot;
	const t = s.total;
	const time =
		s.runTimeMs !== undefined
			? `${formatElapsed(s.elapsedMs)} / ${formatElapsed(s.runTimeMs)}`
			: formatElapsed(s.elapsedMs);
	const users =
		s.mode === 'arrival-rate'
			? `users ${s.users.busy}/${s.users.current} busy, cap ${s.users.target}`
			: `users ${s.users.current}/${s.users.target}`;
	const failColor = t.failures === 0 ? 'green' : t.failRatio >= 0.01 ? 'red' : 'yellow';
	const line1: SegmentInput[] = [
		{text: 'drydock load', bold: true},
		{text: s.status, color: statusColor[s.status], bold: true},
		{text: baseName(s.scenario), bold: true},
		{text: `→ ${s.host}`},
		{text: description ?? s.mode, dim: true},
	];
	const line2: SegmentInput[] = [
		{text: time},
		{text: users, color: s.users.current !== s.users.target ? 'yellow' : 'cyan', bold: true},
		{text: `RPS ${formatRate(t.currentRps)}`, color: 'cyan', bold: true},
		{text: `fail ${formatPercent(t.failRatio)}`, color: failColor, bold: t.failures > 0},
		{text: `reqs ${shortCount(t.requests)}`},
		s.arrival
			? {
					text: `rate ${formatRate(s.arrival.ratePerSecond)} backlog ${s.arrival.backlog}${s.arrival.dropped > 0 ? ` dropped ${s.arrival.dropped}` : ''}`,
					color: s.arrival.backlog > 0 ? 'yellow' : undefined,
				}
			: null,
		s.taskErrors > 0 ? {text: `task errors ${s.taskErrors}`, color: 'red'} : null,
	];
	return <HeaderBar width={width} lines={[line1, line2]} />;
}

export const LoadHeader = memo(LoadHeaderView);
