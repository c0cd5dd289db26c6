/** A real `ws` client for tests: collects parsed messages and waits for the ones a test expects. */
import WebSocket from 'ws';

export interface Closed {
	code: number;
	reason: string;
}

export class TestClient {
	readonly messages: unknown[] = [];
	readonly closed: Promise<Closed>;
	private waiters: Array<() => void> = [];

	private constructor(readonly ws: WebSocket) {
		ws.on('message', (data) => {
			this.messages.push(JSON.parse(data.toString()));
			for (const wake of this.waiters.splice(0)) wake();
		});
		this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({code, reason: reason.toString()})));
	}

	static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
		const ws = new WebSocket(url, options);
		const client = new TestClient(ws);
		await new Promise<void>((resolve, reject) => {
			ws.once('open', () => resolve());
			ws.once('error', reject);
		});
		return client;
	}

	/** The HTTP status a failed upgrade got. */
	static async rejection(url: string): Promise<number> {
		const ws = new WebSocket(url);
		return new Promise((resolve, reject) => {
			ws.once('unexpected-response', (_request, response) => {
				resolve(response.statusCode ?? 0);
				ws.terminate();
			});
			ws.once('open', () => reject(new Error(`upgrade to ${url} unexpectedly succeeded`)));
			ws.once('error', () => undefined);
		});
	}

	send(message: unknown): void {
		this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
	}

	/** Resolves with the first message (from `from` on) matching `predicate`, or rejects after `timeoutMs`. */
	async next<T = Record<string, unknown>>(predicate: (message: Record<string, unknown>) => boolean, timeoutMs = 3000, from = 0): Promise<T> {
		const deadline = Date.now() + timeoutMs;
		let index = from;
		for (;;) {
			for (; index < this.messages.length; index++) {
				const message = this.messages[index] as Record<string, unknown>;
				if (predicate(message)) return message as T;
			}
			const remaining = deadline - Date.now();
			if (remaining <= 0) throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(-5))}`);
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, remaining);
				this.waiters.push(() => {
					clearTimeout(timer);
					resolve();
				});
			});
		}
	}

	/** Sends a control frame and waits for the reply with its id. */
	async request(message: {id: unknown} & Record<string, unknown>): Promise<Record<string, unknown>> {
		const from = this.messages.length;
		this.send(message);
		return this.next((reply) => reply['id'] === message.id && ('result' in reply || 'error' in reply), 3000, from);
	}

	close(): void {
		this.ws.terminate();
	}
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
