/** The deliberate faults, so a drydock soak has something to catch. Selected by --fault or BOT_FAULT. */
export const FAULTS = ['leak', 'orphans', 'ignore-retry-after', 'no-resubscribe', 'crash'];

/** Keeps `mbPerMin` MB a minute reachable forever, filled so it counts in RSS. */
export function startLeak(mbPerMin) {
	const kept = [];
	const bytesPerTick = Math.floor((mbPerMin * 1024 * 1024) / 60 / 4);
	setInterval(() => kept.push(Buffer.alloc(bytesPerTick, 1)), 250);
	return kept;
}
