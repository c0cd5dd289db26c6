/** A coarse clock for "age of the last message" — display only, never used for a result. */
import {useEffect, useState} from 'react';

export function useNow(clock: () => number, intervalMs: number): number {
	const [now, setNow] = useState(clock);
	useEffect(() => {
		const timer = setInterval(() => setNow(clock()), intervalMs);
		timer.unref?.();
		return () => clearInterval(timer);
	}, [clock, intervalMs]);
	return now;
}
