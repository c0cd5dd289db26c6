/**
 * A fast path in front of `string-width` (which Ink, cli-truncate and wrap-ansi measure every line
 * with), put there by the bundle (scripts/bundle.js). string-width segments any non-ASCII string into
 * graphemes and tests each against Unicode property regexes; compiling those regexes and the segmenter
 * on first use costs tens of milliseconds of the console's first frame, for lines made of ASCII, SGR
 * colour codes and box, block and arrow characters that are all one column wide. Strings made only of
 * those are measured here; anything else (another escape, a combining mark, an emoji, a CJK character,
 * options) goes to string-width itself. test/ui/text-width.test.ts checks every character of the table
 * against each string-width version installed.
 */

type Measure = (input: string, options?: {ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean}) => number;

/** Code points string-width measures as one column (its default options), alone or after other text. */
export const ONE_COLUMN: ReadonlyArray<readonly [number, number]> = [
	[0xa0, 0xa8],
	[0xaa, 0xac],
	[0xaf, 0xff],
	[0x2010, 0x2027],
	[0x202f, 0x203b],
	[0x203d, 0x2048],
	[0x204a, 0x205e],
	[0x2190, 0x2193],
	[0x219a, 0x21a8],
	[0x21ab, 0x2319],
	[0x231c, 0x2327],
	[0x232b, 0x23ce],
	[0x23d0, 0x23e8],
	[0x2500, 0x25a9],
	[0x25ac, 0x25b5],
	[0x25b7, 0x25bf],
	[0x25c1, 0x25fa],
	[0x2713, 0x2713],
	[0x2715, 0x2715],
	[0x2717, 0x271c],
	[0x2800, 0x28ff],
];

const TABLE_END = 0x2900;
const oneColumn = new Uint8Array(TABLE_END);
for (const [from, to] of ONE_COLUMN) oneColumn.fill(1, from, to + 1);

/**
 * Width of `text` when it holds only printable ASCII, characters of the table and SGR sequences
 * (ESC [ parameters m, as chalk writes them: string-width strips them); -1 when it holds anything else.
 */
export function quickWidth(text: string): number {
	let width = 0;
	const length = text.length;
	for (let i = 0; i < length; i++) {
		const c = text.charCodeAt(i);
		if (c >= 0x20 && c <= 0x7e) width++;
		else if (c === 0x1b) {
			// A CSI sequence as ansi-regex reads it: parameter bytes, intermediate bytes, one final byte.
			if (text.charCodeAt(i + 1) !== 0x5b) return -1;
			let j = i + 2;
			while (j < length && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x3f) j++;
			while (j < length && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x2f) j++;
			const final = text.charCodeAt(j);
			if (!(final >= 0x40 && final <= 0x7e)) return -1;
			i = j;
		} else if (c < TABLE_END && oneColumn[c] === 1) width++;
		else return -1;
	}
	return width;
}

/** string-width with the fast path in front (same answers, checked by the test). */
export function withQuickWidth(measure: Measure): Measure {
	return (input, options) => {
		if (
			typeof input === 'string' &&
			(options === undefined || (options.ambiguousIsNarrow !== false && !options.countAnsiEscapeCodes))
		) {
			const width = quickWidth(input);
			if (width >= 0) return width;
		}
		return measure(input, options);
	};
}
