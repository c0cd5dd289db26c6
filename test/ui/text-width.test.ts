import {createRequire} from 'node:module';
import {describe, expect, it} from 'vitest';
import {ONE_COLUMN, quickWidth, withQuickWidth} from '../../source/ui/text-width.js';

type Measure = (text: string, options?: {ambiguousIsNarrow?: boolean}) => number;

// Every string-width the bundle wraps: Ink's own and wrap-ansi's (a different major version).
const fromInk = createRequire(createRequire(import.meta.url).resolve('ink'));
const versions: Array<[string, string]> = [
	['ink', fromInk.resolve('string-width')],
	['wrap-ansi', createRequire(fromInk.resolve('wrap-ansi')).resolve('string-width')],
];
const measures = await Promise.all(
	versions.map(async ([by, file]) => [by, ((await import(file)) as {default: Measure}).default] as const),
);

describe('quickWidth, the fast path in front of string-width', () => {
	it.each(measures)('gives %s’s string-width answer for every character of its table', (_by, measure) => {
		for (const [from, to] of ONE_COLUMN)
			for (let c = from; c <= to; c++) {
				const char = String.fromCodePoint(c);
				expect([c, quickWidth(char), quickWidth(`ab${char}`)]).toEqual([c, measure(char), measure(`ab${char}`)]);
			}
	});

	it.each(measures)('gives %s’s answer for console lines with SGR colours, and defers the rest', (_by, measure) => {
		const wrapped = withQuickWidth(measure);
		const lines = [
			'',
			'plain ascii ~',
			'\u001B[32m●\u001B[39m phases  \u001B[1;38;2;10;20;30m│ 12.5 ms ≥ 3 · ✘ ↑↓ ⏎ ░░█▇\u001B[0m…',
			'╭─ panel ─╮ › ∅ ○ ◐ ■ – — µ ° ± ×',
			// Deferred: an emoji, CJK, a combining mark, an OSC hyperlink, a lone ESC, a tab.
			'ok ✅ done',
			'表 wide',
			'e\u0301',
			'\u001B]8;;https://x\u0007link\u001B]8;;\u0007',
			'\u001Bx',
			'a\tb',
		];
		for (const line of lines) expect([line, wrapped(line)]).toEqual([line, measure(line)]);
		expect(quickWidth(lines[2]!)).toBe(measure(lines[2]!));
		expect(quickWidth('ok ✅ done')).toBe(-1);
		expect(quickWidth('\u001B[32mab\u001B[0m│')).toBe(3);
		// Options other than the defaults always go to string-width.
		expect(wrapped('±', {ambiguousIsNarrow: false})).toBe(measure('±', {ambiguousIsNarrow: false}));
	});
});
