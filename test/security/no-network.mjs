/**
 * Preload (node --import) for tests that run a non-mock profile: every socket connection and DNS
 * lookup to anything but loopback fails at once with ENOTFOUND, before a lookup or a packet leaves
 * the process. Blocked hosts are appended to $DRYDOCK_BLOCKED_LOG. $DRYDOCK_BLOCK_ALSO (comma list)
 * blocks extra loopback addresses, so a test can prove the interception works without real traffic.
 */
import dns from 'node:dns';
import net from 'node:net';
import {appendFileSync} from 'node:fs';

const log = process.env.DRYDOCK_BLOCKED_LOG;
const extra = new Set((process.env.DRYDOCK_BLOCK_ALSO ?? '').split(',').filter(Boolean));

function allowed(host) {
	if (host === undefined || host === null || host === '') return true;
	const h = String(host).replace(/^\[|\]$/g, '');
	if (extra.has(h)) return false;
	return h === 'localhost' || h === '::1' || /^127\./.test(h) || h === '::ffff:127.0.0.1';
}

function blocked(host) {
	if (log) appendFileSync(log, `${host}\n`);
	return Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {
		code: 'ENOTFOUND',
		errno: -3008,
		syscall: 'getaddrinfo',
		hostname: host,
	});
}

/** The destination host of Socket#connect's many call shapes; undefined for IPC paths. */
function hostOf(args) {
	let first = args[0];
	// net.connect passes its normalized arguments as one array.
	if (Array.isArray(first)) first = first[0];
	if (first !== null && typeof first === 'object') return first.path ? undefined : (first.host ?? 'localhost');
	if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first)))
		return typeof args[1] === 'string' ? args[1] : 'localhost';
	return undefined;
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
	const host = hostOf(args);
	if (host !== undefined && !allowed(host)) {
		const error = blocked(host);
		process.nextTick(() => this.destroy(error));
		return this;
	}
	return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function (hostname, ...rest) {
	if (!allowed(hostname)) {
		const callback = rest.at(-1);
		const error = blocked(hostname);
		if (typeof callback === 'function') process.nextTick(() => callback(error));
		return {};
	}
	return lookup.call(this, hostname, ...rest);
};

const promisesLookup = dns.promises.lookup;
dns.promises.lookup = function (hostname, ...rest) {
	if (!allowed(hostname)) return Promise.reject(blocked(hostname));
	return promisesLookup.call(this, hostname, ...rest);
};
