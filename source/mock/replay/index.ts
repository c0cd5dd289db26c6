/**
 * A mock market that follows a recording: `startReplay` drives the simulator from the file; the mock's
 * index wires it in place of the synthetic steps (see `MockExchangeOptions.replay`).
 */
import type {MarketSimulator} from '../market/simulator.js';
import type {MatchingEngine} from '../matching/index.js';
import {QueuePositions} from './queue-position.js';
import {ReplayApplier} from './replay-applier.js';
import {ReplayDriver, type ReplaySettings} from './replay-driver.js';
import type {RecordingScan} from './recording-scan.js';

export {scanRecording, ReplayFileError, type RecordingScan} from './recording-scan.js';
export {parseSpeed} from './replay-admin.js';
export type {ReplaySettings, ReplaySpeed, ReplayStatus} from './replay-driver.js';
export {RecordingFormatError} from '../../recording/format/recording-file.js';

export interface MockReplayOptions extends ReplaySettings {
	/** The recording, already scanned (the caller reports a bad file before starting anything). */
	scan: RecordingScan;
}

export interface Replay {
	driver: ReplayDriver;
	queue: QueuePositions;
	/** The quantity of a recorded trade that reaches accounts' orders resting at its price. */
	tradeQty(symbol: string, price: number, qty: number): number;
	stop(): void;
}

/** Puts the market in driven mode and starts replaying; the engine's order events feed the queue estimates. */
export function startReplay(
	market: MarketSimulator,
	engine: MatchingEngine,
	options: MockReplayOptions,
	held: () => boolean,
): Replay {
	market.drive(options.scan.streams);
	const queue = new QueuePositions((symbol, side, price) => market.recordedQty(symbol, side, price));
	engine.onEvent(queue.onEngineEvent);
	const applier = new ReplayApplier(market, options.scan, queue);
	const driver = new ReplayDriver(options.scan, applier, options, Date.now, held);
	driver.start();
	return {
		driver,
		queue,
		tradeQty: (symbol, price, qty) => queue.tradeQty(symbol, price, qty),
		stop: () => driver.stop(),
	};
}
