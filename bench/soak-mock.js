// Child process for bench/soak.bench.js: the mock exchange with its order and weight limits lifted, so
// a 200 operations/s soak measures drydock, not the venue's rate limiter. Prints its URLs as JSON.
import {startMockExchange} from '../dist/mock/index.js';

const mock = await startMockExchange({
	host: '127.0.0.1',
	port: 0,
	seed: 7,
	ordersPer10s: 1_000_000,
	ordersPerDay: 1_000_000_000,
	weightLimitPerMinute: 100_000_000,
});
process.stdout.write(JSON.stringify({rest: mock.rest, ws: mock.ws, admin: mock.admin, pid: process.pid}) + '\n');
const stop = async () => {
	await mock.close();
	process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
