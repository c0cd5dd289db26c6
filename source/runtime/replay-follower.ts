/**
 * Polls the embedded mock's GET /__drydock/replay once a second and puts it in the engine as a
 * `replay-sample` event, so the console header can show the replay's clock and position.
 */
import type {EngineEvent} from '../engine/events.js';
import type {ReplayView} from '../engine/replay-view.js';

export function followReplay(adminUrl: string, emit: (event: EngineEvent) => void, everyMs = 1000): () => void {
	let busy = false;
	let stopped = false;
	const poll = async () => {
		if (busy || stopped) return;
		busy = true;
		try {
			const response = await fetch(`${adminUrl}/replay`, {signal: AbortSignal.timeout(everyMs)});
			if (!response.ok) return;
			const s = (await response.json()) as Partial<ReplayView> & {file?: string};
			if (typeof s.clock !== 'number' || typeof s.progress !== 'number') return;
			if (stopped) return;
			emit({
				type: 'replay-sample',
				at: Date.now(),
				view: {
					file: String(s.file ?? ''),
					clock: s.clock,
					progress: s.progress,
					speed: s.speed === 'max' ? 'max' : Number(s.speed ?? 1),
					paused: s.paused === true,
					loops: Number(s.loops ?? 0),
					ended: s.ended === true,
				},
			});
		} catch {
			// The mock is closing or busy: the next poll tries again.
		} finally {
			busy = false;
		}
	};
	void poll();
	const timer = setInterval(() => void poll(), everyMs);
	timer.unref();
	return () => {
		// A poll already in flight must not report after the session stopped following.
		stopped = true;
		clearInterval(timer);
	};
}
