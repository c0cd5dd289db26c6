/**
 * Optional attachments to a run's engine: Prometheus /metrics (--metrics-port) and webhook
 * notifications (--notify). Both are loaded only when asked for.
 */
import type {Engine} from '../engine/engine.js';
import {processMasker} from '../profiles/mask.js';
import {UsageError} from '../util/usage-error.js';
import type {SutView} from '../engine/sut-view.js';
import type {SutSample} from '../metrics/sut-metrics.js';

export interface ExtrasOptions {
	metricsPort?: number;
	metricsHost?: string;
	notify?: string;
	notifyFormat?: string;
	/** Lines for the user (e.g. the metrics URL). */
	log?: (line: string) => void;
}

export interface Extras {
	close(): Promise<void>;
}

export async function attachExtras<S, P>(engine: Engine<S, P>, options: ExtrasOptions): Promise<Extras> {
	const closers: (() => Promise<unknown>)[] = [];
	try {
		if (options.notify !== undefined) {
			const {createNotifier} = await import('../notify/index.js');
			const notifier = createNotifier({
				url: options.notify,
				format: (options.notifyFormat ?? 'generic') as Parameters<typeof createNotifier>[0]['format'],
				engine,
				mask: text => processMasker.mask(text),
				onProblem: text => engine.notice('warn', text),
			});
			closers.push(() => notifier.close());
		}
		if (options.metricsPort !== undefined) {
			const {startMetricsServer} = await import('../metrics/index.js');
			const server = await startMetricsServer(engine, {
				port: options.metricsPort,
				...(options.metricsHost !== undefined ? {host: options.metricsHost} : {}),
				histograms: {operations: () => engine.store.overall.latency.encode(), calls: () => engine.callLatency.encode()},
			}).catch((error: unknown) => {
				// Port taken, host not ours: the user's setting, so one line and exit 2.
				throw new UsageError(
					`--metrics-port ${options.metricsPort}: ${error instanceof Error ? error.message : String(error)}`,
				);
			});
			options.log?.(`metrics: ${server.url}`);
			// The SUT's figures (drydock_sut_*) follow its live view, as the console's panel does.
			const stopFeeding = engine.onEvent(event => {
				if (event.type === 'sut-sample') server.sut.setSutSample(sutSampleOf(event.view));
			});
			closers.push(() => {
				stopFeeding();
				return Promise.resolve();
			});
			closers.push(() => server.close());
		}
	} catch (error) {
		for (const close of closers) await close().catch(() => {});
		throw error;
	}
	return {
		async close() {
			for (const close of closers.splice(0).reverse()) await close().catch(() => {});
		},
	};
}

/** The metrics feed's sample from the SUT's view (unknown figures left out, so they keep no stale value). */
export function sutSampleOf(view: SutView): SutSample {
	const finite = (n: number | null) => (n !== null && Number.isFinite(n) ? n : null);
	const v = view.venue;
	return {
		up: view.pid !== null,
		restarts: view.restarts,
		cpuPercent: finite(view.cpuPercent),
		rssBytes: view.rssMb === null ? null : finite(view.rssMb * 1024 * 1024),
		...(v
			? {
					responses429: v.status429,
					responses418: v.status418,
					orders: {placed: v.ordersPlaced, filled: v.ordersFilled, rejected: v.ordersRejected},
					openOrders: v.ordersOpen,
				}
			: {}),
	};
}
