/**
 * A local HTTP forward proxy that puts client-side faults between drydock and a venue: added latency,
 * stalled or dropped streams, connection resets and silent (blackholed) connections, each set and
 * cleared at run time. It serves `CONNECT host:port` as an opaque tunnel (https:// and wss:// go
 * through it with TLS end to end: the proxy never sees inside), and absolute-form plain HTTP requests
 * and WebSocket upgrades for http:// and ws:// targets (the embedded mock). It binds to loopback only.
 *
 * Stream connections (the ones stall-streams and drop-websockets act on) are known by their target
 * host (`setStreamHosts`, e.g. stream.binance.com:9443) or, on a plaintext connection, by a WebSocket
 * upgrade in its first request.
 */
import http from 'node:http';
import net from 'node:net';
import type {Duplex} from 'node:stream';
import {Pipe} from './pipe.js';
import {inScope, type ProxyFault, type ProxyFaultKind} from '../faults/spec/proxy-spec.js';
import {RequestBursts} from './request-bursts.js';

export interface FaultProxyOptions {
	/** Bind address: a loopback address only (default 127.0.0.1); anything else is refused. */
	host?: string;
	/** Default 0: any free port. */
	port?: number;
	/** Targets (`host` or `host:port`) whose connections are streams. */
	streamHosts?: readonly string[];
	/** Refuses other targets with 403 (default: any; a runtime passes the venue's own, see targetAllowlist). */
	allowTarget?: (host: string, port: number) => boolean;
	/** Bytes queued per direction of a connection before its source is paused (default 256 KiB). */
	highWaterBytes?: number;
	/** Dialing the target gives up after this long (default 10 s). */
	connectTimeoutMs?: number;
	/** For tests: the random source of probabilities (default Math.random). */
	random?: () => number;
}

export interface ActiveProxyFault {
	id: string;
	fault: ProxyFault;
	startedAt: number;
	/** null: until cleared. */
	expiresAt: number | null;
	/** What it did so far (see ProxyStats.effects for the unit per kind). */
	effects: number;
}

export interface ProxyStats {
	connections: {
		/** Every connection accepted (tunnels, plain requests, upgrades). */
		total: number;
		open: number;
		/** Known stream connections, and the others (plaintext tunnels that carried nothing yet are neither). */
		streams: number;
		rest: number;
		tunnels: number;
		plain: number;
		upgrades: number;
		/** Targets refused (not allowed, bad request line). */
		refused: number;
		/** Targets that could not be dialed. */
		failed: number;
	};
	bytes: {up: number; down: number};
	/**
	 * Totals since the proxy started: latency → chunks delayed; stall-streams → stream connections stalled;
	 * drop-websockets → stream connections cut; reset → connections reset; blackhole → connections silenced.
	 */
	effects: Record<ProxyFaultKind, number>;
	/** The most bytes held in memory for one direction of one connection (bounded by highWaterBytes + a chunk). */
	peakQueuedBytes: number;
}

export interface FaultProxy {
	/** `http://127.0.0.1:PORT`, for ccxt's httpProxy / the tunnel agent. */
	readonly url: string;
	readonly port: number;
	/** Applies a fault (until cleared, or for `durationMs`); returns its id. */
	inject(fault: ProxyFault, durationMs?: number): string;
	/** Ends one fault by id, or every fault of a kind, or all; returns how many ended. */
	clear(which?: {id: string} | {kind: ProxyFaultKind}): number;
	active(): ActiveProxyFault[];
	/** A fault by id, active or among the last 256 ended (with what it did); null when unknown. */
	fault(id: string): ActiveProxyFault | null;
	stats(): ProxyStats;
	/** Replaces the set of stream targets (`host` or `host:port`). */
	setStreamHosts(hosts: readonly string[]): void;
	/** Closes the listener and every connection. */
	close(): Promise<void>;
}

type LinkKind = 'tunnel' | 'plain' | 'upgrade';

interface Link {
	id: number;
	kind: LinkKind;
	host: string;
	port: number;
	/** null until known (a plaintext tunnel before its first request). */
	stream: boolean | null;
	client: Duplex;
	upstream: {destroy(): unknown} | null;
	pipes: Pipe[];
	/** Fault ids this link was judged under (reset/blackhole per connection, stall counted once). */
	judged: Set<string>;
	/** Blackhole faults that silenced it. */
	silencedBy: Set<string>;
	/** Where its requests start (a reset rolls once per request, not per chunk or TLS handshake flight). */
	bursts: RequestBursts;
	closed: boolean;
}

interface Entry extends ActiveProxyFault {
	timer: NodeJS.Timeout | null;
}

