/** The headless progress line, printed every few seconds like Locust --headless does. */
import {formatDuration} from '../util/duration.js';
import type {LoadSnapshot} from './snapshot.js';

const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(0));

export function progressLine(snapshot: LoadSnapshot): string {
	const t = snapshot.total;
	const time =
		snapshot.runTimeMs !== undefined
			? `${formatDuration(snapshot.elapsedMs)}/${formatDuration(snapshot.runTimeMs)}`
			: formatDuration(snapshot.elapsedMs);
	const users =
		snapshot.mode === 'arrival-rate'
			? `users ${snapshot.users.busy}/${snapshot.users.current} busy (cap ${snapshot.users.target})`
			: `users ${snapshot.users.current}${snapshot.users.target !== snapshot.users.current ? `→${snapshot.users.target}` : ''}`;
	const p = t.correctedPercentiles ?? t.percentiles;
	const parts = [
		`[${time}]`,
		users,
		`reqs ${t.requests}`,
		`fails ${t.failures} (${(t.failRatio * 100).toFixed(2)}%)`,
		`rps ${t.currentRps.toFixed(1)}`,
		`p50 ${ms(p['50%'] ?? 0)}ms p95 ${ms(p['95%'] ?? 0)}ms p99 ${ms(p['99%'] ?? 0)}ms${t.correctedPercentiles ? ' (corrected)' : ''}`,
	];
	if (snapshot.arrival)
		parts.push(
			`backlog ${snapshot.arrival.backlog}${snapshot.arrival.dropped ? ` dropped ${snapshot.arrival.dropped}` : ''}`,
		);
	return parts.join('  ');
}
