import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** Module specifiers a file imports or re-exports (static and dynamic). */
function importsOf(file: string): string[] {
	const text = readFileSync(path.join(root, file), 'utf8');
	return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'([^']+)'/g)].map(match => match[1]!);
}

/** `source/...` paths a file's relative imports resolve to. */
function resolved(file: string): string[] {
	return importsOf(file)
		.filter(spec => spec.startsWith('.'))
		.map(spec => path.relative(root, path.resolve(path.dirname(path.join(root, file)), spec)));
}

function sources(dir: string): string[] {
	return readdirSync(path.join(root, dir), {recursive: true, encoding: 'utf8'})
		.filter(name => /\.tsx?$/.test(name))
		.map(name => path.join(dir, name));
}

/** The files under `dir` whose imports leave `allowed` (or name a package), as `file → import`. */
function escapes(dir: string, allowed: readonly string[]): string[] {
	const out: string[] = [];
	for (const file of sources(dir)) {
		for (const spec of importsOf(file))
			if (!spec.startsWith('.') && !spec.startsWith('node:')) out.push(`${file} → ${spec}`);
		for (const target of resolved(file))
			if (!allowed.some(prefix => target.startsWith(prefix))) out.push(`${file} → ${target}`);
	}
	return out;
}

describe('where faults live', () => {
	it('the fault vocabulary (source/faults/spec) is a pure leaf: it imports nothing outside itself', () => {
		expect(escapes('source/faults/spec', ['source/faults/spec/'])).toEqual([]);
	});

	it('the mock reaches the fault vocabulary, the recording format and pure helpers only, never the rest of drydock', () => {
		// The replay reads .rec files (recording/format is a leaf for that) and parses its flags with util's durations.
		const leaves = ['source/faults/spec/', 'source/recording/format/', 'source/util/'];
		const outside = sources('source/mock').flatMap(file =>
			resolved(file)
				.filter(target => !target.startsWith('source/mock/'))
				.map(target => `${file} → ${target}`),
		);
		expect(outside.filter(line => !leaves.some(leaf => line.includes(`→ ${leaf}`)))).toEqual([]);
		expect(outside.some(line => line.includes('→ source/faults/spec/'))).toBe(true);
	});

	it('nothing but the composition root imports the mock (the profile schema reaches faults, not the mock)', () => {
		const users = ['source/profiles', 'source/faults', 'source/net', 'source/phases'].flatMap(dir =>
			sources(dir).filter(file => resolved(file).some(target => target.startsWith('source/mock/'))),
		);
		expect(users).toEqual([]);
	});

	it('the check itself sees an escape when there is one', () => {
		// Broken on purpose: the injectors import the exchange types, so they are no leaf.
		expect(escapes('source/faults', ['source/faults/']).length).toBeGreaterThan(0);
	});
});
