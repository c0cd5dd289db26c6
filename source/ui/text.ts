/**
 * Terminal cell arithmetic: every line the console draws goes through `fit` so that nothing wraps,
 * whatever the engine, an exchange or an error message hands us.
 */

/** Control characters (C0, DEL, C1) and ANSI escape sequences: a raw stream message must not drive the terminal. */
// eslint-disable-next-line no-control-regex
const escapeSequence = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)?|\u001B[@-_]?/g;
// eslint-disable-next-line no-control-regex
const controlCharacter = /[\u0000-\u001F\u007F-\u009F]/g;

/** One line, no escapes: newlines and tabs become spaces, other control characters become `·`. */
export function sanitize(text: string): string {
	return text
		.replace(escapeSequence, '')
		.replace(/[\r\n\t]+/g, ' ')
		.replace(controlCharacter, '·');
}

function isWide(codePoint: number): boolean {
	return (
		(codePoint >= 0x1100 && codePoint <= 0x115f) ||
		(codePoint >= 0x2e80 && codePoint <= 0xa4cf && codePoint !== 0x303f) ||
		(codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
		(codePoint >= 0xf900 && codePoint <= 0xfaff) ||
		(codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
		(codePoint >= 0xff00 && codePoint <= 0xff60) ||
		(codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
		(codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
		(codePoint >= 0x20000 && codePoint <= 0x3fffd)
	);
}

function isZeroWidth(codePoint: number): boolean {
	return (
		(codePoint >= 0x0300 && codePoint <= 0x036f) ||
		(codePoint >= 0x200b && codePoint <= 0x200f) ||
		(codePoint >= 0xfe00 && codePoint <= 0xfe0f)
	);
}

function charWidth(char: string): number {
	const codePoint = char.codePointAt(0) ?? 0;
	if (isZeroWidth(codePoint)) return 0;
	return isWide(codePoint) ? 2 : 1;
}

/** Cells a sanitized string occupies. */
export function cellWidth(text: string): number {
	let width = 0;
	for (const char of text) width += charWidth(char);
	return width;
}

/** Cuts to at most `width` cells, ending with `ellipsis` when something was cut. */
export function truncate(text: string, width: number, ellipsis = '…'): string {
	if (width <= 0) return '';
	if (cellWidth(text) <= width) return text;
	const room = width - cellWidth(ellipsis);
	if (room <= 0) return ellipsis.slice(0, width);
	let out = '';
	let used = 0;
	for (const char of text) {
		const w = charWidth(char);
		if (used + w > room) break;
		out += char;
		used += w;
	}
	return out + ellipsis;
}

/** Exactly `width` cells: truncated, or padded on the right (or left with align 'right'). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left', ellipsis = '…'): string {
	const cut = truncate(text, width, ellipsis);
	const pad = ' '.repeat(Math.max(0, width - cellWidth(cut)));
	return align === 'right' ? pad + cut : cut + pad;
}

/**
 * Greedy join of segments by priority: keeps segments in order while they fit, skipping any that
 * would overflow, so a narrow terminal drops the least important figures rather than cutting one in half.
 */
export function joinFitting(segments: readonly string[], width: number, separator = '  '): string {
	let out = '';
	for (const segment of segments) {
		if (segment === '') continue;
		const candidate = out === '' ? segment : out + separator + segment;
		if (cellWidth(candidate) <= width) out = candidate;
	}
	return out;
}

const asciiTwins: Record<string, string> = {
	'—': '-',
	'–': '-',
	'─': '-',
	'…': '~',
	'·': '.',
	'×': 'x',
	'▏': '|',
	'│': '|',
	'›': '>',
	'→': '>',
	'←': '<',
	'≥': '>',
	'≤': '<',
	'≈': '~',
	µ: 'u',
	'°': 'o',
};

/** Before fitting, ASCII mode may spend extra cells to keep a meaning (`≤` is not `<`). */
const asciiPhrases: Record<string, string> = {
	'≥': '>=',
	'≤': '<=',
	'≠': '!=',
	'±': '+/-',
	'→': '->',
	'←': '<-',
	'×': 'x',
	'…': '...',
};

/** ASCII for text that has not been fitted yet: multi-cell twins where one cell would change the meaning. */
export function asciiPhrase(text: string): string {
	// eslint-disable-next-line no-control-regex
	if (/^[\x00-\x7F]*$/.test(text)) return text;
	return toAscii(text.replace(/[≥≤≠±→←×…]/g, c => asciiPhrases[c] ?? c));
}

/**
 * The ASCII-mode rendering of a fitted string: known symbols get a one-cell twin, anything else
 * outside ASCII becomes `?` (one per character, so the result is never wider than the input).
 */
export function toAscii(text: string): string {
	// eslint-disable-next-line no-control-regex
	if (/^[\x00-\x7F]*$/.test(text)) return text;
	let out = '';
	for (const char of text) {
		if (char.charCodeAt(0) < 0x80) out += char;
		else out += asciiTwins[char] ?? '?';
	}
	return out;
}

/**
 * Wraps a sanitized string into lines of at most `width` cells, breaking at spaces where it can
 * (words longer than a line are split); the last kept line ends with `…` when text was left over.
 */
export function wrapCells(text: string, width: number, maxLines: number): string[] {
	if (width <= 0 || maxLines <= 0) return [];
	const lines: string[] = [];
	let line = '';
	const push = () => {
		lines.push(line.trimEnd());
		line = '';
	};
	for (const word of text.split(/(?<= )/)) {
		if (cellWidth(line + word.trimEnd()) <= width) {
			line += word;
			continue;
		}
		if (line.trim() !== '') push();
		let rest = word;
		while (cellWidth(rest.trimEnd()) > width) {
			const head = truncate(rest, width, '');
			lines.push(head);
			rest = rest.slice(head.length);
		}
		line = rest;
	}
	if (line.trim() !== '') push();
	if (lines.length <= maxLines) return lines;
	const kept = lines.slice(0, maxLines);
	const last = kept[maxLines - 1]!;
	kept[maxLines - 1] = cellWidth(last) + 2 <= width ? `${last} …` : truncate(`${last}  `, width);
	return kept;
}
