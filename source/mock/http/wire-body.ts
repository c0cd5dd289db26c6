import type {ServerResponse} from 'node:http';
import type {SharedBody} from '../market/shared-body.js';
import type {Reply} from './route.js';

/** Below this a body goes out as is: gzip's header and CPU cost more than the bytes it would save. */
export const GZIP_MIN_BYTES = 1024;

/**
 * A route's reply carrying pre-encoded bytes. `body` stays a string for the WebSocket API (which
 * parses it) and for error attribution, but is decoded only if someone reads it: REST sends the bytes.
 */
export function sharedReply(shared: SharedBody): Reply {
	return {
		shared,
		get body() {
			return shared.text;
		},
	};
}

/**
 * Whether an Accept-Encoding header admits gzip: listed by name (or `*`) without `q=0`. Binance
 * answers gzip to clients that ask for it, and a deep book is ten times smaller that way.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
	if (header === undefined) return false;
	const value = Array.isArray(header) ? header.join(',') : header;
	// Most clients send a short constant header: skip the parse when gzip cannot be in it.
	if (!/gzip|\*/i.test(value)) return false;
	let star: boolean | undefined;
	for (const part of value.split(',')) {
		const semi = part.indexOf(';');
		const name = (semi < 0 ? part : part.slice(0, semi)).trim().toLowerCase();
		if (name !== 'gzip' && name !== 'x-gzip' && name !== '*') continue;
		const q = semi < 0 ? undefined : /q\s*=\s*([0-9.]+)/i.exec(part.slice(semi))?.[1];
		const allowed = q === undefined || Number(q) > 0;
		// A gzip entry of its own wins over `*` (RFC 9110 §12.5.3).
		if (name !== '*') return allowed;
		star = allowed;
	}
	return star ?? false;
}

/**
 * Writes a shared body with `headers` (the route's and the server's): gzip when the client accepts it
 * and the body is worth compressing (the compressed bytes are cached with the body), identity
 * otherwise; `Vary: Accept-Encoding` either way, since the representation depends on that header.
 */
export function writeShared(
	response: ServerResponse,
	status: number,
	shared: SharedBody,
	acceptEncoding: string | string[] | undefined,
	headers: Record<string, string | number>,
): void {
	const gzip = shared.bytes.length >= GZIP_MIN_BYTES && acceptsGzip(acceptEncoding);
	const bytes = gzip ? shared.gzip() : shared.bytes;
	headers['Content-Length'] = bytes.length;
	headers.Vary = 'Accept-Encoding';
	if (gzip) headers['Content-Encoding'] = 'gzip';
	response.writeHead(status, headers);
	response.end(bytes);
}
