/**
 * A client socket joined to a raw upstream socket (CONNECT tunnels and WebSocket upgrades): dial the
 * target with the client paused, then splice both directions through fault-applying pipes.
 */
import type net from 'node:net';
import type {Duplex} from 'node:stream';
import {dial, refuse} from './dial.js';
import type {Link} from './links.js';
import {Pipe} from './pipe.js';
import type {ProxyState} from './proxy-state.js';

/** Dials the target of a CONNECT or upgrade with the client paused; `start` splices the two once connected. */
export function connectLink(
	state: ProxyState,
	link: Link,
	socket: Duplex,
	host: string,
	port: number,
	start: (ready: net.Socket) => void,
): void {
	socket.pause();
	const upstream = dial(
		host,
		port,
		state.connectTimeoutMs,
		ready => {
			if (link.closed) return void ready.destroy();
			start(ready);
			socket.resume();
		},
		(reason, code) => {
			state.stats.connections.failed++;
			if (!state.links.forget(link)) return;
			refuse(state.stats, socket, code === 'ETIMEDOUT' ? 504 : 502, reason, code);
		},
	);
	link.upstream = upstream;
	upstream.on('close', () => {
		// Clean end: the down pipe ends the client once flushed; errors cut both at once.
		if (upstream.errored) state.links.destroy(link, false);
	});
}

/** Both directions between a client socket and a raw upstream socket. */
export function splice(
	state: ProxyState,
	link: Link,
	upstream: net.Socket,
	head: Buffer,
	preamble: Buffer | null,
): void {
	link.upstream = upstream;
	if (preamble) upstream.write(preamble);
	const up = new Pipe(
		link.client,
		upstream,
		state.effects.hooks(link, 'up', () => upstream.end()),
		state.highWater,
	);
	const down = new Pipe(
		upstream,
		link.client,
		state.effects.hooks(link, 'down', () => link.client.end()),
		state.highWater,
	);
	link.pipes.push(up, down);
	up.feed(head);
}
