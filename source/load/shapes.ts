/**
 * Load shapes: functions of elapsed seconds → {users, spawnRate} (or null to end the run), built
 * from `--shape steps:100,500,1000@60s`, `--shape stages:30s:100,1m:100,30s:0`, a JSON/YAML shape
 * file, a scenario's `stages`, or a scenario's own `shape` function.
 */
import {readFile} from 'node:fs/promises';
import {z} from 'zod';
import {parseDuration} from '../util/duration.js';
import {UsageError} from '../util/usage-error.js';
import type {ShapeFunction, Stage} from './scenario-api.js';

/** Steps of `stepSeconds` each; after the last step the run ends. */
export function stepShape(users: number[], stepSeconds: number, spawnRate: number): ShapeFunction {
	return t => {
		const index = Math.floor(t / stepSeconds);
		if (index >= users.length) return null;
		return {users: users[index]!, spawnRate};
	};
}

/** k6-style linear ramps from the previous target (0 at the start) to each stage's target. */
export function stageShape(stages: Array<{seconds: number; target: number}>): ShapeFunction {
	const usersAt = (t: number): number | null => {
		let from = 0;
		let start = 0;
		for (const stage of stages) {
			if (t < start + stage.seconds) {
				const fraction = stage.seconds === 0 ? 1 : (t - start) / stage.seconds;
				return from + (stage.target - from) * fraction;
			}
			from = stage.target;
			start += stage.seconds;
		}
		return null;
	};
	return t => {
		const now = usersAt(t);
		if (now === null) return null;
		// Aim at where the ramp will be one second from now, at the pace that gets there on time.
		const next = usersAt(t + 1) ?? stages[stages.length - 1]!.target;
		const current = Math.round(now);
		const target = Math.round(next);
		return {users: target, spawnRate: Math.max(1, Math.abs(target - current))};
	};
}

function count(text: string, where: string): number {
	const n = Number(text);
	if (text.trim() === '' || !Number.isInteger(n) || n < 0)
		throw new UsageError(`${where}: "${text}" is not a whole number of users ≥ 0`);
	return n;
}

export function stagesFromSpec(stages: Stage[], where: string): Array<{seconds: number; target: number}> {
	if (stages.length === 0) throw new UsageError(`${where}: no stages`);
	return stages.map((stage, i) => {
		const seconds =
			typeof stage.duration === 'number'
				? stage.duration
				: parseDuration(stage.duration, `${where}[${i}].duration`) / 1000;
		if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError(`${where}[${i}].duration: must be ≥ 0`);
		if (!Number.isInteger(stage.target) || stage.target < 0)
			throw new UsageError(`${where}[${i}].target: "${stage.target}" is not a whole number ≥ 0`);
		return {seconds, target: stage.target};
	});
}

const shapeFileSchema = z.union([
	z.strictObject({
		steps: z.array(z.number().int().nonnegative()).min(1),
		every: z.union([z.string(), z.number().positive()]),
		spawnRate: z.number().positive().optional(),
	}),
	z.strictObject({
		stages: z
			.array(
				z.strictObject({
					duration: z.union([z.string(), z.number().nonnegative()]),
					target: z.number().int().nonnegative(),
				}),
			)
			.min(1),
	}),
]);

/** Reads `--shape`. `spawnRate` applies to steps; undefined means "all at once". */
export async function parseShapeOption(spec: string, spawnRate: number | undefined): Promise<ShapeFunction> {
	const rate = spawnRate ?? Infinity;
	if (spec.startsWith('steps:')) {
		const body = spec.slice('steps:'.length);
		const at = body.lastIndexOf('@');
		if (at < 0) throw new UsageError(`--shape: "${spec}" needs a step length, e.g. steps:100,500,1000@60s`);
		const users = body
			.slice(0, at)
			.split(',')
			.map(part => count(part, '--shape steps'));
		const seconds = parseDuration(body.slice(at + 1), '--shape step length') / 1000;
		if (seconds <= 0) throw new UsageError('--shape: the step length must be > 0');
		return stepShape(users, seconds, rate);
	}
	if (spec.startsWith('stages:')) {
		const stages = spec
			.slice('stages:'.length)
			.split(',')
			.map((part): Stage => {
				const colon = part.lastIndexOf(':');
				if (colon < 0) throw new UsageError(`--shape stages: "${part}" should be DURATION:TARGET, e.g. 30s:100`);
				return {duration: part.slice(0, colon), target: count(part.slice(colon + 1), '--shape stages target')};
			});
		return stageShape(stagesFromSpec(stages, '--shape stages'));
	}
	let text: string;
	try {
		text = await readFile(spec, 'utf8');
	} catch {
		throw new UsageError(`--shape: "${spec}" is neither steps:…, stages:… nor a readable shape file`);
	}
	let data: unknown;
	try {
		data = spec.endsWith('.json') ? JSON.parse(text) : (await import('yaml')).parse(text);
	} catch (error) {
		throw new UsageError(`--shape ${spec}: ${error instanceof Error ? error.message : String(error)}`);
	}
	const parsed = shapeFileSchema.safeParse(data);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const field = issue?.path.join('.') || '(top level)';
		throw new UsageError(
			`--shape ${spec}: ${field}: ${issue?.message ?? 'invalid'} (expected {steps: [..], every: "60s"} or {stages: [{duration, target}]})`,
		);
	}
	const shape = parsed.data;
	if ('steps' in shape) {
		const seconds =
			typeof shape.every === 'number' ? shape.every : parseDuration(shape.every, `--shape ${spec}: every`) / 1000;
		if (seconds <= 0) throw new UsageError(`--shape ${spec}: every must be > 0`);
		return stepShape(shape.steps, seconds, shape.spawnRate ?? rate);
	}
	return stageShape(stagesFromSpec(shape.stages, `--shape ${spec}: stages`));
}
