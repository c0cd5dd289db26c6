/**
 * Delivers JSON bodies to one webhook without ever blocking the caller: a bounded queue (the oldest
 * is dropped and counted when full), one POST at a time, retries with exponential backoff and jitter
 * (Retry-After honoured), permanent 4xx answers given up at once.
 */

export interface DeliveryOptions {
	url: string;
	/** Bound on waiting bodies, not counting the one being posted (default 100). */
	maxQueue?: number;
	/** Attempts per body before it is given up (default 10). */
	maxAttempts?: number;
	baseDelayMs?: number;
	maxDelayMs?: number;
	/** Per-request timeout (default 5 s). */
	timeoutMs?: number;
	random?: () => number;
	/** Told about give-ups and drops; never given the URL's path or query (they may hold a token). */
	onProblem?: (text: string) => void;
}

export interface DeliveryStats {
	sent: number;
	/** Given up: a permanent rejection or out of attempts. */
	failed: number;
	/** Pushed out of a full queue, or left over when closing. */
	dropped: number;
	queued: number;
	attempts: number;
}

interface Item {
	body: string;
	attempts: number;
}

export class Delivery {
	private readonly queue: Item[] = [];
	private readonly stats = {sent: 0, failed: 0, dropped: 0, attempts: 0};
	private running: Promise<void> | null = null;
	private posting: Item | null = null;
	private wake: (() => void) | null = null;
	private closing = false;
	private readonly abort = new AbortController();
	private readonly o: Required<Omit<DeliveryOptions, 'onProblem'>> & Pick<DeliveryOptions, 'onProblem'>;
	/** Origin only, for messages. */
	readonly target: string;

	constructor(options: DeliveryOptions) {
		this.o = {
			maxQueue: 100,
			maxAttempts: 10,
			baseDelayMs: 500,
			maxDelayMs: 30_000,
			timeoutMs: 5_000,
			random: Math.random,
			...options,
		};
		this.target = new URL(options.url).origin;
	}

	getStats(): DeliveryStats {
		return {...this.stats, queued: this.queue.length};
	}

	/** Queues a body; returns at once. */
	push(body: string): void {
		if (this.closing) return;
		// The bound counts waiting bodies; the one being posted is not dropped from under its request.
		const waiting = this.queue.length - (this.posting !== null && this.queue[0] === this.posting ? 1 : 0);
		if (waiting >= this.o.maxQueue) {
			this.queue.splice(this.queue.length - waiting, 1);
			this.stats.dropped++;
			this.o.onProblem?.(
				`notify ${this.target}: queue full, dropped the oldest notification (${this.stats.dropped} dropped so far)`,
			);
		}
		this.queue.push({body, attempts: 0});
		if (!this.running) this.running = this.drain().finally(() => (this.running = null));
		else this.wake?.();
	}

	/** Waits until the queue is empty, up to `timeoutMs`; then abandons what is left. */
	async close(timeoutMs = 5_000): Promise<DeliveryStats> {
		this.closing = true;
		// While closing, retry promptly: there is no time left for long backoffs.
		this.wake?.();
		if (this.running) {
			const deadline = new Promise<void>(resolve => setTimeout(resolve, timeoutMs).unref());
			await Promise.race([this.running, deadline]);
		}
		this.abort.abort();
		if (this.queue.length > 0) {
			this.stats.dropped += this.queue.length;
			this.o.onProblem?.(`notify ${this.target}: ${this.queue.length} notification(s) not delivered before exit`);
			this.queue.length = 0;
		}
		await this.running?.catch(() => {});
		return this.getStats();
	}

	private async drain(): Promise<void> {
		while (this.queue.length > 0 && !this.abort.signal.aborted) {
			const item = this.queue[0]!;
			item.attempts++;
			this.stats.attempts++;
			this.posting = item;
			const outcome = await this.post(item.body);
			this.posting = null;
			if (outcome.ok) {
				this.queue.shift();
				this.stats.sent++;
				continue;
			}
			if (outcome.permanent || item.attempts >= this.o.maxAttempts) {
				this.queue.shift();
				this.stats.failed++;
				this.o.onProblem?.(`notify ${this.target}: gave up after ${item.attempts} attempt(s): ${outcome.why}`);
				continue;
			}
			const backoff = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (item.attempts - 1));
			const delay = outcome.retryAfterMs ?? backoff * (0.5 + this.o.random() / 2);
			await this.sleep(this.closing ? Math.min(delay, 250) : delay);
		}
	}

	private sleep(ms: number): Promise<void> {
		return new Promise(resolve => {
			const timer = setTimeout(done, ms);
			// Never keeps the process alive on its own; close() decides how long to wait.
			timer.unref();
			function done() {
				clearTimeout(timer);
				resolve();
			}
			this.wake = () => {
				this.wake = null;
				if (this.closing) done();
			};
		});
	}

	private async post(
		body: string,
	): Promise<{ok: true} | {ok: false; permanent: boolean; why: string; retryAfterMs?: number}> {
		try {
			const response = await fetch(this.o.url, {
				method: 'POST',
				headers: {'content-type': 'application/json', 'user-agent': 'drydock-notify'},
				body,
				signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.o.timeoutMs)]),
			});
			await response.arrayBuffer().catch(() => undefined);
			if (response.ok) return {ok: true};
			const retryAfter = Number(response.headers.get('retry-after'));
			const permanent =
				response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
			return {
				ok: false,
				permanent,
				why: `HTTP ${response.status}`,
				...(Number.isFinite(retryAfter) && retryAfter > 0
					? {retryAfterMs: Math.min(retryAfter * 1000, this.o.maxDelayMs)}
					: {}),
			};
		} catch (error) {
			const cause = (error as {cause?: {code?: string}}).cause?.code;
			return {ok: false, permanent: false, why: cause ?? (error instanceof Error ? error.name : 'error')};
		}
	}
}
