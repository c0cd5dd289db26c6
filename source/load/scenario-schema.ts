/**
 * Validation of a loaded scenario object (code form) and of the JSON/YAML request-list form, with
 * errors that name the field, e.g. `tasks[1].weight: expected a number > 0`.
 */
import {z} from 'zod';
import {UsageError} from '../util/usage-error.js';
import type {Scenario, Task} from './scenario-api.js';

const fn = (what: string) =>
	z.custom<(...args: never[]) => unknown>(value => typeof value === 'function', {message: `expected ${what}`});

const waitSchema = z.union([
	z.strictObject({
		between: z
			.tuple([z.number().nonnegative(), z.number().nonnegative()])
			.refine(([a, b]) => a <= b, 'expected [min, max] with min ≤ max'),
	}),
	z.strictObject({constant: z.number().nonnegative()}),
	z.strictObject({pacing: z.number().positive()}),
]);

const hostSchema = z.string().refine(value => /^https?:\/\/[^/\s]+/.test(value), 'expected an http:// or https:// URL');

const stageSchema = z.strictObject({
	duration: z.union([z.string(), z.number().nonnegative()]),
	target: z.number().int().nonnegative(),
});

const scenarioSchema = z.looseObject({
	host: hostSchema.optional(),
	wait: waitSchema.optional(),
	onStart: fn('a function onStart(user)').optional(),
	onStop: fn('a function onStop(user)').optional(),
	shape: fn('a function shape(elapsedSeconds)').optional(),
	stages: z.array(stageSchema).min(1).optional(),
	tasks: z
		.array(
			z.looseObject({
				name: z.string().min(1, 'expected a non-empty name'),
				weight: z.number().positive('expected a number > 0').finite().optional(),
				run: fn('a function run(user)'),
			}),
		)
		.min(1, 'expected at least one task'),
});

const expectSchema = z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)]);

const requestListSchema = z.strictObject({
	host: hostSchema.optional(),
	wait: waitSchema.optional(),
	headers: z.record(z.string(), z.string()).optional(),
	requests: z
		.array(
			z.strictObject({
				name: z.string().min(1).optional(),
				method: z
					.enum([
						'GET',
						'POST',
						'PUT',
						'PATCH',
						'DELETE',
						'HEAD',
						'OPTIONS',
						'get',
						'post',
						'put',
						'patch',
						'delete',
						'head',
						'options',
					])
					.default('GET'),
				path: z.string().startsWith('/', 'expected a path starting with /'),
				weight: z.number().positive('expected a number > 0').finite().default(1),
				json: z.unknown().optional(),
				body: z.string().optional(),
				headers: z.record(z.string(), z.string()).optional(),
				expect: expectSchema.optional(),
			}),
		)
		.min(1, 'expected at least one request'),
});

function describe(error: z.ZodError): string {
	const issue = error.issues[0];
	if (issue === undefined) return 'invalid';
	let field = '';
	for (const part of issue.path)
		field += typeof part === 'number' ? `[${part}]` : field === '' ? String(part) : `.${String(part)}`;
	return `${field || '(default export)'}: ${issue.message}`;
}

export function validateScenario(value: unknown, file: string): Scenario {
	if (value === null || typeof value !== 'object') {
		throw new UsageError(
			`scenario ${file}: the default export must be an object {host, wait, tasks: [...]} (got ${value === null ? 'null' : typeof value})`,
		);
	}
	const parsed = scenarioSchema.safeParse(value);
	if (!parsed.success) throw new UsageError(`scenario ${file}: ${describe(parsed.error)}`);
	return value as Scenario;
}

/** The no-code form: a weighted list of requests, each one task. */
export function scenarioFromRequestList(value: unknown, file: string): Scenario {
	const parsed = requestListSchema.safeParse(value);
	if (!parsed.success) throw new UsageError(`scenario ${file}: ${describe(parsed.error)}`);
	const list = parsed.data;
	const tasks: Task[] = list.requests.map(request => {
		const method = request.method.toUpperCase();
		const headers = list.headers || request.headers ? {...list.headers, ...request.headers} : undefined;
		const name = request.name ?? request.path;
		return {
			name: `${method} ${name}`,
			weight: request.weight,
			run: async user =>
				user.request(method, request.path, {
					name,
					...(headers ? {headers} : {}),
					...(request.json !== undefined ? {json: request.json} : {}),
					...(request.body !== undefined ? {body: request.body} : {}),
					...(request.expect !== undefined ? {expect: request.expect} : {}),
				}),
		};
	});
	return {...(list.host ? {host: list.host} : {}), ...(list.wait ? {wait: list.wait} : {}), tasks};
}
