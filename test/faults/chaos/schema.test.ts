/**
 * The chaos timeline's schema and loader: the example timeline normalizes to milliseconds with per-kind
 * defaults; bad files fail with one line naming the file, the entry index and the field.
 */
import {mkdtemp, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadChaosFile, parseTimeline} from '../../../source/faults/chaos/timeline-file.js';
import {normalizeTimeline} from '../../../source/faults/chaos/schema.js';
import {defaultRecoveryBudgetMs} from '../../../source/faults/spec/budgets.js';
import {profileSchema} from '../../../source/profiles/schema.js';
import {UsageError} from '../../../source/util/usage-error.js';

const example = [
	{at: '10m', fault: 'drop-websockets'},
	{from: '20m', to: '25m', fault: 'error-rate', params: {probability: 0.3}},
	{at: '40m', fault: 'stall-streams', duration: '60s'},
	{at: '50m', fault: 'clock-skew', params: {ms: 2000}, duration: '2m'},
	{at: '55m', fault: 'rate-limit-storm', duration: '20s', recoveryBudget: '30s'},
];

async function tempFile(name: string, text: string): Promise<string> {
	const dir = await mkdtemp(path.join(tmpdir(), 'drydock-chaos-'));
	const file = path.join(dir, name);
	await writeFile(file, text);
	return file;
}

async function usageMessage(promise: Promise<unknown>): Promise<string> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(UsageError);
	return (error as Error).message;
}

describe('chaos timeline schema', () => {
	it('normalizes the example timeline: points, windows, durations and budgets in ms', () => {
		const entries = normalizeTimeline(parseTimeline(example, 'test'));
		expect(entries.map(e => [e.fault, e.startMs, e.durationMs, e.recoveryBudgetMs])).toEqual([
			['drop-websockets', 600_000, 0, defaultRecoveryBudgetMs['drop-websockets']],
			['error-rate', 1_200_000, 300_000, defaultRecoveryBudgetMs['error-rate']],
			['stall-streams', 2_400_000, 60_000, defaultRecoveryBudgetMs['stall-streams']],
			['clock-skew', 3_000_000, 120_000, defaultRecoveryBudgetMs['clock-skew']],
			['rate-limit-storm', 3_300_000, 20_000, 30_000],
		]);
		expect(entries[1]!.label).toBe('error-rate 20m–25m {"probability":0.3}');
	});

	it('is a profile section, validated with the profile', () => {
		const profile = profileSchema.parse({name: 'p', exchange: 'binance', environment: 'mock', chaos: example});
		expect(profile.chaos).toHaveLength(5);
		const bad = profileSchema.safeParse({
			name: 'p',
			exchange: 'binance',
			environment: 'mock',
			chaos: [{at: '1m', fault: 'meteor'}],
		});
		expect(bad.success).toBe(false);
		expect(bad.error!.issues[0]!.path).toEqual(['chaos', 0, 'fault']);
	});

	it('names the entry and the field of each mistake', () => {
		const cases: [unknown[], RegExp][] = [
			[[{at: '1m', fault: 'meteor'}], /entry 0, field "fault": expected one of/],
			[[example[0], {at: 'soon', fault: 'drop-websockets'}], /entry 1, field "at": expected a duration/],
			[[{fault: 'drop-websockets'}], /entry 0, field "at": required/],
			[[{at: '1m', from: '2m', to: '3m', fault: 'latency', params: {ms: 5}}], /entry 0, field "at": give either/],
			[[{from: '5m', to: '2m', fault: 'error-rate', params: {probability: 0.1}}], /entry 0, field "to": must be later/],
			[
				[{at: '1m', fault: 'error-rate', params: {probability: 3}}],
				/entry 0, field "params.probability": must be a number between 0 and 1/,
			],
			[[{at: '1m', fault: 'clock-skew'}], /entry 0, field "params.ms"/],
			[[{at: '1m', fault: 'drop-websockets', colour: 'red'}], /entry 0: unknown field "colour"/],
		];
		for (const [timeline, pattern] of cases) {
			let message = '';
			try {
				parseTimeline(timeline, '--chaos x.json');
			} catch (error) {
				message = (error as Error).message;
			}
			expect(message).toMatch(/^--chaos x\.json: /);
			expect(message).toMatch(pattern);
		}
	});

	it('loads JSON and YAML files (a list or {chaos: [...]}), and names the file in every error', async () => {
		const json = await tempFile('chaos.json', JSON.stringify({chaos: example}));
		expect(await loadChaosFile(json)).toHaveLength(5);
		const yaml = await tempFile(
			'chaos.yaml',
			'- at: 3s\n  fault: drop-websockets\n- from: 6s\n  to: 10s\n  fault: error-rate\n  params: {probability: 0.3}\n',
		);
		expect(normalizeTimeline(await loadChaosFile(yaml)).map(e => e.startMs)).toEqual([3000, 6000]);
		const broken = await tempFile('broken.json', '[{"at": "3s", ');
		expect(await usageMessage(loadChaosFile(broken))).toMatch(/^--chaos .*broken\.json: not valid JSON/);
		const wrongField = await tempFile(
			'wrong.yaml',
			'- at: 3s\n  fault: drop-websockets\n- at: 5s\n  fault: error-rate\n  params: {probability: -1}\n',
		);
		expect(await usageMessage(loadChaosFile(wrongField))).toMatch(/wrong\.yaml: entry 1, field "params\.probability"/);
		expect(await usageMessage(loadChaosFile(path.join(tmpdir(), 'no-such-chaos.json')))).toMatch(
			/no-such-chaos\.json: cannot read it \(no such file\)/,
		);
		const scalar = await tempFile('scalar.yaml', 'hello\n');
		expect(await usageMessage(loadChaosFile(scalar))).toMatch(/scalar\.yaml: expected a list of faults/);
	});
});
