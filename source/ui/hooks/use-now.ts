/**
 * A coarse clock for "age of the last message" — display only, never used for a result. While the
 * engine publishes (≥ 1 Hz) the snapshot's own time is fresh enough and the tick stays silent, so it
 * adds no frames of its own; when publishing stops, it ticks once a second so ages keep growing.
 */
import {useEffect, useRef, useState} from 'react';

export function useNow(clock: () => number, intervalMs: number, latestAt: number): number {
	const [ticked, setTicked] = useState(clock);
	const latest = useRef(latestAt);
	latest.current = latestAt;
	useEffect(() => {
		const timer = setInterval(() => {
			const now = clock();
			if (now - latest.current >= intervalMs) setTicked(now);
		}, intervalMs);
		timer.unref?.();
		return () => clearInterval(timer);
	}, [clock, intervalMs]);
	return Math.max(ticked, latestAt);
}
