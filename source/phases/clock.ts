/**
 * The venue's clock as measured by the connectivity phase: offset = server − local, estimated at the
 * midpoint of the request (RTT/2 correction). The streams phase uses it to turn event times into
 * latencies on our clock.
 */
import type {ExchangeClient} from '../exchange/exchange-client.js';

export interface ClockSample {
	offsetMs: number;
	rttMs: number;
	at: number;
}

export class ClockOffset {
	private best: ClockSample | null = null;

	get sample(): ClockSample | null {
		return this.best;
	}

	/** Replaces the estimate: a fresh measurement always wins over an older one (clocks drift, faults end). */
	set(sample: ClockSample): void {
		this.best = sample;
	}

	/** Server − local in ms; 0 when never measured. */
	get offsetMs(): number {
		return this.best?.offsetMs ?? 0;
	}
}

/** Of several samples, the one with the smallest RTT bounds the offset most tightly. */
export function tightest(samples: readonly ClockSample[]): ClockSample | null {
	let best: ClockSample | null = null;
	for (const sample of samples) if (best === null || sample.rttMs < best.rttMs) best = sample;
	return best;
}

/** One fetchTime round trip → offset estimate. */
export async function measureClock(
	exchange: ExchangeClient,
	fetchTime: () => Promise<number> = () => exchange.fetchTime(),
): Promise<ClockSample> {
	const sent = Date.now();
	const t0 = performance.now();
	const serverTime = await fetchTime();
	const rttMs = performance.now() - t0;
	const localMid = sent + rttMs / 2;
	return {offsetMs: serverTime - localMid, rttMs, at: Date.now()};
}
