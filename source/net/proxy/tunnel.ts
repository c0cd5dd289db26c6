/** `CONNECT host:port`: an opaque tunnel (https:// and wss:// keep TLS end to end; the proxy never sees inside). */
import type http from 'node:http';
import type {Duplex} from 'node:stream';
import {refuse} from './dial.js';
import {parseAuthority} from './http-forms.js';
import type {ProxyState} from './proxy-state.js';
import {connectLink, splice} from './raw-link.js';

export function serveConnect(state: ProxyState, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
	const authority = parseAuthority(req.url ?? '');
	if (state.closing() || !authority)
		return refuse(state.stats, socket, 400, `bad CONNECT target "${req.url ?? ''}" (expected host:port)`);
	if (!state.allow(authority.host, authority.port))
		return refuse(state.stats, socket, 403, `target ${authority.host}:${authority.port} not allowed`);
	const link = state.links.open('tunnel', socket, authority.host, authority.port);
	// TLS and other non-plaintext traffic can only be told apart by the target host.
	if (state.isStreamHost(authority.host, authority.port) && !state.effects.admit(link, true)) return;
	connectLink(state, link, socket, authority.host, authority.port, ready => {
		socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		splice(state, link, ready, head, null);
	});
}
