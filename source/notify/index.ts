/**
 * `--notify URL [--notify-format generic|slack|telegram]`: posts JSON on phase failure, anomaly and
 * run end. Watching is a cheap diff on each published snapshot; delivery runs on its own queue, so a
 * slow or dead webhook never slows the run. Every string passes through `mask` before it is sent.
 */
import type {EngineHandle} from '../engine/commands.js';
import {UsageError} from '../util/usage-error.js';
import {Delivery, type DeliveryOptions, type DeliveryStats} from './delivery.js';
import {SnapshotWatcher, type NotifyEvent, type NotifyEventType, type WatcherOptions} from './events.js';
import {formatBody, isNotifyFormat, notifyFormats, type NotifyFormat} from './format.js';

export type {NotifyEvent, NotifyEventType} from './events.js';
export type {NotifyFormat} from './format.js';
export type {DeliveryStats} from './delivery.js';
export {formatBody, describe as describeEvent, isNotifyFormat, notifyFormats} from './format.js';
export {SnapshotWatcher} from './events.js';

export interface NotifierOptions extends WatcherOptions, Omit<DeliveryOptions, 'url'> {
	url: string;
	format: NotifyFormat;
	engine: EngineHandle;
	/** Masks secrets in every string sent (pass the profile's masker). */
	mask?: (text: string) => string;
	/** Which events to send (default all). */
	events?: readonly NotifyEventType[];
	/** Telegram chat id; default the URL's `chat_id` query parameter. */
	telegramChatId?: string;
}

export interface Notifier {
	/** Unsubscribes, sends what the final snapshot shows (e.g. the run's end), waits for delivery up to `timeoutMs` (default 5 s). */
	close(timeoutMs?: number): Promise<DeliveryStats>;
	stats(): DeliveryStats;
}

/** Checks `--notify` and `--notify-format` values; UsageError (exit 2) naming the flag. */
export function validateNotifyOptions(url: string, format: string): {url: URL; format: NotifyFormat} {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new UsageError('--notify: not a URL (expected http://… or https://…)');
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
		throw new UsageError(`--notify: ${parsed.protocol} URLs are not supported (http or https)`);
	if (!isNotifyFormat(format))
		throw new UsageError(`--notify-format: "${format}" is not one of ${notifyFormats.join(', ')}`);
	return {url: parsed, format};
}

function maskDeep<T>(value: T, mask: (text: string) => string): T {
	if (typeof value === 'string') return mask(value) as T;
	if (Array.isArray(value)) return (value as unknown[]).map(v => maskDeep(v, mask)) as T;
	if (value && typeof value === 'object')
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, mask)])) as T;
	return value;
}

export function createNotifier(options: NotifierOptions): Notifier {
	const {url, format} = validateNotifyOptions(options.url, options.format);
	const chatId = options.telegramChatId ?? url.searchParams.get('chat_id') ?? undefined;
	if (format === 'telegram' && !chatId)
		throw new UsageError('--notify-format telegram: no chat id (add ?chat_id=N to the bot URL)');
	const mask = options.mask ?? ((text: string) => text);
	const wanted = new Set<NotifyEventType>(options.events ?? ['phase-failed', 'anomaly', 'run-end']);
	const delivery = new Delivery({...options, url: options.url});
	const watcher = new SnapshotWatcher(options);
	const {engine} = options;
	const send = (events: NotifyEvent[]) => {
		for (const event of events) {
			if (!wanted.has(event.type)) continue;
			const body = formatBody(maskDeep(event, mask), format, chatId ? {telegramChatId: chatId} : {});
			delivery.push(JSON.stringify(body));
		}
	};
	watcher.baseline(engine.getSnapshot());
	const unsubscribe = engine.subscribe(() => {
		try {
			send(watcher.next(engine.getSnapshot()));
		} catch (error) {
			// A notifier bug must never reach the engine's publish loop.
			options.onProblem?.(`notify: ${error instanceof Error ? error.message : String(error)}`);
		}
	});
	let closed: Promise<DeliveryStats> | null = null;
	return {
		stats: () => delivery.getStats(),
		close(timeoutMs = 5_000) {
			closed ??= (async () => {
				unsubscribe();
				send(watcher.next(engine.getSnapshot()));
				return delivery.close(timeoutMs);
			})();
			return closed;
		},
	};
}
