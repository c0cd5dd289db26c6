/**
 * SGR styling for pre-fitted lines. The console styles its lines itself and hands Ink a constant
 * placeholder of the same width (see StyledLine): Ink 6 caches the size of every distinct text it
 * ever measured in a module-level Map that is never cleared, so live figures in <Text> would grow
 * memory for as long as the console runs.
 */
export interface Style {
	color?: string;
	bold?: boolean;
	dim?: boolean;
	inverse?: boolean;
}

const colorCodes: Record<string, number> = {
	black: 30,
	red: 31,
	green: 32,
	yellow: 33,
	blue: 34,
	magenta: 35,
	cyan: 36,
	white: 37,
	gray: 90,
	grey: 90,
};

/** Colour unless NO_COLOR is set (https://no-color.org), FORCE_COLOR=0, or TERM=dumb. */
export function colorEnabled(env: NodeJS.ProcessEnv): boolean {
	if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
	if (env.FORCE_COLOR === '0') return false;
	return env.TERM !== 'dumb';
}

export function styled(text: string, style: Style, color: boolean): string {
	if (!color || text === '') return text;
	const codes: number[] = [];
	if (style.bold) codes.push(1);
	if (style.dim) codes.push(2);
	if (style.inverse) codes.push(7);
	const code = style.color ? colorCodes[style.color] : undefined;
	if (code !== undefined) codes.push(code);
	if (codes.length === 0) return text;
	return `\u001B[${codes.join(';')}m${text}\u001B[0m`;
}
