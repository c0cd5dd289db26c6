/**
 * The headless reporter's lines about the system under test: its start, readiness, exits and restarts
 * (from the state changes in its ≤ 1 Hz samples) and each sut-* check as it is recorded. ASCII only.
 */
import type {EngineEvent} from '../engine/events.js';
import type {SutView} from '../engine/sut-view.js';

function oneLine(text: string, max = 300): string {
	const flat = text.replace(/[\r\n\t]+/g, ' ');
	return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/** Follows the SUT's samples and checks; `lines(event)` gives what to print for one event (often nothing). */
export function createSutHeadlessLines(): {lines(event: EngineEvent): string[]} {
	let last: SutView | null = null;
	const sample = (view: SutView): string[] => {
		const out: string[] = [];
		const prev = last;
		last = view;
		const pid = view.pid !== null ? ` pid ${view.pid}` : '';
		if (prev === null) {
			out.push(`SUT     ${view.state}${pid}: ${oneLine(view.command, 200)}`);
			return out;
		}
		if (view.restarts > prev.restarts)
			out.push(
				`SUT     RESTART #${view.restarts}${pid}${view.unexpectedExits > prev.unexpectedExits ? ` after an unexpected exit (${view.unexpectedExits} so far)` : ''}`,
			);
		else if (view.unexpectedExits > prev.unexpectedExits)
			out.push(`SUT     EXITED unexpectedly (${view.unexpectedExits} so far)`);
		if (view.state !== prev.state) {
			const ready =
				view.state === 'running' && (prev.state === 'starting' || prev.state === 'restarting') ? ' (ready)' : '';
			const ended = view.state === 'exited' || view.state === 'failed' || view.state === 'stopped';
			// Its last words say why it went down.
			const lastLine = ended || view.state === 'restarting' ? view.lastLines.at(-1) : undefined;
			const repeated =
				lastLine !== undefined && prev.lastLines.at(-1)?.line === lastLine.line && prev.state !== 'running';
			out.push(
				`SUT     ${ended ? view.state.toUpperCase() : view.state}${ready}${pid}${lastLine && !repeated ? ` — last line: ${oneLine(lastLine.line, 200)}` : ''}`,
			);
		}
		return out;
	};
	return {
		lines(event) {
			if (event.type === 'sut-sample') return sample(event.view);
			if (event.type === 'check' && event.check.id.startsWith('sut-')) {
				const c = event.check;
				const measured = c.measured === null ? '' : ` measured ${String(c.measured)}${c.unit ? ` ${c.unit}` : ''}`;
				const threshold = c.threshold ? ` (threshold ${c.threshold})` : '';
				return [
					`SUT     ${c.verdict.toUpperCase()} ${c.id}:${measured}${threshold}${c.reason ? ` — ${oneLine(c.reason)}` : ''}`,
				];
			}
			if (event.type === 'run-started') last = null;
			return [];
		},
	};
}
