/**
 * The layer rules of DESIGN.md (arrows and nevers, in .dependency-cruiser.cjs) hold for source/, and the
 * same rules do fire on a small tree with forbidden imports planted on purpose.
 */
import {resolve} from 'node:path';
import {cruise, type ICruiseOptions, type IViolation} from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import {beforeAll, describe, expect, it} from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const planted = resolve(import.meta.dirname, 'fixtures/planted');

let options: ICruiseOptions;
// The parsed tsconfig: lets the resolver map NodeNext's `./x.js` specifiers onto `x.ts`.
let tsConfig: ReturnType<typeof extractTSConfig>;

beforeAll(async () => {
	options = await extractDepcruiseOptions(resolve(root, '.dependency-cruiser.cjs'));
	tsConfig = extractTSConfig(resolve(root, 'tsconfig.json'));
});

async function violationsOf(baseDir: string): Promise<IViolation[]> {
	const {output} = await cruise(['source'], {...options, baseDir}, {}, {tsConfig});
	if (typeof output === 'string') throw new Error(`dependency-cruiser returned a report, not a result: ${output}`);
	return output.summary.violations;
}

/** One line per violation: `rule: from → to` (a cycle lists its whole path), then why the rule exists. */
function describeViolation(v: IViolation, comments: Map<string, string>): string {
	const path = v.cycle?.length ? [v.from, ...v.cycle.map(step => step.name)].join(' → ') : `${v.from} → ${v.to}`;
	return `${v.rule.name}: ${path}\n    ${comments.get(v.rule.name) ?? ''}`;
}

describe('layer rules (.dependency-cruiser.cjs)', () => {
	it('source/ has no forbidden import and no cycle', async () => {
		const violations = await violationsOf(root);
		const comments = new Map((options.ruleSet?.forbidden ?? []).map(rule => [rule.name ?? '', rule.comment ?? '']));
		const report = violations.map(v => describeViolation(v, comments)).join('\n');
		expect(report, `${violations.length} layer violation(s); see docs/ARCHITECTURE.md`).toBe('');
	});

	it('fires on a tree with forbidden imports planted on purpose, and only on those', async () => {
		const found = (await violationsOf(planted)).map(v => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
		// The node_modules part of a package's path depends on where it is installed; keep the package.
		const normalised = found.map(line => line.replace(/→ \S*node_modules\/([^/]+)\/\S*/, '→ $1'));
		expect(normalised).toEqual(
			[
				'ccxt-only-in-exchange: source/engine/run.ts → ccxt',
				'engine-no-frameworks: source/engine/run.ts → ccxt',
				'engine-no-frameworks: source/engine/run.ts → react',
				'engine-no-outer-layers: source/engine/run.ts → source/ui/panel.ts',
				'matching-engine-only-for-paper-broker: source/phases/orders.ts → source/mock/matching/book.ts',
				'mock-reached-over-the-wire: source/phases/orders.ts → source/mock/server.ts',
				'no-circular: source/engine/run.ts → source/ui/panel.ts',
				'recording-format-is-a-leaf: source/recording/format/file.ts → source/ui/panel.ts',
				'recorder-stands-apart: source/recording/live-recorder.ts → source/engine/run.ts',
			].sort(),
		);
	});
});
