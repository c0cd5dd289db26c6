/** A local TLS venue for the gateway's tests: the embedded mock behind a TLS terminator with a self-signed certificate. */
import net from 'node:net';
import tls from 'node:tls';
import {startGateway, type Gateway, type GatewayOptions} from '../../../source/mock/gateway/index.js';
import type {MockExchange, MockExchangeOptions} from '../../../source/mock/index.js';
import {startMock} from '../helpers.js';
import {localhostCert} from '../../net/helpers.js';

export interface TlsVenue {
	mock: MockExchange;
	/** https://127.0.0.1:P, wss://127.0.0.1:P, wss://127.0.0.1:P/ws-api/v3 */
	upstream: GatewayOptions['upstream'];
	cert: Buffer;
	/** TLS connections the terminator accepted (each a connection the gateway opened to the "venue"). */
	connections(): number;
	gateway(options?: Partial<GatewayOptions>): Promise<Gateway>;
	close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 and localhost (test/net's helper); these tests need openssl. */
export function selfSigned(): {key: Buffer; cert: Buffer} {
	const made = localhostCert();
	if (!made) throw new Error('openssl is needed to make the TLS venue a certificate');
	return made;
}

export async function startTlsVenue(options: MockExchangeOptions = {}): Promise<TlsVenue> {
	const mock = await startMock(options);
	const {key, cert} = selfSigned();
	const sockets = new Set<net.Socket>();
	let accepted = 0;
	// Terminates TLS and splices the plain bytes to the mock's port: HTTP and WebSocket upgrades alike.
	const front = tls.createServer({key, cert}, secure => {
		accepted++;
		const plain = net.connect(mock.port, '127.0.0.1');
		sockets.add(secure);
		sockets.add(plain);
		secure.pipe(plain).pipe(secure);
		const end = (): void => {
			secure.destroy();
			plain.destroy();
			sockets.delete(secure);
			sockets.delete(plain);
		};
		secure.on('error', end).on('close', end);
		plain.on('error', end).on('close', end);
	});
	await new Promise<void>(resolve => front.listen(0, '127.0.0.1', resolve));
	const port = (front.address() as net.AddressInfo).port;
	const upstream = {
		rest: `https://127.0.0.1:${port}`,
		ws: `wss://127.0.0.1:${port}`,
		wsApi: `wss://127.0.0.1:${port}/ws-api/v3`,
	};
	const gateways: Gateway[] = [];
	return {
		mock,
		upstream,
		cert,
		connections: () => accepted,
		async gateway(extra = {}) {
			const gateway = await startGateway({upstream, tls: {ca: cert}, ...extra});
			gateways.push(gateway);
			return gateway;
		},
		async close() {
			await Promise.all(gateways.map(g => g.close()));
			for (const socket of sockets) socket.destroy();
			await new Promise(resolve => front.close(resolve));
			await mock.close();
		},
	};
}
