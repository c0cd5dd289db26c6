/**
 * What the soak phase needs of the SUT's run-time controller (implemented by runtime/sut-session.ts,
 * used by phases/sut-soak.ts): declared here, a leaf, so neither side imports the other.
 */
import type {SutCheck} from './judge.js';

/** One operation of the SUT's; `latencyMs` null when it reported a count without a time. */
export interface SutOperation {
	at: number;
	ok: boolean;
	latencyMs: number | null;
	/** Where it came from: the SUT's own StatsD, or the venue's view of its order placements. */
	source: 'statsd' | 'venue';
	/** A failed placement's Binance code, for the error log. */
	code?: number | null;
}

/** What the soak needs from the runtime's SUT session. */
export interface SutSoakHost {
	readonly command: string;
	/**
	 * Starts the SUT for this soak (account on the venue, StatsD intake, supervisor, monitors) and resolves
	 * once it is ready; on a start failure resolves `{ok: false, message}` (the SUT is gone by then).
	 */
	begin(onOperation: (operation: SutOperation) => void): Promise<{ok: true} | {ok: false; message: string}>;
	/** Stops the SUT (stop signal, wait, kill), checks what it left on the venue, judges it and records its report section. */
	finish(soakStartedAt: number): Promise<SutCheck[]>;
}
