/**
 * An absolute-form plain HTTP request (http:// to the embedded mock): forwarded on an upstream
 * connection of its own (connection: close), so each request is a link that faults judge by itself.
 */
import http from 'node:http';
import {forwardHeaders, parseAbsolute} from './http-forms.js';
import {Pipe} from './pipe.js';
import type {ProxyState} from './proxy-state.js';

export function serveRequest(state: ProxyState, req: http.IncomingMessage, res: http.ServerResponse): void {
	const {stats, links, effects} = state;
	const target = parseAbsolute(req.url ?? '');
	if (state.closing() || !target || target.secure) {
		stats.connections.refused++;
		res
			.writeHead(400, {'content-type': 'text/plain', connection: 'close'})
			.end(
				target?.secure
					? 'https:// goes through CONNECT'
					: `a proxy needs an absolute-form URL (http://host:port/path), got "${req.url ?? ''}"`,
			);
		return;
	}
	if (!state.allow(target.host, target.port)) {
		stats.connections.refused++;
		res
			.writeHead(403, {'content-type': 'text/plain', connection: 'close'})
			.end(`target ${target.host}:${target.port} not allowed`);
		return;
	}
	// One upstream connection per request (connection: close), so a request is a link of its own.
	const link = links.open('plain', req.socket, target.host, target.port);
	if (!effects.admit(link, false) || effects.resetRequest(link)) return;
	const headers = forwardHeaders(req.rawHeaders);
	let upstreamReq: http.ClientRequest;
	try {
		upstreamReq = http.request({
			host: target.host,
			port: target.port,
			method: req.method,
			path: target.path,
			headers: [...headers, 'connection', 'close'],
			setHost: false,
			agent: false,
		});
	} catch (error) {
		// A request Node will not send on (a bad header or path): refused, the proxy goes on.
		stats.connections.refused++;
		links.forget(link);
		res
			.writeHead(400, {'content-type': 'text/plain', connection: 'close'})
			.end(`cannot forward: ${error instanceof Error ? error.message : String(error)}`);
		return;
	}
	link.upstream = upstreamReq;
	upstreamReq.on('error', error => {
		if (link.closed) return;
		if (!res.headersSent) {
			stats.connections.failed++;
			links.forget(link);
			res
				.writeHead(502, {'content-type': 'text/plain', connection: 'close'})
				.end(`${target.host}:${target.port}: ${error.message}`);
		} else links.destroy(link, false);
	});
	link.pipes.push(
		new Pipe(
			req,
			upstreamReq,
			effects.hooks(link, 'up', () => upstreamReq.end()),
			state.highWater,
		),
	);
	upstreamReq.on('response', upstreamRes => {
		if (link.closed) return void upstreamRes.destroy();
		const down = new Pipe(
			upstreamRes,
			res,
			effects.hooks(link, 'down', () => res.end()),
			state.highWater,
		);
		link.pipes.push(down);
		// The head travels with the body: delayed and held like it.
		down.schedule(() => {
			if (res.headersSent) return;
			try {
				res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, forwardHeaders(upstreamRes.rawHeaders));
			} catch {
				// A response head Node refuses to write (invalid header): the client sees the connection cut.
				links.destroy(link, false);
			}
		});
	});
	res.on('close', () => {
		if (links.forget(link)) upstreamReq.destroy();
	});
}
