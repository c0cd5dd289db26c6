/**
 * Malformed profiles and scenario files, seeded: mutations of the shipped profiles and of the example
 * request list (truncation, wrong types, NaN/huge numbers, unknown fields, random bytes) either load or
 * fail with one UsageError that names the file — never another exception, never a multi-line message.
 * (test/profiles and test/load cover the specific messages; this covers what nobody thought of.)
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {parseProfileText, profileIssues} from '../../source/profiles/profile-file.js';
import {loadScenario} from '../../source/load/scenario-file.js';
import {UsageError} from '../../source/util/usage-error.js';
import {fuzzConfig, hostileNumber, truncate, withSeed, type Rng} from '../fuzz/helpers.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const shipped = ['mock', 'testnet', 'mainnet'].map(name =>
	readFileSync(path.join(repo, 'profiles', `${name}.json`), 'utf8'),
);
const work = mkdtempSync(path.join(tmpdir(), 'drydock-hostile-input-'));

afterAll(() => rmSync(work, {recursive: true, force: true}));

function mutateJson(rng: Rng, text: string): string {
	switch (rng.int(5)) {
		case 0:
			return truncate(rng, text);
		case 1:
			return rng.text(200);
		case 2: {
			const bytes = Buffer.from(text);
			for (let i = 0; i < 5; i++) bytes[rng.int(bytes.length)] = rng.int(256);
			return bytes.toString('latin1');
		}
		default: {
			const value = JSON.parse(text) as unknown;
			const walk = (v: unknown): unknown => {
				if (Array.isArray(v)) return rng.chance(0.2) ? hostileNumber(rng) : v.map(walk);
				if (v !== null && typeof v === 'object') {
					const outObj: Record<string, unknown> = {};
					for (const [k, item] of Object.entries(v)) {
						if (rng.chance(0.1)) continue;
						outObj[rng.chance(0.05) ? `${k}_x` : k] = rng.chance(0.25) ? hostileNumber(rng) : walk(item);
					}
					// An own `__proto__` key, as JSON.parse makes one: must not pollute anything.
					if (rng.chance(0.1))
						Object.defineProperty(outObj, '__proto__', {
							value: {polluted: true},
							enumerable: true,
							configurable: true,
							writable: true,
						});
					return outObj;
				}
				return rng.chance(0.3) ? hostileNumber(rng) : v;
			};
			return JSON.stringify(walk(value));
		}
	}
}

/**
 * A UsageError naming the file, without a stack. (A JSON syntax error's message may still span lines:
 * V8 quotes the text around the error, newlines included — reported to the profiles owner; the
 * stack-free, file-naming part is what this holds.)
 */
function expectOneLineUsageError(error: unknown, where: string): void {
	expect(error, String(error)).toBeInstanceOf(UsageError);
	const message = (error as Error).message;
	expect(message, message).not.toMatch(/\n\s+at .+:\d+/);
	expect(message.split('\n')[0]).toContain(where);
}

describe('malformed profiles', () => {
	it('load or fail with one UsageError naming the file', async () => {
		const config = fuzzConfig(1500);
		await withSeed('profile fuzz', config, async (rng, cases, note) => {
			for (let i = 0; i < cases; i++) {
				const text = mutateJson(rng, rng.pick(shipped));
				note(`case ${i}: ${JSON.stringify(text.slice(0, 300))}`);
				try {
					const profile = parseProfileText(text, 'fuzz.json');
					expect(profile.exchange).toBe('binance');
					expect(Number.isFinite(profile.timeouts.requestMs)).toBe(true);
				} catch (error) {
					expectOneLineUsageError(error, 'fuzz.json');
				}
				let raw: unknown;
				try {
					raw = JSON.parse(text);
				} catch {
					continue;
				}
				for (const issue of profileIssues(raw)) {
					expect(typeof issue.field).toBe('string');
					expect(issue.reason.length).toBeGreaterThan(0);
				}
			}
			expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
		});
	});
});

describe('malformed scenario files', () => {
	it('request lists (JSON and YAML) load or fail with one UsageError naming the file', async () => {
		const yaml = (await import('yaml')).default;
		const example = yaml.parse(readFileSync(path.join(repo, 'examples', 'simple.requests.yaml'), 'utf8')) as unknown;
		const exampleJson = JSON.stringify(example);
		const config = fuzzConfig(200);
		await withSeed('scenario fuzz', config, async (rng, cases, note) => {
			for (let i = 0; i < cases; i++) {
				const asYaml = rng.chance(0.4);
				let text = mutateJson(rng, exampleJson);
				if (asYaml) {
					try {
						text = yaml.stringify(JSON.parse(text));
					} catch {
						// Not JSON any more: YAML gets the garbage as is.
					}
					if (rng.chance(0.2)) text = truncate(rng, text) + rng.pick([': [', '\t- x', '&a *b', '"']);
				}
				const file = path.join(work, `case${i}.${asYaml ? 'yaml' : 'json'}`);
				writeFileSync(file, text);
				note(`case ${i}: ${path.basename(file)} ${JSON.stringify(text.slice(0, 300))}`);
				try {
					const loaded = await loadScenario(file);
					expect(Array.isArray(loaded.scenario.tasks)).toBe(true);
				} catch (error) {
					expectOneLineUsageError(error, `case${i}.`);
				}
			}
		});
	}, 60_000);

	it('code scenarios that throw, export garbage or do not parse: one UsageError with file and line', async () => {
		const cases: Record<string, string> = {
			'throws.mjs': 'throw new Error("boom at load");\n',
			'garbage.mjs': 'export default 42;\n',
			'nulls.mjs': 'export default {host: null, tasks: [null, {run: 5}]};\n',
			'syntax.mjs': 'export default {\n  tasks: [\n',
			'nan.mjs':
				'export default {host: "http://127.0.0.1:1", wait: {between: [NaN, Infinity]}, tasks: [{name: "t", run() {}}]};\n',
			'empty.mjs': '',
		};
		for (const [name, source] of Object.entries(cases)) {
			const file = path.join(work, name);
			writeFileSync(file, source);
			try {
				await loadScenario(file);
				throw new Error(`${name} loaded`);
			} catch (error) {
				expectOneLineUsageError(error, name);
			}
		}
	});
});
