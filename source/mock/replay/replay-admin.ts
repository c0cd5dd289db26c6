/**
 * GET /__drydock/replay: where the replay is (position, clock, speed, loops, progress);
 * POST /__drydock/replay {speed?: 1|10|"max"|N, paused?: boolean} steers it.
 */
import type {ReplayDriver, ReplaySpeed, ReplayStatus} from './replay-driver.js';
import type {QueuePositions} from './queue-position.js';

export type ReplayAdminReply = {status: number; value: unknown};

export function parseSpeed(value: unknown): ReplaySpeed | undefined {
	if (value === 'max') return 'max';
	const n = typeof value === 'string' ? Number(value) : value;
	return typeof n === 'number' && Number.isFinite(n) && n > 0 && n <= 1_000_000 ? n : undefined;
}

export function replayAdmin(
	driver: ReplayDriver,
	queue: QueuePositions,
	method: string,
	body: unknown,
): ReplayAdminReply {
	if (method === 'GET') return {status: 200, value: {...driver.status(), queue: queue.list()}};
	if (method !== 'POST') return {status: 405, value: {code: -1000, msg: `method ${method} not allowed on /replay`}};
	const change = (body ?? {}) as {speed?: unknown; paused?: unknown};
	if (change.speed !== undefined) {
		const speed = parseSpeed(change.speed);
		if (speed === undefined)
			return {status: 400, value: {code: -1102, msg: '"speed" must be a positive number or "max"'}};
		driver.setSpeed(speed);
	}
	if (change.paused !== undefined) {
		if (typeof change.paused !== 'boolean')
			return {status: 400, value: {code: -1102, msg: '"paused" must be true or false'}};
		if (change.paused) driver.pause();
		else driver.resume();
	}
	const status: ReplayStatus = driver.status();
	return {status: 200, value: status};
}
