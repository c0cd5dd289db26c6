/**
 * The proxy's listening socket: loopback only, with each kind of request handed to its handler
 * (CONNECT → tunnel, upgrade → upgrade, absolute-form request → forward).
 */
import http from 'node:http';
import net from 'node:net';
import type {ProxyState} from './proxy-state.js';
import {serveRequest} from './forward.js';
import {serveConnect} from './tunnel.js';
import {serveUpgrade} from './upgrade.js';

/** 127.0.0.0/8, ::1 and localhost: the only places the proxy may listen. */
export function isLoopbackHost(host: string): boolean {
	const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
	if (bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
	return net.isIPv4(bare) && bare.startsWith('127.');
}

/** Listens on `host:port` (a loopback host, checked by the caller) and serves every request with `state`. */
export async function listen(
	state: ProxyState,
	host: string,
	port: number,
): Promise<{server: http.Server; url: string; port: number}> {
	const server = http.createServer();
	// Tunnels and long polls live as long as the client wants; the client's own timers decide.
	server.requestTimeout = 0;
	server.headersTimeout = 30_000;
	server.on('connect', (req, socket, head) => serveConnect(state, req, socket, head));
	server.on('upgrade', (req, socket, head) => serveUpgrade(state, req, socket, head));
	server.on('request', (req, res) => serveRequest(state, req, res));
	server.on('clientError', (_error, socket) => {
		if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
		else socket.destroy();
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address() as net.AddressInfo;
	return {
		server,
		url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
		port: address.port,
	};
}
