/**
 * An http(s).Agent that reaches every target through an HTTP proxy's CONNECT tunnel, for WebSocket
 * clients (ws takes an `agent`). ccxt's own wsProxy/wssProxy need the optional http-proxy-agent and
 * https-proxy-agent packages; this is the same CONNECT handshake in a few lines. For https/wss the TLS
 * session runs inside the tunnel, end to end with the venue (certificates checked as usual).
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type {Duplex} from 'node:stream';
import tls from 'node:tls';
import type {buildConnector} from 'undici';

type Callback = (error: Error | null, socket?: Duplex) => void;

interface ConnectionOptions {
	host?: string | null;
	hostname?: string | null;
	port?: number | string | null;
	servername?: string;
	rejectUnauthorized?: boolean;
	ca?: tls.ConnectionOptions['ca'];
	ALPNProtocols?: tls.ConnectionOptions['ALPNProtocols'];
	checkServerIdentity?: tls.ConnectionOptions['checkServerIdentity'];
	minVersion?: tls.ConnectionOptions['minVersion'];
}

const maxHeadBytes = 16 * 1024;
const maxReasonBytes = 4 * 1024;

/** Why a tunnel could not be opened, with the system code the proxy met (ENOTFOUND, ECONNREFUSED, …) when it said. */
export class TunnelError extends Error {
	override readonly name = 'TunnelError';
	constructor(
		message: string,
		readonly code: string,
	) {
		super(message);
	}
}

/**
 * Opens a CONNECT tunnel through `proxy` to host:port; the callback gets the raw socket, or a
 * TunnelError carrying the proxy's reason (its reply body, e.g. `getaddrinfo ENOTFOUND host`).
 */
