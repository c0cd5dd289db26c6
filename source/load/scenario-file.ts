/**
 * Loads a scenario file: TypeScript through tsx's `tsImport` (Node 20 cannot strip types), plain
 * JavaScript through `import()`, JSON/YAML request lists through the schema. Any failure to load —
 * syntax error, a throw at top level, a bad export — becomes one UsageError naming file and line.
 */
import {existsSync, statSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {extname, relative, resolve} from 'node:path';
import {pathToFileURL} from 'node:url';
import {UsageError} from '../util/usage-error.js';
import {scenarioFromRequestList, validateScenario} from './scenario-schema.js';
import type {Scenario} from './scenario-api.js';
import {describeJsonError} from '../util/json-error.js';

export interface LoadedScenario {
	scenario: Scenario;
	/** The path as the user gave it (for messages and reports). */
	file: string;
}

const TS = new Set(['.ts', '.mts', '.cts', '.tsx']);
const JS = new Set(['.js', '.mjs', '.cjs']);
const DATA = new Set(['.json', '.yaml', '.yml']);

function display(absolute: string): string {
	const rel = relative(process.cwd(), absolute);
	return rel.startsWith('..') ? absolute : rel;
}

/** `file:line` of the first place in `error` that points into the scenario file, if any. */
export function locate(error: unknown, absolute: string): string | undefined {
	const text = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
	const candidates = [absolute, pathToFileURL(absolute).href];
	for (const line of text.split('\n')) {
		for (const candidate of candidates) {
			const at = line.indexOf(candidate);
			if (at < 0) continue;
			// tsx appends `?tsx-namespace=…` to the URLs it loads.
			const match = /^(?:\?[^:\s)]*)?:(\d+)(?::(\d+))?/.exec(line.slice(at + candidate.length));
			if (match) return `${display(absolute)}:${match[1]}`;
		}
	}
	return undefined;
}

function firstLine(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	// esbuild: "Transform failed with 1 error:\n/abs/file.ts:1:18: ERROR: Unexpected ";""
	const esbuild = /ERROR: (.*)/.exec(error.message);
	if (esbuild) return `SyntaxError: ${esbuild[1]}`;
	const message = error.message.split('\n').find(line => line.trim() !== '') ?? '';
	return `${error.name}: ${message}`;
}

async function importModule(absolute: string): Promise<Record<string, unknown>> {
	const url = pathToFileURL(absolute).href;
	if (TS.has(extname(absolute))) {
		// Error locations in the user's TypeScript need the transpiler's source maps.
		process.setSourceMapsEnabled(true);
		const {tsImport} = await import('tsx/esm/api');
		return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
	}
	return (await import(url)) as Record<string, unknown>;
}

/** A CommonJS-compiled module arrives as {default: {default: X}}; unwrap to X. */
function defaultExport(module: Record<string, unknown>): unknown {
	let value = module.default;
	if (value !== null && typeof value === 'object' && 'default' in value && !('tasks' in value)) value = value.default;
	return value;
}

export async function loadScenario(file: string): Promise<LoadedScenario> {
	const absolute = resolve(file);
	if (!existsSync(absolute) || !statSync(absolute).isFile()) throw new UsageError(`scenario ${file}: no such file`);
	const ext = extname(absolute).toLowerCase();
	if (DATA.has(ext)) {
		const text = await readFile(absolute, 'utf8');
		let data: unknown;
		try {
			// yaml is loaded only for YAML files: code scenarios start faster without it.
			data = ext === '.json' ? JSON.parse(text) : (await import('yaml')).parse(text);
		} catch (error) {
			if (error instanceof Error && error.name === 'YAMLParseError' && 'linePos' in error) {
				const line = (error as {linePos?: Array<{line: number}>}).linePos?.[0]?.line;
				throw new UsageError(`scenario ${display(absolute)}${line ? `:${line}` : ''}: ${error.message.split('\n')[0]}`);
			}
			const message = error instanceof Error ? error.message : String(error);
			const position = /position (\d+)/.exec(message);
			const line = position ? text.slice(0, Number(position[1])).split('\n').length : undefined;
			throw new UsageError(
				`scenario ${display(absolute)}${line ? `:${line}` : ''}: invalid JSON: ${describeJsonError(error, text)}`,
			);
		}
		return {scenario: scenarioFromRequestList(data, display(absolute)), file};
	}
	if (!TS.has(ext) && !JS.has(ext))
		throw new UsageError(`scenario ${file}: unsupported file type "${ext}" (expected .ts, .js, .mjs, .json or .yaml)`);
	let module: Record<string, unknown>;
	try {
		module = await importModule(absolute);
	} catch (error) {
		const where = locate(error, absolute) ?? display(absolute);
		throw new UsageError(`scenario ${where}: failed to load: ${firstLine(error)}`);
	}
	const value = defaultExport(module);
	if (value === undefined)
		throw new UsageError(
			`scenario ${display(absolute)}: no default export (export default {host, wait, tasks: [...]})`,
		);
	const scenario = validateScenario(value, display(absolute));
	// A named `shape` export works too, like Locust's LoadTestShape living beside the users.
	if (scenario.shape === undefined && typeof module.shape === 'function')
		scenario.shape = module.shape as Scenario['shape'];
	return {scenario, file};
}
