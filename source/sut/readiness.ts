/**
 * Network readiness probes for a starting SUT: a TCP port accepting connections, or an HTTP URL
 * answering 2xx/3xx. Polled until they answer or the caller's signal aborts (the start timeout, the
 * process exiting, a stop). The output-regex probe lives in the supervisor, which sees the lines.
 */
import {connect} from 'node:net';
import {setTimeout as sleep} from 'node:timers/promises';

const POLL_MS = 100;
const ATTEMPT_TIMEOUT_MS = 1_000;

/** Resolves true once `host:port` accepts a connection; false when `signal` aborts first. */
export async function waitForTcp(host: string, port: number, signal: AbortSignal): Promise<boolean> {
	while (!signal.aborted) {
		if (await tcpOnce(host, port)) return true;
		await sleep(POLL_MS, undefined, {signal}).catch(() => undefined);
	}
	return false;
}

function tcpOnce(host: string, port: number): Promise<boolean> {
	return new Promise(resolve => {
		const socket = connect({host, port});
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(ATTEMPT_TIMEOUT_MS, () => done(false));
		socket.once('connect', () => done(true));
		socket.once('error', () => done(false));
	});
}

/** Resolves true once `url` answers 2xx or 3xx (redirects not followed); false when `signal` aborts first. */
export async function waitForHttp(url: string, signal: AbortSignal): Promise<boolean> {
	while (!signal.aborted) {
		if (await httpOnce(url, signal)) return true;
		await sleep(POLL_MS, undefined, {signal}).catch(() => undefined);
	}
	return false;
}

async function httpOnce(url: string, signal: AbortSignal): Promise<boolean> {
	try {
		const response = await fetch(url, {
			redirect: 'manual',
			signal: AbortSignal.any([signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
		});
		await response.body?.cancel();
		return response.status >= 200 && response.status < 400;
	} catch {
		return false;
	}
}
