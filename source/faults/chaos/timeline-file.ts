/**
 * `--chaos FILE`: a JSON or YAML file holding the timeline (a list, or `{chaos: [...]}`), validated with
 * the profile's schema. Every error is one line naming the file, the entry index and the field.
 */
import {readFile} from 'node:fs/promises';
import {parse as parseYaml} from 'yaml';
import type {z} from 'zod';
import {UsageError} from '../../util/usage-error.js';
import {chaosTimelineSchema, type ChaosTimeline} from './schema.js';

/** The validated timeline, as a profile's `chaos` section holds it (normalizeTimeline turns it into ChaosEntry[]). */
export async function loadChaosFile(file: string): Promise<ChaosTimeline> {
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		throw new UsageError(
			`--chaos ${file}: cannot read it (${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message})`,
		);
	}
	let data: unknown;
	try {
		data = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
	} catch (error) {
		throw new UsageError(
			`--chaos ${file}: not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
		);
	}
	const root = data !== null && typeof data === 'object' && !Array.isArray(data) && 'chaos' in data ? data.chaos : data;
	return parseTimeline(root, `--chaos ${file}`);
}

/** Validates a timeline from anywhere (`where` starts the error line). */
export function parseTimeline(value: unknown, where: string): ChaosTimeline {
	if (!Array.isArray(value))
		throw new UsageError(
			`${where}: expected a list of faults (or {chaos: [...]}), got ${value === null ? 'null' : typeof value}`,
		);
	const result = chaosTimelineSchema.safeParse(value);
	if (!result.success) throw new UsageError(`${where}: ${describeChaosIssue(result.error.issues[0]!)}`);
	return result.data;
}

/** `entry 2, field "params.probability": must be …` */
export function describeChaosIssue(issue: z.core.$ZodIssue): string {
	const [index, ...field] = issue.path;
	const fieldText = field.length === 0 ? '' : `, field "${field.map(String).join('.')}"`;
	const head = typeof index === 'number' ? `entry ${index}${fieldText}` : 'the list';
	let reason = issue.message;
	if (issue.code === 'unrecognized_keys')
		reason = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map(k => `"${k}"`).join(', ')}`;
	else if (issue.code === 'invalid_type' && issue.input === undefined) reason = `required (expected ${issue.expected})`;
	else if (issue.code === 'invalid_value')
		reason = `expected one of ${issue.values.map(v => JSON.stringify(v)).join(', ')}`;
	return `${head}: ${reason}`;
}
