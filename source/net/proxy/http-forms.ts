/**
 * The proxy's reading and writing of HTTP forms: CONNECT authorities, absolute-form targets, the
 * headers forwarded (minus the proxy's own hop-by-hop ones) and an upgrade's request head.
 */
import type http from 'node:http';

/** A WebSocket upgrade header inside a request head. */
export const wsUpgrade = /\r\nupgrade:[ \t]*websocket/i;
/** The start of a plaintext HTTP/1 request. */
export const requestLine = /^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/;

/** `host:port` or `[v6]:port` of a CONNECT request. */
export function parseAuthority(value: string): {host: string; port: number} | null {
	const match = /^(?:\[([^\]]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value);
	if (!match) return null;
	const port = Number(match[3]);
	if (port <= 0 || port > 65_535) return null;
	return {host: (match[1] ?? match[2])!, port};
}

/** An absolute-form request target: http(s):// or ws(s):// URL. */
export function parseAbsolute(value: string): {host: string; port: number; path: string; secure: boolean} | null {
	if (!/^(https?|wss?):\/\//i.test(value)) return null;
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return null;
	}
	const secure = url.protocol === 'https:' || url.protocol === 'wss:';
	const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
	return {host, port: url.port ? Number(url.port) : secure ? 443 : 80, path: `${url.pathname}${url.search}`, secure};
}

const hopHeaders = new Set(['proxy-connection', 'proxy-authorization', 'keep-alive']);

/** Raw header pairs minus the proxy's own hop-by-hop ones (and `connection` for plain requests, which we set). */
export function forwardHeaders(raw: readonly string[], keepConnection = false): string[] {
	const out: string[] = [];
	for (let i = 0; i + 1 < raw.length; i += 2) {
		const name = raw[i]!.toLowerCase();
		if (hopHeaders.has(name) || (!keepConnection && name === 'connection')) continue;
		out.push(raw[i]!, raw[i + 1]!);
	}
	return out;
}

/** The request head to send upstream for an upgrade, in origin form. */
export function requestHead(req: http.IncomingMessage, path: string): Buffer {
	const headers = forwardHeaders(req.rawHeaders, true);
	let text = `${req.method ?? 'GET'} ${path} HTTP/1.1\r\n`;
	for (let i = 0; i + 1 < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
	return Buffer.from(`${text}\r\n`, 'latin1');
}
