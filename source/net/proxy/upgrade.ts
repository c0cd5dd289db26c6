/** An absolute-form upgrade (ws:// to the embedded mock): a stream link spliced to the target after its request head. */
import type http from 'node:http';
import type {Duplex} from 'node:stream';
import {refuse} from './dial.js';
import {parseAbsolute, requestHead, wsUpgrade} from './http-forms.js';
import type {ProxyState} from './proxy-state.js';
import {connectLink, splice} from './raw-link.js';

export function serveUpgrade(state: ProxyState, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
	const target = parseAbsolute(req.url ?? '');
	if (state.closing() || !target)
		return refuse(
			state.stats,
			socket,
			400,
			`a proxy needs an absolute-form URL (ws://host:port/path), got "${req.url ?? ''}"`,
		);
	if (!state.allow(target.host, target.port))
		return refuse(state.stats, socket, 403, `target ${target.host}:${target.port} not allowed`);
	const link = state.links.open('upgrade', socket, target.host, target.port);
	if (
		!state.effects.admit(
			link,
			wsUpgrade.test(`\r\nupgrade: ${String(req.headers.upgrade ?? '')}`) ||
				state.isStreamHost(target.host, target.port),
		)
	)
		return;
	connectLink(state, link, socket, target.host, target.port, ready =>
		splice(state, link, ready, head, requestHead(req, target.path)),
	);
}