export function openTunnel(
	proxy: URL,
	host: string,
	port: number,
	timeoutMs: number,
	callback: (error: TunnelError | null, socket?: net.Socket) => void,
): void {
	const socket = net.connect({host: proxy.hostname.replace(/^\[|\]$/g, ''), port: Number(proxy.port || 80)});
	socket.setNoDelay(true);
	const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
	let head = Buffer.alloc(0);
	let done = false;
	/** A refusal whose body (the reason) is still arriving. */
	let refusal: {status: string; code: string | null; bodyStart: number; length: number} | null = null;
	const finish = (error: TunnelError | null) => {
		if (done) return;
		done = true;
		clearTimeout(timer);
		socket.off('data', onData);
		if (error) {
			socket.destroy();
			callback(error);
		} else callback(null, socket);
	};
	const refuse = () => {
		const r = refusal!;
		const reason = head
			.subarray(r.bodyStart, r.bodyStart + Math.min(r.length, maxReasonBytes))
			.toString('utf8')
			.trim();
		finish(
			new TunnelError(
				`${reason || `proxy answered ${r.status}`} (CONNECT ${authority} through the fault proxy ${proxy.host})`,
				r.code ?? (r.status.startsWith('504') ? 'ETIMEDOUT' : 'ECONNREFUSED'),
			),
		);
	};
	const onData = (chunk: Buffer) => {
		head = Buffer.concat([head, chunk]);
		if (refusal) {
			if (head.length - refusal.bodyStart >= Math.min(refusal.length, maxReasonBytes)) refuse();
			return;
		}
		const end = head.indexOf('\r\n\r\n');
		if (end < 0) {
			if (head.length > maxHeadBytes)
				finish(new TunnelError(`proxy ${proxy.host}: CONNECT reply head over ${maxHeadBytes} bytes`, 'EPROTO'));
			return;
		}
		const text = head.subarray(0, end).toString('latin1');
		const status = /^HTTP\/1\.[01] (\d{3}[^\r]*)/.exec(text)?.[1] ?? 'no status line';
		if (!status.startsWith('200')) {
			const length = Number(/\r\ncontent-length:[ \t]*(\d+)/i.exec(text)?.[1] ?? 0);
			const code = /\r\nx-drydock-error-code:[ \t]*([A-Z0-9_]+)/i.exec(text)?.[1] ?? null;
			refusal = {status, code, bodyStart: end + 4, length};
			if (head.length - refusal.bodyStart >= Math.min(length, maxReasonBytes)) refuse();
			return;
		}
		const rest = head.subarray(end + 4);
		finish(null);
		// HTTP, WebSocket and TLS clients speak first, so nothing normally follows the reply; if something
		// does, hand it over once the client's listeners are on (they attach on the next tick).
		if (rest.length > 0) setImmediate(() => socket.unshift(rest));
	};
	const timer = setTimeout(
		() =>
			finish(
				new TunnelError(`proxy ${proxy.host}: no CONNECT reply for ${authority} within ${timeoutMs} ms`, 'ETIMEDOUT'),
			),
		timeoutMs,
	);
	socket.on('data', onData);
	socket.on('error', error =>
		finish(
			new TunnelError(`proxy ${proxy.host}: ${error.message}`, (error as NodeJS.ErrnoException).code ?? 'ECONNREFUSED'),
		),
	);
	socket.once('close', () =>
		refusal
			? refuse()
			: finish(new TunnelError(`proxy ${proxy.host} closed before answering CONNECT ${authority}`, 'ECONNRESET')),
	);
	socket.once('connect', () => socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`));
}

/** The TLS handshake inside a tunnel gets as long as the tunnel itself had to open. */
function handshakeTimeout(host: string, port: number, timeoutMs: number): TunnelError {
	return new TunnelError(
		`TLS handshake with ${host}:${port} through the fault proxy did not complete within ${timeoutMs} ms`,
		'ETIMEDOUT',
	);
}

/** undici's custom connector: `connect` of an Agent or Client. */
export type Connector = buildConnector.connector;

/**
 * An undici `connect` function that opens every connection as a CONNECT tunnel through the proxy (TLS
 * inside it for https), for a dispatcher such as ccxt's own keep-alive Agent. Unlike undici's
 * ProxyAgent, a refused tunnel fails with the proxy's reason and system code (a DNS failure stays
 * ENOTFOUND), not as an abort that ccxt would report as a timeout.
 */
export function createTunnelConnector(
	proxyUrl: string,
	timeoutMs = 10_000,
	tlsOptions: Pick<tls.ConnectionOptions, 'ca' | 'rejectUnauthorized'> = {},
): Connector {
	const proxy = new URL(proxyUrl);
	if (proxy.protocol !== 'http:') throw new Error(`proxy URL must be http://host:port, got ${proxyUrl}`);
	return (options, callback) => {
		const secure = options.protocol === 'https:';
		const host = String(options.hostname).replace(/^\[|\]$/g, '');
		const port = Number(options.port || (secure ? 443 : 80));
		openTunnel(proxy, host, port, timeoutMs, (error, socket) => {
			if (error || !socket) return callback(error ?? new TunnelError('no tunnel', 'ECONNRESET'), null);
			if (!secure) return callback(null, socket);
			const servername = options.servername ?? (net.isIP(host) ? undefined : host);
			const tlsSocket = tls.connect({
				...tlsOptions,
				socket,
				ALPNProtocols: ['http/1.1'],
				...(servername ? {servername} : {}),
			});
			let settled = false;
			// A handshake held by a fault (blackhole, stall) would otherwise wait as long as the fault lasts.
			const timer = setTimeout(() => {
				if (settled) return;
				settled = true;
				tlsSocket.destroy();
				callback(handshakeTimeout(host, port, timeoutMs), null);
			}, timeoutMs);
			tlsSocket.once('secureConnect', () => {
				clearTimeout(timer);
				if (settled) return;
				settled = true;
				callback(null, tlsSocket);
			});
			tlsSocket.once('error', tlsError => {
				clearTimeout(timer);
				if (settled) return;
				settled = true;
				tlsSocket.destroy();
				callback(tlsError as Error, null);
			});
		});
	};
}

function target(options: ConnectionOptions, defaultPort: number): {host: string; port: number} {
	const host = String(options.hostname ?? options.host ?? 'localhost').replace(/^\[|\]$/g, '');
	return {host, port: Number(options.port ?? defaultPort)};
}

class PlainTunnelAgent extends http.Agent {
	constructor(
		private readonly proxy: URL,
		private readonly timeoutMs: number,
	) {
		super({keepAlive: false});
	}

	// Node's Agent accepts the socket through the callback (createConnection may be asynchronous).
	override createConnection(options: ConnectionOptions, callback: Callback): undefined {
		const {host, port} = target(options, 80);
		openTunnel(this.proxy, host, port, this.timeoutMs, (error, socket) => callback(error, socket));
		return undefined;
	}
}

class TlsTunnelAgent extends https.Agent {
	constructor(
		private readonly proxy: URL,
		private readonly timeoutMs: number,
	) {
		super({keepAlive: false});
	}

	override createConnection(options: ConnectionOptions, callback: Callback): undefined {
		const {host, port} = target(options, 443);
		openTunnel(this.proxy, host, port, this.timeoutMs, (error, socket) => {
			if (error || !socket) return callback(error ?? new Error('no tunnel'));
			const secure = tls.connect({
				socket,
				servername: options.servername ?? (net.isIP(host) ? undefined : host),
				...(options.rejectUnauthorized === undefined ? {} : {rejectUnauthorized: options.rejectUnauthorized}),
				...(options.ca === undefined ? {} : {ca: options.ca}),
				...(options.ALPNProtocols === undefined ? {} : {ALPNProtocols: options.ALPNProtocols}),
				...(options.checkServerIdentity === undefined ? {} : {checkServerIdentity: options.checkServerIdentity}),
				...(options.minVersion === undefined ? {} : {minVersion: options.minVersion}),
			});
			// The agent hands the socket over before the handshake; cut it if the handshake outlasts the dial timeout.
			const timer = setTimeout(() => secure.destroy(handshakeTimeout(host, port, this.timeoutMs)), this.timeoutMs);
			secure.once('secureConnect', () => clearTimeout(timer));
			secure.once('close', () => clearTimeout(timer));
			callback(null, secure);
		});
		return undefined;
	}
}

/**
 * An agent for a target URL's scheme (ws:/http: → plain, wss:/https: → TLS inside the tunnel) that
 * dials through the proxy at `proxyUrl` (http://host:port).
 */
export function createTunnelAgent(proxyUrl: string, targetUrl: string, timeoutMs = 10_000): http.Agent {
	const proxy = new URL(proxyUrl);
	if (proxy.protocol !== 'http:') throw new Error(`proxy URL must be http://host:port, got ${proxyUrl}`);
	const secure = /^(wss|https):/i.test(targetUrl);
	return secure ? new TlsTunnelAgent(proxy, timeoutMs) : new PlainTunnelAgent(proxy, timeoutMs);
}
