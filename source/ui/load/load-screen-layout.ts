/**
 * Where the Load screen's panels go for a terminal size (pure, so the 80×24 promise is testable
 * without drawing). Like the console, the root is `rows − 1` tall: a frame as tall as the terminal
 * makes Ink clear and repaint on every update.
 *
 *   header (2) · requests table (the rest) · [charts | failures] side by side · footer (2)
 */
export interface LoadScreenLayout {
	mode: 'too-small' | 'normal';
	width: number;
	height: number;
	bodyHeight: number;
	requestsHeight: number;
	bottomHeight: number;
	chartsWidth: number;
	failuresWidth: number;
}

export const loadScreenMinColumns = 60;
export const loadScreenMinRows = 16;
const headerHeight = 2;
const footerHeight = 2;
/** Six chart lines (RPS, p50, p95, p99, users, errors) and a frame, or as many failure rows. */
const maxBottomHeight = 12;

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/**
 * `names`: request names in the table. The table takes what it needs (rows, header, aggregate,
 * detail line) and the charts and failures get the rest, up to `maxBottomHeight`.
 */
export function computeLoadScreenLayout(columns: number, rows: number, names = Infinity): LoadScreenLayout {
	const width = Math.max(1, columns);
	const height = Math.max(1, rows - 1);
	const bodyHeight = height - headerHeight - footerHeight;
	if (columns < loadScreenMinColumns || rows < loadScreenMinRows) {
		return {
			mode: 'too-small',
			width,
			height,
			bodyHeight,
			requestsHeight: 0,
			bottomHeight: 0,
			chartsWidth: 0,
			failuresWidth: 0,
		};
	}
	// Charts need 4 lines inside their frame (RPS, p50, p95, p99); a taller terminal also shows users
	// and more failure rows, but the request table keeps at least half of the body.
	const baseBottom = clamp(6 + Math.floor((bodyHeight - 19) / 2), 6, Math.min(14, Math.floor(bodyHeight / 2)));
	const tableNeeds = Math.max(1, names) + 3 + 2;
	const bottomHeight = clamp(bodyHeight - tableNeeds, baseBottom, Math.max(baseBottom, maxBottomHeight));
	const chartsWidth = clamp(Math.round(columns * 0.4), 30, 72);
	return {
		mode: 'normal',
		width,
		height,
		bodyHeight,
		requestsHeight: bodyHeight - bottomHeight,
		bottomHeight,
		chartsWidth,
		failuresWidth: columns - chartsWidth,
	};
}