const wsUpgrade = /\r\nupgrade:[ \t]*websocket/i;
const requestLine = /^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/;

/** 127.0.0.0/8, ::1 and localhost: the only places the proxy may listen. */
export function isLoopbackHost(host: string): boolean {
	const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
	if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
	return net.isIPv4(bare) && bare.startsWith('127.');
}

export async function startFaultProxy(options: FaultProxyOptions = {}): Promise<FaultProxy> {
	const host = options.host ?? '127.0.0.1';
	// It forwards to whatever it is asked: reachable beyond this machine it would be a relay for anyone.
	if (!isLoopbackHost(host)) throw new RangeError(`fault proxy: host "${host}" is not a loopback address (use 127.0.0.1 or ::1)`);
	const highWater = options.highWaterBytes ?? 256 * 1024;
	const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
	const random = options.random ?? Math.random;
	const allow = options.allowTarget ?? (() => true);
	let streamHosts = new Set((options.streamHosts ?? []).map(h => h.toLowerCase()));
	const links = new Set<Link>();
	let entries: Entry[] = [];
	/** Ended faults, oldest first, for fault(id) (the chaos report asks after a fault has ended). */
	const ended = new Map<string, Entry>();
	let nextLink = 1;
	let nextFault = 1;
	let closing = false;
	const stats: ProxyStats = {
		connections: {total: 0, open: 0, streams: 0, rest: 0, tunnels: 0, plain: 0, upgrades: 0, refused: 0, failed: 0},
		bytes: {up: 0, down: 0},
		effects: {'latency': 0, 'stall-streams': 0, 'drop-websockets': 0, 'reset': 0, 'blackhole': 0},
		peakQueuedBytes: 0,
	};

	const isStreamHost = (h: string, p: number) => streamHosts.has(h.toLowerCase()) || streamHosts.has(`${h.toLowerCase()}:${p}`);
	const active = (): Entry[] => {
		const now = Date.now();
		if (entries.some(e => e.expiresAt !== null && e.expiresAt <= now)) for (const e of entries.filter(e => e.expiresAt !== null && e.expiresAt <= now)) remove(e);
		return entries;
	};
	const effect = (entry: Entry, n = 1) => {
		entry.effects += n;
		stats.effects[entry.fault.kind] += n;
	};

	// --- faults acting on links ---------------------------------------------------------------------

	const held = (link: Link): boolean => {
		if (link.closed) return true;
		if (link.silencedBy.size > 0) return true;
		if (link.stream !== true || entries.length === 0) return false;
		return active().some(e => e.fault.kind === 'stall-streams');
	};

	const delayMs = (): number => {
		if (entries.length === 0) return 0;
		let ms = 0;
		for (const e of active()) {
			if (e.fault.kind !== 'latency') continue;
			ms += e.fault.ms + random() * (e.fault.jitterMs ?? 0);
			effect(e);
		}
		return ms;
	};

	/** Connection-level faults for a link that just became known (or for every link when a fault starts). */
	const judge = (link: Link, only?: Entry): void => {
		if (link.closed || link.stream === null) return;
		for (const e of only ? [only] : [...active()]) {
			if (link.closed) return;
			if (link.judged.has(e.id)) continue;
			const {fault} = e;
			switch (fault.kind) {
				case 'drop-websockets':
					if (!link.stream) continue;
					link.judged.add(e.id);
					effect(e);
					destroy(link, false);
					return;
				case 'stall-streams':
					if (!link.stream) continue;
					link.judged.add(e.id);
					effect(e);
					continue;
				case 'reset':
					// REST is judged per request (in `accept`); a stream once, as it starts or is found.
					if (!link.stream || !inScope(fault.scope, link.stream)) continue;
					link.judged.add(e.id);
					if (random() < fault.probability) {
						effect(e);
						destroy(link, true);
						return;
					}
					continue;
				case 'blackhole':
					if (!inScope(fault.scope, link.stream)) continue;
					link.judged.add(e.id);
					if (random() < (fault.probability ?? 1)) {
						link.silencedBy.add(e.id);
						effect(e);
					}
					continue;
				case 'latency':
					continue;
			}
		}
	};

	/** Per chunk from the client: classify a plaintext tunnel, and reset REST requests (once per request). */
	const acceptUp = (link: Link, chunk: Buffer): boolean => {
		stats.bytes.up += chunk.length;
		if (link.stream === null) {
			const text = chunk.subarray(0, 4096).toString('latin1');
			const headEnd = text.indexOf('\r\n\r\n');
			classify(link, requestLine.test(text) && wsUpgrade.test(headEnd < 0 ? text : text.slice(0, headEnd)));
			judge(link);
			if (link.closed) return false;
		}
		// A plain link is one request, judged as it arrived (its body chunks are not new requests).
		if (link.stream === true || link.kind === 'plain') return true;
		return !link.bursts.up(chunk) || !resetRequest(link);
	};

	/** A REST request going out: reset it (and its connection) with the reset fault's probability. */
	const resetRequest = (link: Link): boolean => {
		if (entries.length === 0) return false;
		for (const e of active()) {
			if (e.fault.kind !== 'reset' || !inScope(e.fault.scope, false)) continue;
			if (random() < e.fault.probability) {
				effect(e);
				destroy(link, true);
				return true;
			}
		}
		return false;
	};

	const classify = (link: Link, stream: boolean): void => {
		if (link.stream !== null) return;
		link.stream = stream;
		if (stream) stats.connections.streams++;
		else stats.connections.rest++;
	};

	/** Marks a link gone (idempotent); true the first time. */
	const forget = (link: Link): boolean => {
		if (link.closed) return false;
		link.closed = true;
		links.delete(link);
		stats.connections.open--;
		for (const pipe of link.pipes) pipe.close();
		return true;
	};

	const destroy = (link: Link, reset: boolean): void => {
		if (!forget(link)) return;
		const client = link.client as Duplex & {resetAndDestroy?: () => void};
		if (reset && typeof client.resetAndDestroy === 'function' && !client.destroyed) client.resetAndDestroy();
		else client.destroy();
		link.upstream?.destroy();
	};

	const kickAll = (): void => {
		for (const link of links) for (const pipe of link.pipes) pipe.kick();
	};

	const remove = (entry: Entry): void => {
		if (!entries.includes(entry)) return;
		if (entry.timer) clearTimeout(entry.timer);
		entries = entries.filter(e => e !== entry);
		ended.set(entry.id, entry);
		if (ended.size > 256) ended.delete(ended.keys().next().value!);
		for (const link of links) {
			link.silencedBy.delete(entry.id);
			link.judged.delete(entry.id);
		}
		// Released after the current tick so a caller's clear() returns before data flows again.
		setImmediate(kickAll);
	};

	// --- links ------------------------------------------------------------------------------------------

	const newLink = (kind: LinkKind, client: Duplex, targetHost: string, targetPort: number): Link => {
		const link: Link = {id: nextLink++, kind, host: targetHost, port: targetPort, stream: null, client, upstream: null, pipes: [], judged: new Set(), silencedBy: new Set(), bursts: new RequestBursts(), closed: false};
		links.add(link);
		stats.connections.total++;
		stats.connections.open++;
		if (kind === 'tunnel') stats.connections.tunnels++;
		else if (kind === 'plain') stats.connections.plain++;
		else stats.connections.upgrades++;
		// A plain request shares its client socket with the requests after it: its response's close ends it.
		if (kind !== 'plain') {
			client.on('error', () => destroy(link, false));
			client.on('close', () => destroy(link, false));
		}
		return link;
	};

	const hooks = (link: Link, direction: 'up' | 'down', onEnd: () => void) => ({
		accept: (chunk: Buffer) => {
			if (link.closed) return false;
			if (direction === 'up') return acceptUp(link, chunk);
			stats.bytes.down += chunk.length;
			if (link.stream !== true) link.bursts.down(chunk);
			return true;
		},
		delayMs,
		held: () => held(link),
		ended: onEnd,
		queued: (bytes: number) => {
			if (bytes > stats.peakQueuedBytes) stats.peakQueuedBytes = bytes;
		},
	});

	/** Both directions between a client socket and a raw upstream socket (tunnels and upgrades). */
	const splice = (link: Link, upstream: net.Socket, head: Buffer, preamble: Buffer | null): void => {
		link.upstream = upstream;
		if (preamble) upstream.write(preamble);
		const up = new Pipe(link.client, upstream, hooks(link, 'up', () => upstream.end()), highWater);
		const down = new Pipe(upstream, link.client, hooks(link, 'down', () => link.client.end()), highWater);
		link.pipes.push(up, down);
		up.feed(head);
	};

	const dial = (targetHost: string, targetPort: number, onReady: (socket: net.Socket) => void, onFail: (reason: string, code: string) => void): net.Socket => {
		const socket = net.connect({host: targetHost, port: targetPort, autoSelectFamily: true});
		socket.setNoDelay(true);
		let settled = false;
		const timer = setTimeout(() => {
			settled = true;
			socket.destroy();
			onFail(`no connection to ${targetHost}:${targetPort} within ${connectTimeoutMs} ms`, 'ETIMEDOUT');
		}, connectTimeoutMs);
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
	};

	/** Answers a CONNECT/upgrade it cannot serve: the reason in the body, the system code in a header (the tunnel agent rethrows both). */
	const refuse = (socket: Duplex, status: number, reason: string, code?: string): void => {
		if (status < 500) stats.connections.refused++;
		socket.on('error', () => {});
		const codeHeader = code && /^[A-Z0-9_]+$/.test(code) ? `x-drydock-error-code: ${code}\r\n` : '';
		socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: text/plain\r\nconnection: close\r\n${codeHeader}content-length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
	};

	const server = http.createServer();
	// Tunnels and long polls live as long as the client wants; the client's own timers decide.
	server.requestTimeout = 0;
	server.headersTimeout = 30_000;

	/** Dials the target of a CONNECT or upgrade with the client paused; `start` splices the two once connected. */
	const connectLink = (link: Link, socket: Duplex, host: string, port: number, start: (ready: net.Socket) => void): void => {
		socket.pause();
		const upstream = dial(
			host,
			port,
			ready => {
				if (link.closed) return void ready.destroy();
				start(ready);
				socket.resume();
			},
			(reason, code) => {
				stats.connections.failed++;
				if (!forget(link)) return;
				refuse(socket, code === 'ETIMEDOUT' ? 504 : 502, reason, code);
			},
		);
		link.upstream = upstream;
		upstream.on('close', () => {
			// Clean end: the down pipe ends the client once flushed; errors cut both at once.
			if (upstream.errored) destroy(link, false);
		});
	};

	server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
		const authority = parseAuthority(req.url ?? '');
		if (closing || !authority) return refuse(socket, 400, `bad CONNECT target "${req.url ?? ''}" (expected host:port)`);
		if (!allow(authority.host, authority.port)) return refuse(socket, 403, `target ${authority.host}:${authority.port} not allowed`);
		const link = newLink('tunnel', socket, authority.host, authority.port);
		// TLS and other non-plaintext traffic can only be told apart by the target host.
		if (isStreamHost(authority.host, authority.port)) {
			classify(link, true);
			judge(link);
			if (link.closed) return;
		}
		connectLink(link, socket, authority.host, authority.port, ready => {
			socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			splice(link, ready, head, null);
		});
	});

	server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
		const target = parseAbsolute(req.url ?? '');
		if (closing || !target) return refuse(socket, 400, `a proxy needs an absolute-form URL (ws://host:port/path), got "${req.url ?? ''}"`);
		if (!allow(target.host, target.port)) return refuse(socket, 403, `target ${target.host}:${target.port} not allowed`);
		const link = newLink('upgrade', socket, target.host, target.port);
		classify(link, wsUpgrade.test(`\r\nupgrade: ${String(req.headers.upgrade ?? '')}`) || isStreamHost(target.host, target.port));
		judge(link);
		if (link.closed) return;
		connectLink(link, socket, target.host, target.port, ready => splice(link, ready, head, requestHead(req, target.path)));
	});

	server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
		const target = parseAbsolute(req.url ?? '');
		if (closing || !target || target.secure) {
			stats.connections.refused++;
			res.writeHead(400, {'content-type': 'text/plain', 'connection': 'close'}).end(target?.secure ? 'https:// goes through CONNECT' : `a proxy needs an absolute-form URL (http://host:port/path), got "${req.url ?? ''}"`);
			return;
		}
		if (!allow(target.host, target.port)) {
			stats.connections.refused++;
			res.writeHead(403, {'content-type': 'text/plain', 'connection': 'close'}).end(`target ${target.host}:${target.port} not allowed`);
			return;
		}
		// One upstream connection per request (connection: close), so a request is a link of its own.
		const link = newLink('plain', req.socket, target.host, target.port);
		classify(link, false);
		judge(link);
		if (link.closed || resetRequest(link)) return;
		const headers = forwardHeaders(req.rawHeaders);
		let upstreamReq: http.ClientRequest;
		try {
			upstreamReq = http.request({host: target.host, port: target.port, method: req.method, path: target.path, headers: [...headers, 'connection', 'close'], setHost: false, agent: false});
		} catch (error) {
			// A request Node will not send on (a bad header or path): refused, the proxy goes on.
			stats.connections.refused++;
			forget(link);
			res.writeHead(400, {'content-type': 'text/plain', 'connection': 'close'}).end(`cannot forward: ${error instanceof Error ? error.message : String(error)}`);
			return;
		}
		link.upstream = upstreamReq;
		upstreamReq.on('error', error => {
			if (link.closed) return;
			if (!res.headersSent) {
				stats.connections.failed++;
				forget(link);
				res.writeHead(502, {'content-type': 'text/plain', 'connection': 'close'}).end(`${target.host}:${target.port}: ${error.message}`);
			} else destroy(link, false);
		});
		link.pipes.push(new Pipe(req, upstreamReq, hooks(link, 'up', () => upstreamReq.end()), highWater));
		upstreamReq.on('response', upstreamRes => {
			if (link.closed) return void upstreamRes.destroy();
			const down = new Pipe(upstreamRes, res, hooks(link, 'down', () => res.end()), highWater);
			link.pipes.push(down);
			// The head travels with the body: delayed and held like it.
			down.schedule(() => {
				if (res.headersSent) return;
				try {
					res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, forwardHeaders(upstreamRes.rawHeaders));
				} catch {
					// A response head Node refuses to write (invalid header): the client sees the connection cut.
					destroy(link, false);
				}
			});
		});
		res.on('close', () => {
			if (forget(link)) upstreamReq.destroy();
		});
	});

	server.on('clientError', (_error, socket) => {
		if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
		else socket.destroy();
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address() as net.AddressInfo;
	const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

	return {
		url,
		port: address.port,
		inject(fault, durationMs) {
			if (durationMs !== undefined && (!Number.isFinite(durationMs) || durationMs <= 0)) throw new RangeError('durationMs must be a positive number of milliseconds');
			const now = Date.now();
			const entry: Entry = {id: `p${nextFault++}`, fault: {...fault}, startedAt: now, expiresAt: durationMs === undefined ? null : now + durationMs, effects: 0, timer: null};
			if (durationMs !== undefined) {
				entry.timer = setTimeout(() => remove(entry), durationMs);
				entry.timer.unref();
			}
			// A one-shot drop has nothing to keep doing afterwards.
			if (fault.kind !== 'drop-websockets' || durationMs !== undefined) entries.push(entry);
			for (const link of [...links]) judge(link, entry);
			if (!entries.includes(entry)) {
				ended.set(entry.id, entry);
				if (ended.size > 256) ended.delete(ended.keys().next().value!);
			}
			return entry.id;
		},
		clear(which) {
			const doomed = entries.filter(e => (which === undefined ? true : 'id' in which ? e.id === which.id : e.fault.kind === which.kind));
			for (const e of doomed) remove(e);
			return doomed.length;
		},
		active: () => active().map(view),
		fault(id) {
			const entry = entries.find(e => e.id === id) ?? ended.get(id);
			return entry ? view(entry) : null;
		},
		stats: () => ({...stats, connections: {...stats.connections}, bytes: {...stats.bytes}, effects: {...stats.effects}}),
		setStreamHosts(hosts) {
			streamHosts = new Set(hosts.map(h => h.toLowerCase()));
		},
		async close() {
			if (closing) return;
			closing = true;
			for (const e of [...entries]) if (e.timer) clearTimeout(e.timer);
			entries = [];
			for (const link of [...links]) destroy(link, false);
			await new Promise<void>(resolve => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
}

function view({timer: _timer, ...entry}: Entry): ActiveProxyFault {
	return {...entry, fault: {...entry.fault}};
}

/** `host:port` or `[v6]:port` of a CONNECT request. */
function parseAuthority(value: string): {host: string; port: number} | null {
	const match = /^(?:\[([^\]]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value);
	if (!match) return null;
	const port = Number(match[3]);
	if (port <= 0 || port > 65_535) return null;
	return {host: (match[1] ?? match[2])!, port};
}

/** An absolute-form request target: http(s):// or ws(s):// URL. */
function parseAbsolute(value: string): {host: string; port: number; path: string; secure: boolean} | null {
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
function forwardHeaders(raw: readonly string[], keepConnection = false): string[] {
	const out: string[] = [];
	for (let i = 0; i + 1 < raw.length; i += 2) {
		const name = raw[i]!.toLowerCase();
		if (hopHeaders.has(name) || (!keepConnection && name === 'connection')) continue;
		out.push(raw[i]!, raw[i + 1]!);
	}
	return out;
}

/** The request head to send upstream for an upgrade, in origin form. */
function requestHead(req: http.IncomingMessage, path: string): Buffer {
	const headers = forwardHeaders(req.rawHeaders, true);
	let text = `${req.method ?? 'GET'} ${path} HTTP/1.1\r\n`;
	for (let i = 0; i + 1 < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
	return Buffer.from(`${text}\r\n`, 'latin1');
}
