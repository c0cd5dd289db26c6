import {describe, expect, it} from 'vitest';
import {cellWidth, fit, sanitize, toAscii, truncate, wrapCells} from '../../source/ui/text.js';
import {gauge, sparkline} from '../../source/ui/charts.js';
import {glyphs} from '../../source/ui/glyphs.js';
import {prettyMessages} from '../../source/ui/console/panels/StreamInspector.js';

describe('text fitting', () => {
	it('strips escapes and control characters from untrusted text', () => {
		expect(sanitize('a\u001B[2Jb\u001B]0;title\u0007c\nd\te\u0000f')).toBe('abc d e·f');
	});

	it('counts wide characters as two cells and truncates by cells', () => {
		expect(cellWidth('日本')).toBe(4);
		expect(truncate('日本語テキスト', 7)).toBe('日本語…');
		expect(cellWidth(truncate('日本語テキスト', 7))).toBeLessThanOrEqual(7);
		expect(fit('abc', 5, 'right')).toBe('  abc');
		expect(fit('abcdef', 4)).toBe('abc…');
	});

	it('wraps at spaces, splits words longer than a line, marks what was left over', () => {
		expect(wrapCells('no strategy file in the profile; the built-in pinger is used', 20, 5)).toEqual([
			'no strategy file in',
			'the profile; the',
			'built-in pinger is',
			'used',
		]);
		expect(wrapCells('abcdefghijklmnopqrstuvwxyz', 10, 5)).toEqual(['abcdefghij', 'klmnopqrst', 'uvwxyz']);
		const cut = wrapCells('one two three four five six', 9, 2);
		expect(cut).toHaveLength(2);
		expect(cut[1]).toMatch(/…$/);
		for (const line of wrapCells('x'.repeat(7) + ' ' + 'y'.repeat(30), 8, 9))
			expect(cellWidth(line)).toBeLessThanOrEqual(8);
	});

	it('ASCII mode never widens a line', () => {
		const text = '✔ ok — 3× ≥ 1 … 日本';
		const ascii = toAscii(text);
		expect(ascii).toMatch(/^[\x20-\x7E]*$/);
		expect(ascii.length).toBeLessThanOrEqual(cellWidth(text));
	});
});

describe('charts', () => {
	const g = glyphs(false);
	it('sparkline scales to the window maximum and keeps zero visible', () => {
		expect(sparkline([0, 1, 2, 4], 4, g)).toBe('▁▃▅█');
		expect(sparkline([0, 0, 0], 3, g)).toBe('▁▁▁');
		expect(sparkline([1, 2, 3, 4, 5, 6], 3, g)).toHaveLength(3);
		expect(sparkline([100, 101, 102], 3, g, {min: 'auto'})).toBe('▁▅█');
	});

	it('gauge marks the limit and flags values over it', () => {
		const under = gauge(50, 100, 10, g);
		expect(under.bar).toHaveLength(10);
		expect(under.bar).toContain('┃');
		expect(under.over).toBe(false);
		const over = gauge(150, 100, 10, g);
		expect(over.over).toBe(true);
		expect(over.bar.indexOf('┃')).toBeLessThan(9);
	});
});

describe('stream messages', () => {
	it('pretty-prints JSON newest first and leaves other text as one sanitized line', () => {
		const lines = prettyMessages(['{"a":1}', 'not json\u001B[31m', '{"b":{"c":2}}'], 20);
		expect(lines.slice(0, 5)).toEqual(['{', '  "b": {', '    "c": 2', '  }', '}']);
		expect(lines).toContain('not json');
		expect(prettyMessages(['{"a":1}', '{"b":2}'], 2)).toHaveLength(2);
	});
});

describe('colour', () => {
	it('honours NO_COLOR, FORCE_COLOR=0 and TERM=dumb; symbols carry the meaning without it', async () => {
		const {colorEnabled, styled} = await import('../../source/ui/ansi.js');
		expect(colorEnabled({TERM: 'xterm-256color'})).toBe(true);
		expect(colorEnabled({NO_COLOR: '1'})).toBe(false);
		expect(colorEnabled({FORCE_COLOR: '0'})).toBe(false);
		expect(colorEnabled({TERM: 'dumb'})).toBe(false);
		expect(styled('x', {color: 'red', bold: true}, true)).toBe('\u001B[1;31mx\u001B[0m');
		expect(styled('x', {color: 'red'}, false)).toBe('x');
	});
});
