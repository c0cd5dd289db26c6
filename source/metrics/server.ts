/**
 * The /metrics endpoint: a plain node:http server over one prom-client Registry. Bound to 127.0.0.1
 * unless told otherwise; a bad port or a taken address is a configuration error (UsageError, exit 2).
 */
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import type {Registry} from 'prom-client';
import {UsageError} from '../util/usage-error.js';

export interface MetricsServerOptions {
	port: number;
	/** Default 127.0.0.1; `--metrics-host 0.0.0.0` exposes it to the network on purpose. */
	host?: string;
}

export interface MetricsServer {
	/** e.g. http://127.0.0.1:9464/metrics */
	url: string;
	host: string;
	port: number;
	registry: Registry;
	close(): Promise<void>;
}

export async function serveRegistry(registry: Registry, options: MetricsServerOptions): Promise<MetricsServer> {
	const host = options.host ?? '127.0.0.1';
	if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535)
		throw new UsageError(`--metrics-port: ${options.port} is not a port (0–65535)`);
	const server = createServer((req, res) => {
		const path = (req.url ?? '/').split('?')[0];
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.writeHead(405, {allow: 'GET, HEAD'}).end();
			return;
		}
		if (path !== '/metrics') {
			res.writeHead(404, {'content-type': 'text/plain'}).end('drydock: metrics are at /metrics\n');
			return;
		}
		registry.metrics().then(
			body => {
				res.writeHead(200, {'content-type': registry.contentType, 'cache-control': 'no-store'});
				res.end(req.method === 'HEAD' ? undefined : body);
			},
			(error: unknown) => {
				res
					.writeHead(500, {'content-type': 'text/plain'})
					.end(`drydock: metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
			},
		);
	});
	// Keep-alive scrapers must not hold the process open at the end of a run.
	server.keepAliveTimeout = 5_000;
	await new Promise<void>((resolve, reject) => {
		const onError = (error: NodeJS.ErrnoException) => {
			const why =
				error.code === 'EADDRINUSE'
					? 'address in use'
					: error.code === 'EACCES'
						? 'permission denied'
						: error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
							? 'no such local address'
							: error.message;
			reject(new UsageError(`--metrics-port ${options.port} --metrics-host ${host}: cannot listen: ${why}`));
		};
		server.once('error', onError);
		server.listen(options.port, host, () => {
			server.off('error', onError);
			resolve();
		});
	});
	server.unref();
	const port = (server.address() as AddressInfo).port;
	const shownHost = host.includes(':') ? `[${host}]` : host;
	return {
		url: `http://${shownHost}:${port}/metrics`,
		host,
		port,
		registry,
		close: () =>
			new Promise<void>(resolve => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
