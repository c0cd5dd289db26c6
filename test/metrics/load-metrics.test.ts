/** /metrics for `drydock load`: scraped while a real LoadRunner drives a loopback HTTP server. */
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {describe, expect, it} from 'vitest';
import {LoadRunner} from '../../source/load/runner.js';
import {startLoadMetricsServer} from '../../source/metrics/index.js';
import {scrape} from './helpers.js';

describe('startLoadMetricsServer', () => {
	it('reports users, requests, failures and percentiles per name during and after a run', async () => {
		const target = createServer((req, res) => {
			req.resume();
			res.writeHead(req.url === '/bad' ? 503 : 200, {'content-type': 'text/plain'}).end('ok');
		});
		await new Promise<void>(resolve => target.listen(0, '127.0.0.1', resolve));
		const host = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
		const runner = new LoadRunner({
			scenario: {
				wait: {constant: 0.01},
				tasks: [
					{name: 'good', weight: 3, run: user => user.get('/good')},
					{name: 'bad', run: user => user.get('/bad')},
				],
			},
			host,
			users: 3,
			spawnRate: Infinity,
			runTimeMs: 1200,
			publishIntervalMs: 50,
		});
		const server = await startLoadMetricsServer(runner, {port: 0});
		try {
			const done = runner.run();
			await new Promise(resolve => setTimeout(resolve, 600));
			const {scrape: during} = await scrape(server.url);
			expect(during.value('drydock_load_status', {status: 'running'})).toBe(1);
			expect(during.value('drydock_load_users', {kind: 'current'})).toBe(3);
			await done;
			const {scrape: m} = await scrape(server.url);
			const snapshot = runner.getSnapshot();
			expect(m.value('drydock_load_status', {status: 'finished'})).toBe(1);
			expect(m.value('drydock_load_requests_total', {name: 'Aggregated'})).toBe(snapshot.total.requests);
			expect(m.value('drydock_load_requests_total', {name: '/good'})).toBeGreaterThan(10);
			expect(m.value('drydock_load_failures_total', {name: '/bad'})).toBe(
				m.value('drydock_load_requests_total', {name: '/bad'}),
			);
			expect(m.value('drydock_load_failures_total', {name: '/good'})).toBe(0);
			expect(m.value('drydock_load_latency_milliseconds', {name: 'Aggregated', quantile: '99%'})).toBe(
				snapshot.total.percentiles['99%'],
			);
		} finally {
			await server.close();
			await new Promise(resolve => target.close(resolve));
		}
	}, 15_000);
});
