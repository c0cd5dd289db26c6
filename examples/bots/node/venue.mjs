/**
 * REST calls through the SDK's MainClient, pointed at the venue by its `baseUrl` option, behind a
 * Retry-After gate: after a 429/418 nothing is sent until the window ends. With honourRetryAfter false
 * (the `ignore-retry-after` fault) a rate-limited call is retried after 100 ms, again and again.
 */
import {MainClient} from 'binance';

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

export class VenueError extends Error {
	constructor(message, code, retryAfterSec) {
		super(message);
		this.code = code;
		this.retryAfterSec = retryAfterSec;
	}
}

/** The SDK throws {code, message, body, headers} for HTTP errors, an axios error or a string otherwise. */
function describe(error) {
	if (error && typeof error === 'object' && 'headers' in error) {
		const retry = Number(error.headers?.['retry-after']);
		return new VenueError(
			`code ${error.code}: ${error.message}`,
			error.code,
			Number.isFinite(retry) && error.code === -1003 ? retry : undefined,
		);
	}
	return new VenueError(
		error instanceof Error ? `${error.name}: ${error.message}` : String(error),
		undefined,
		undefined,
	);
}

export class Venue {
	constructor({restUrl, apiKey, apiSecret, log, honourRetryAfter}) {
		this.client = new MainClient({
			api_key: apiKey,
			api_secret: apiSecret,
			baseUrl: restUrl.replace(/\/+$/, ''),
			disableTimeSync: true,
		});
		this.log = log;
		this.honourRetryAfter = honourRetryAfter;
		this.notBefore = 0;
		this.generation = 0;
		this.interruption = new Promise(resolve => (this.wake = resolve));
	}

	/** Cuts short every wait in progress (the bot is stopping); calls made after it wait as usual. */
	interrupt() {
		this.generation++;
		this.wake();
		this.interruption = new Promise(resolve => (this.wake = resolve));
	}

	async pause(ms, generation) {
		await Promise.race([sleep(ms), this.interruption]);
		if (this.generation !== generation)
			throw Object.assign(new VenueError('interrupted inside a Retry-After window'), {interrupted: true});
	}

	backoffRemaining() {
		return Math.max(0, this.notBefore - Date.now());
	}

	async call(name, request) {
		const generation = this.generation;
		for (;;) {
			const wait = this.backoffRemaining();
			if (wait > 0) await this.pause(wait, generation);
			try {
				return await request(this.client);
			} catch (raw) {
				const error = describe(raw);
				if (error.retryAfterSec === undefined) throw error;
				if (this.honourRetryAfter) {
					this.notBefore = Date.now() + error.retryAfterSec * 1000;
					throw error;
				}
				this.log.error(`${name} rate limited (${error.message}); retrying right away`);
				await this.pause(100, generation);
			}
		}
	}
}
