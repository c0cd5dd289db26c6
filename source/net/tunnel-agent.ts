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

/** Opens a CONNECT tunnel through `proxy` to host:port; the callback gets the raw socket (or why not). */
export function openTunnel(proxy: URL, host: string, port: number, timeoutMs: number, callback: (error: Error | null, socket?: net.Socket) => void): void {
	const socket = net.connect({host: proxy.hostname.replace(/^\[|\]$/g, ''), port: Number(proxy.port || 80)});
	socket.setNoDelay(true);
	const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
	let head = Buffer.alloc(0);
	let done = false;
	const finish = (error: Error | null) => {
		if (done) return;
		done = true;
		clearTimeout(timer);
		socket.off('data', onData);
		if (error) {
			socket.destroy();
			callback(error);
		} else callback(null, socket);
	};
	const onData = (chunk: Buffer) => {
		head = Buffer.concat([head, chunk]);
		const end = head.indexOf('\r\n\r\n');
		if (end < 0) {
			if (head.length > maxHeadBytes) finish(new Error(`proxy ${proxy.host}: CONNECT reply head over ${maxHeadBytes} bytes`));
			return;
		}
		const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'));
		if (!status || status[1] !== '200') {
			finish(new Error(`proxy ${proxy.host} refused CONNECT ${authority}: ${head.subarray(0, Math.min(end, 200)).toString('latin1').split('\r\n')[0] ?? ''}`));
			return;
		}
		const rest = head.subarray(end + 4);
		finish(null);
		// HTTP, WebSocket and TLS clients speak first, so nothing normally follows the reply; if something
		// does, hand it over once the client's listeners are on (they attach on the next tick).
		if (rest.length > 0) setImmediate(() => socket.unshift(rest));
	};
	const timer = setTimeout(() => finish(new Error(`proxy ${proxy.host}: no CONNECT reply for ${authority} within ${timeoutMs} ms`)), timeoutMs);
	socket.on('data', onData);
	socket.once('error', error => finish(new Error(`proxy ${proxy.host}: ${error.message}`)));
	socket.once('close', () => finish(new Error(`proxy ${proxy.host} closed before answering CONNECT ${authority}`)));
	socket.once('connect', () => socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`));
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
