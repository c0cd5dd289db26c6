/**
 * Optional attachments to a run's engine: Prometheus /metrics (--metrics-port) and webhook
 * notifications (--notify). Both are loaded only when asked for.
 */
import type {Engine} from '../engine/engine.js';
import {processMasker} from '../profiles/mask.js';
import {UsageError} from '../util/usage-error.js';

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
				throw new UsageError(`--metrics-port ${options.metricsPort}: ${error instanceof Error ? error.message : String(error)}`);
			});
			options.log?.(`metrics: ${server.url}`);
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
