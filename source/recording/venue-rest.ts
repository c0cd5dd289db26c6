/**
 * The two REST calls a recording makes, over plain fetch (public endpoints, no key): the symbol check
 * before it starts, and GET /api/v3/depth for the snapshots a replay resynchronises from.
 */
import type {SnapshotRecord} from './format/recording-events.js';

/** The venue did not answer at all (refused, DNS, timeout): exit 1, not a usage error. */
export class VenueUnreachableError extends Error {
	override readonly name = 'VenueUnreachableError';
}

async function getJson(url: string, timeoutMs: number): Promise<{status: number; body: unknown}> {
	let response: Response;
	try {
		response = await fetch(url, {signal: AbortSignal.timeout(timeoutMs)});
	} catch (error) {
		const cause = (error as {cause?: {code?: string; message?: string}}).cause;
		const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
		throw new VenueUnreachableError(`${new URL(url).origin} is unreachable (${why})`);
	}
	const text = await response.text();
	let body: unknown = text;
	try {
		body = JSON.parse(text);
	} catch {
		// keep the text: an HTML error page is still worth quoting
	}
	return {status: response.status, body};
}

const base = (rest: string) => rest.replace(/\/+$/, '');

/** The first symbol the venue does not list, or undefined when it lists them all. */
export async function findUnknownSymbol(
	rest: string,
	symbols: readonly string[],
	timeoutMs = 10_000,
): Promise<string | undefined> {
	for (const symbol of symbols) {
		const {status, body} = await getJson(`${base(rest)}/api/v3/exchangeInfo?symbol=${symbol}`, timeoutMs);
		if (status === 200) continue;
		const code = (body as {code?: unknown} | null)?.code;
		if (status === 400 && code === -1121) return symbol;
		throw new VenueUnreachableError(
			`${base(rest)} answered exchangeInfo with HTTP ${status}: ${JSON.stringify(body).slice(0, 200)}`,
		);
	}
	return undefined;
}

/** GET /api/v3/depth as a snapshot record without its receive time. */
export async function fetchDepthSnapshot(
	rest: string,
	symbol: string,
	limit: number,
	timeoutMs = 10_000,
): Promise<Omit<SnapshotRecord, 't'>> {
	const {status, body} = await getJson(`${base(rest)}/api/v3/depth?symbol=${symbol}&limit=${limit}`, timeoutMs);
	const book = body as {lastUpdateId?: unknown; bids?: unknown; asks?: unknown} | null;
	if (
		status !== 200 ||
		typeof book?.lastUpdateId !== 'number' ||
		!Array.isArray(book.bids) ||
		!Array.isArray(book.asks)
	)
		throw new Error(`depth ${symbol}: HTTP ${status} ${JSON.stringify(body).slice(0, 200)}`);
	return {
		type: 'snapshot',
		symbol,
		lastUpdateId: book.lastUpdateId,
		bids: book.bids as Array<[string, string]>,
		asks: book.asks as Array<[string, string]>,
	};
}
