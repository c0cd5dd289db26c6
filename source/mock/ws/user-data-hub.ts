import type {Unsubscribe, UserDataFeed} from '../contracts.js';

/** Receives the serialized JSON of each user event of one account. */
export type UserEventSink = (eventJson: string) => void;

/** Routes user-data events to every WebSocket API subscription and listenKey stream of their API key. */
export class UserDataHub {
	private readonly sinks = new Map<string, Set<UserEventSink>>();
	private unsubscribe: Unsubscribe | undefined;

	constructor(
		private readonly users: UserDataFeed,
		private readonly stalled: () => boolean,
	) {}

	start(): void {
		this.unsubscribe = this.users.onUserEvent((apiKey, event) => {
			const sinks = this.sinks.get(apiKey);
			if (!sinks || sinks.size === 0 || this.stalled()) return;
			const json = JSON.stringify(event);
			for (const sink of sinks) sink(json);
		});
	}

	stop(): void {
		this.unsubscribe?.();
		this.unsubscribe = undefined;
	}

	add(apiKey: string, sink: UserEventSink): void {
		let sinks = this.sinks.get(apiKey);
		if (!sinks) {
			sinks = new Set();
			this.sinks.set(apiKey, sinks);
		}
		sinks.add(sink);
	}

	remove(apiKey: string, sink: UserEventSink): void {
		const sinks = this.sinks.get(apiKey);
		if (!sinks) return;
		sinks.delete(sink);
		if (sinks.size === 0) this.sinks.delete(apiKey);
	}
}
