/** Log lines (INFO/ERROR on stdout, one per line) and optional StatsD over UDP (DRYDOCK_STATSD=host:port). */
import dgram from 'node:dgram';

export function createTelemetry(statsd) {
	let target;
	let socket;
	if (statsd) {
		const colon = statsd.lastIndexOf(':');
		const port = Number(statsd.slice(colon + 1));
		if (colon <= 0 || !Number.isInteger(port) || port <= 0)
			throw new Error(`DRYDOCK_STATSD must be host:port, got "${statsd}"`);
		target = {host: statsd.slice(0, colon), port};
		socket = dgram.createSocket('udp4');
		socket.unref();
		// Metrics are best effort: a refused datagram must never take the bot down.
		socket.on('error', () => {});
	}
	const send = line => {
		if (socket) socket.send(line, target.port, target.host);
	};
	const line = (level, message) =>
		process.stdout.write(`${new Date().toISOString().slice(0, 19)} ${level} ${message}\n`);
	return {
		info: message => line('INFO', message),
		error(message) {
			line('ERROR', message);
			send('bot.errors:1|c');
		},
		cycle: ms => send(`bot.cycle:${ms.toFixed(1)}|ms`),
	};
}
