/** Selection and scrolling in a list panel, shared by the console's lists and the Load screen's table. */

export function clampIndex(index: number, length: number): number {
	if (length <= 0) return 0;
	return Math.min(Math.max(0, index), length - 1);
}

/** First row to show so that `selected` stays inside a window of `rows` rows. */
export function scrollStart(selected: number, length: number, rows: number): number {
	if (rows <= 0 || length <= rows) return 0;
	const start = selected - Math.floor(rows / 2);
	return Math.min(Math.max(0, start), length - rows);
}
