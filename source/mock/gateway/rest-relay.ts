import http from 'node:http';
import net from 'node:net';
import https from 'node:https';
import zlib from 'node:zlib';

/** Headers that belong to one hop (RFC 9110 §7.6.1) and never cross the gateway, plus the ones it sets itself. */
const HOP_BY_HOP = new Set([
	'connection',
	'keep-alive',
	'proxy-connection',
	'proxy-authenticate',
	'proxy-authorization',
	'te',
	'trailer',
	'transfer-encoding',
	'upgrade',
	'host',
	'content-length',
]);

export interface VenueAnswer {
	status: number;
	headers: Record<string, string | string[]>;
	body: Buffer;
}

export interface RestRelayOptions {
	/** The venue's REST base, e.g. https://api.binance.com. */
	upstream: string;
	ca?: string | Buffer;
	/** Give up on a venue answer after this long (default 30 s). */
	timeoutMs?: number;
}

/** Drops hop-by-hop headers, including any the Connection header names. */
export function endToEndHeaders(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
	const named = new Set(
		String(headers['connection'] ?? '')
			.split(',')
			.map(s => s.trim().toLowerCase())
			.filter(Boolean),
	);
	const out: Record<string, string | string[]> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
		out[name] = value;
	}
	return out;
}

/** The answer's body as text, undoing the content encoding the SUT asked the venue for. */
export function bodyText(answer: VenueAnswer): string {
	const encoding = String(answer.headers['content-encoding'] ?? '').toLowerCase();
	try {
		if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.gunzipSync(answer.body).toString('utf8');
		if (encoding === 'deflate') return zlib.inflateSync(answer.body).toString('utf8');
		if (encoding === 'br') return zlib.brotliDecompressSync(answer.body).toString('utf8');
	} catch {
		return '';
	}
	return answer.body.toString('utf8');
}

/**
 * Forwards REST requests to the venue unchanged (method, path, query, body, end-to-end headers, so the
 * SUT's own signature and API key pass as sent) over keep-alive TLS connections.
 */
export class RestRelay {
	private readonly base: URL;
	private readonly agent: http.Agent;
	private readonly timeoutMs: number;

	constructor(options: RestRelayOptions) {
		this.base = new URL(options.upstream);
		const secure = this.base.protocol === 'https:';
		this.agent = secure
			? new https.Agent({keepAlive: true, maxSockets: 64, ...(options.ca === undefined ? {} : {ca: options.ca})})
			: new http.Agent({keepAlive: true, maxSockets: 64});
		this.timeoutMs = options.timeoutMs ?? 30_000;
	}

	forward(method: string, pathAndQuery: string, headers: http.IncomingHttpHeaders, body: Buffer): Promise<VenueAnswer> {
		const outHeaders: Record<string, string | string[]> = {...endToEndHeaders(headers), host: this.base.host};
		if (body.length > 0 || !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method))
			outHeaders['content-length'] = String(body.length);
		const basePath = this.base.pathname.replace(/\/$/, '');
		const request = (this.base.protocol === 'https:' ? https : http).request;
		return new Promise((resolve, reject) => {
			const req = request(
				{
					protocol: this.base.protocol,
					hostname: this.base.hostname,
					port: this.base.port || undefined,
					...(net.isIP(this.base.hostname) ? {} : {servername: this.base.hostname}),
					method,
					path: basePath + pathAndQuery,
					headers: outHeaders,
					agent: this.agent,
					timeout: this.timeoutMs,
				},
				res => {
					const chunks: Buffer[] = [];
					res.on('data', (chunk: Buffer) => chunks.push(chunk));
					res.once('end', () =>
						resolve({
							status: res.statusCode ?? 502,
							headers: endToEndHeaders(res.headers),
							body: Buffer.concat(chunks),
						}),
					);
					res.once('error', reject);
				},
			);
			req.once('timeout', () => req.destroy(new Error(`no answer from ${this.base.host} within ${this.timeoutMs} ms`)));
			req.once('error', reject);
			req.end(body);
		});
	}

	close(): void {
		this.agent.destroy();
	}
}
