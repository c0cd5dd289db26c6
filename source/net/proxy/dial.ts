/** Dialing a target with a timeout, and answering a CONNECT or upgrade the proxy cannot serve. */
import http from 'node:http';
import net from 'node:net';
import type {Duplex} from 'node:stream';
import type {ProxyStats} from './accounting.js';

export function dial(
	targetHost: string,
	targetPort: number,
	timeoutMs: number,
	onReady: (socket: net.Socket) => void,
	onFail: (reason: string, code: string) => void,
): net.Socket {
	const socket = net.connect({host: targetHost, port: targetPort, autoSelectFamily: true});
	socket.setNoDelay(true);
	let settled = false;
	const timer = setTimeout(() => {
		settled = true;
		socket.destroy();
		onFail(`no connection to ${targetHost}:${targetPort} within ${timeoutMs} ms`, 'ETIMEDOUT');
	}, timeoutMs);
	// A link destroyed mid-dial destroys this socket without an 'error': the timer must not outlive it
	// (it would count a failure that was not one), nor hold the process open after close().
	timer.unref();
	socket.once('close', () => {
		clearTimeout(timer);
		settled = true;
	});
	socket.once('connect', () => {
		clearTimeout(timer);
		if (settled) return;
		settled = true;
		onReady(socket);
	});
	socket.on('error', error => {
		clearTimeout(timer);
		if (settled) return;
		settled = true;
		onFail(error.message, (error as NodeJS.ErrnoException).code ?? 'ECONNREFUSED');
	});
	return socket;
}

/** Answers a CONNECT/upgrade it cannot serve: the reason in the body, the system code in a header (the tunnel agent rethrows both). */
export function refuse(stats: ProxyStats, socket: Duplex, status: number, reason: string, code?: string): void {
	if (status < 500) stats.connections.refused++;
	socket.on('error', () => {});
	const codeHeader = code && /^[A-Z0-9_]+$/.test(code) ? `x-drydock-error-code: ${code}\r\n` : '';
	socket.end(
		`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: text/plain\r\nconnection: close\r\n${codeHeader}content-length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
	);
}
