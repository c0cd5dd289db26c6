/**
 * A hostile REST venue on loopback. exchangeInfo is the real mock's (fetched once), so ccxt can load
 * markets; every other request gets whatever the test's handler does with the raw response: bad
 * bodies, bad statuses, silence, resets mid-body.
 */
import http from 'node:http';
import type {AddressInfo, Socket} from 'node:net';

export type HostileHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

export interface HostileHttp {
	url: string;
	/** Handler for everything but exchangeInfo. */
	handle(handler: HostileHandler): void;
	requests(): number;
	close(): Promise<void>;
}

export async function startHostileHttp(options: {exchangeInfo?: string} = {}): Promise<HostileHttp> {
	let handler: HostileHandler = (_req, res) => {
		res.writeHead(200, {'content-type': 'application/json'}).end('{}');
	};
	let count = 0;
	const sockets = new Set<Socket>();
	const server = http.createServer((request, response) => {
		count++;
		request.resume();
		const path = (request.url ?? '/').split('?')[0];
		if (path === '/api/v3/exchangeInfo' && options.exchangeInfo !== undefined) {
			response.writeHead(200, {'content-type': 'application/json'}).end(options.exchangeInfo);
			return;
		}
		try {
			handler(request, response);
		} catch {
			response.destroy();
		}
	});
	server.on('connection', socket => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}`,
		handle(next) {
			handler = next;
		},
		requests: () => count,
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}

/** The mock's exchangeInfo text, for a hostile venue to serve. */
export async function exchangeInfoOf(rest: string): Promise<string> {
	const response = await fetch(`${rest}/api/v3/exchangeInfo`);
	return response.text();
}
