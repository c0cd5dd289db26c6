/**
 * The venue's clock as measured by the connectivity phase: offset = server − local, estimated at the
 * midpoint of the request (RTT/2 correction). The streams phase uses it to turn event times into
 * latencies on our clock.
 */
import type {ExchangeClient} from '../exchange/types.js';

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

	/** Keeps the sample with the smallest RTT (the tightest bound on the offset). */
	record(sample: ClockSample): void {
		if (this.best === null || sample.rttMs <= this.best.rttMs || sample.at - this.best.at > 60_000) this.best = sample;
	}

	/** Server − local in ms; 0 when never measured. */
	get offsetMs(): number {
		return this.best?.offsetMs ?? 0;
	}
}

/** One fetchTime round trip → offset estimate. */
export async function measureClock(exchange: ExchangeClient, fetchTime: () => Promise<number> = () => exchange.fetchTime()): Promise<ClockSample> {
	const sent = Date.now();
	const t0 = performance.now();
	const serverTime = await fetchTime();
	const rttMs = performance.now() - t0;
	const localMid = sent + rttMs / 2;
	return {offsetMs: serverTime - localMid, rttMs, at: Date.now()};
}
