/**
 * A depth frame as a reader wants it: a compact bids/asks ladder (best first) instead of raw nested
 * arrays, which pretty-printed took two lines per price level. Covers diff updates (`depthUpdate`
 * with b/a), partial book snapshots (bids/asks) and either inside a combined-stream wrapper.
 */
type Level = [string, string];

interface DepthFrame {
	head: string;
	bids: Level[];
	asks: Level[];
}

function levels(value: unknown): Level[] | null {
	if (!Array.isArray(value)) return null;
	const out: Level[] = [];
	for (const level of value) {
		if (!Array.isArray(level) || level.length < 2) return null;
		out.push([id(level[0]), id(level[1])]);
	}
	return out;
}

/** An update id as written in the frame (a number, sometimes a string); '' for anything else. */
function id(value: unknown): string {
	return typeof value === 'number' || typeof value === 'string' ? String(value) : '';
}

/** The frame's book levels when it is a depth frame; null for anything else. */
export function depthFrame(message: unknown): DepthFrame | null {
	if (!message || typeof message !== 'object') return null;
	const wrapped = message as {stream?: unknown; data?: unknown};
	const body = (
		typeof wrapped.stream === 'string' && wrapped.data && typeof wrapped.data === 'object' ? wrapped.data : message
	) as Record<string, unknown>;
	const bids = levels(body.b ?? body.bids);
	const asks = levels(body.a ?? body.asks);
	if (!bids || !asks) return null;
	const head = [
		typeof body.e === 'string' ? body.e : 'depth',
		typeof body.s === 'string' ? body.s : '',
		id(body.U) !== '' && id(body.u) !== ''
			? `U ${id(body.U)} u ${id(body.u)}`
			: id(body.lastUpdateId) !== ''
				? `id ${id(body.lastUpdateId)}`
				: '',
		`${bids.length} bids ${asks.length} asks`,
	]
		.filter(Boolean)
		.join('  ');
	return {head, bids, asks};
}

/** `head`, then one line per level: `qty  bid │ ask  qty`, best prices first, at most `rows` levels. */
export function depthLadder(frame: DepthFrame, rows: number): string[] {
	const depth = Math.min(rows, Math.max(frame.bids.length, frame.asks.length));
	const bidPrice = Math.max(3, ...frame.bids.slice(0, depth).map(l => l[0].length));
	const bidQty = Math.max(3, ...frame.bids.slice(0, depth).map(l => l[1].length));
	const askPrice = Math.max(3, ...frame.asks.slice(0, depth).map(l => l[0].length));
	const lines = [frame.head, `${'qty'.padStart(bidQty)} ${'bid'.padStart(bidPrice)} │ ${'ask'.padEnd(askPrice)} qty`];
	for (let i = 0; i < depth; i++) {
		const bid = frame.bids[i];
		const ask = frame.asks[i];
		lines.push(
			`${(bid?.[1] ?? '').padStart(bidQty)} ${(bid?.[0] ?? '').padStart(bidPrice)} │ ${(ask?.[0] ?? '').padEnd(askPrice)} ${ask?.[1] ?? ''}`.trimEnd(),
		);
	}
	const more = Math.max(frame.bids.length, frame.asks.length) - depth;
	if (more > 0) lines.push(`… ${more} more levels`);
	return lines;
}
