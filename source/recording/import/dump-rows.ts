/**
 * Binance public data dumps (data.binance.vision, spot): one CSV row → the stream frame Binance would
 * have pushed for it. Headerless (older) and headed (newer) files alike; 2025+ dumps write timestamps
 * in microseconds, which become the milliseconds every frame carries.
 */

export type DumpKind = 'trades' | 'aggTrades' | 'klines';
export const DUMP_KINDS: readonly DumpKind[] = ['trades', 'aggTrades', 'klines'];

export class DumpFormatError extends Error {
	override readonly name = 'DumpFormatError';
}

/** One row as a frame, with its receive time and what orders it within its stream. */
export interface DumpRow {
	t: number;
	stream: string;
	data: Record<string, unknown>;
	/** Trade id, aggregate id, or kline open time: consecutive rows must follow on. */
	seq: number;
	/** What `seq` should be next if nothing is missing. */
	nextSeq: number;
}

/** What a dump file name says: `BTCUSDT-trades-2026-11-30.zip`, `BTCUSDT-1m-2026-11.zip`. */
export function describeDumpName(fileName: string): {symbol?: string; interval?: string} {
	const base = fileName.replace(/^.*[\\/]/, '').replace(/\.(zip|csv)$/i, '');
	const parts = base.split('-');
	const symbol = parts[0] !== undefined && /^[A-Z0-9]{2,20}$/.test(parts[0]) ? parts[0] : undefined;
	const interval = parts[1] !== undefined && /^\d+[smhdwM]$/.test(parts[1]) ? parts[1] : undefined;
	return {...(symbol ? {symbol} : {}), ...(interval ? {interval} : {})};
}

/** µs (16 digits, 2025+ dumps) or ms → ms. */
export function toMs(value: number): number {
	return value >= 1e14 ? Math.floor(value / 1000) : value;
}

const INTEGER = /^-?\d+$/;

/** True for a header row: its first field is a column name (`id`, `open_time`), not a number or junk. */
export function isHeaderRow(line: string): boolean {
	const first = line.split(',', 1)[0]?.trim() ?? '';
	return /^[A-Za-z_ ]+$/.test(first);
}

function bool(text: string | undefined): boolean | undefined {
	const t = text?.trim().toLowerCase();
	return t === 'true' ? true : t === 'false' ? false : undefined;
}

/** Parses rows of one file; `where` names the file for errors. */
export class DumpRowParser {
	private readonly stream: string;

	constructor(
		readonly kind: DumpKind,
		readonly symbol: string,
		readonly interval: string | undefined,
		private readonly where: string,
	) {
		const lower = symbol.toLowerCase();
		this.stream =
			kind === 'trades' ? `${lower}@trade` : kind === 'aggTrades' ? `${lower}@aggTrade` : `${lower}@kline_${interval}`;
	}

	/** The stream suffix this file fills (`trade`, `aggTrade`, `kline_1m`). */
	get suffix(): string {
		return this.stream.slice(this.stream.indexOf('@') + 1);
	}

	/** A data row → its frame; throws DumpFormatError naming the line when the row is not one. */
	parse(line: string, lineNumber: number): DumpRow {
		const f = line.split(',');
		const fail = (why: string): never => {
			throw new DumpFormatError(
				`${this.where}:${lineNumber}: ${why} (${this.kind} rows look like ${example[this.kind]})`,
			);
		};
		const int = (i: number, name: string): number => {
			const text = f[i]?.trim() ?? '';
			if (!INTEGER.test(text)) fail(`${name} "${text.slice(0, 30)}" is not an integer`);
			return Number(text);
		};
		const num = (i: number, name: string): string => {
			const text = f[i]?.trim() ?? '';
			if (text === '' || !Number.isFinite(Number(text))) fail(`${name} "${text.slice(0, 30)}" is not a number`);
			return text;
		};
		const flag = (i: number, name: string): boolean => {
			const value = bool(f[i]);
			if (value === undefined) fail(`${name} "${(f[i] ?? '').slice(0, 10)}" is not True/False`);
			return value!;
		};
		if (this.kind === 'trades') {
			// id, price, qty, quote_qty, time, is_buyer_maker, is_best_match
			if (f.length < 6) fail(`${f.length} fields`);
			const id = int(0, 'id');
			const T = toMs(int(4, 'time'));
			const data = {
				e: 'trade',
				E: T,
				s: this.symbol,
				t: id,
				p: num(1, 'price'),
				q: num(2, 'qty'),
				T,
				m: flag(5, 'is_buyer_maker'),
				M: true,
			};
			return {t: T, stream: this.stream, data, seq: id, nextSeq: id + 1};
		}
		if (this.kind === 'aggTrades') {
			// agg_trade_id, price, quantity, first_trade_id, last_trade_id, transact_time, is_buyer_maker, is_best_match
			if (f.length < 7) fail(`${f.length} fields`);
			const a = int(0, 'agg_trade_id');
			const T = toMs(int(5, 'transact_time'));
			const data = {
				e: 'aggTrade',
				E: T,
				s: this.symbol,
				a,
				p: num(1, 'price'),
				q: num(2, 'quantity'),
				f: int(3, 'first_trade_id'),
				l: int(4, 'last_trade_id'),
				T,
				m: flag(6, 'is_buyer_maker'),
				M: true,
			};
			return {t: T, stream: this.stream, data, seq: a, nextSeq: a + 1};
		}
		// open_time, open, high, low, close, volume, close_time, quote_volume, count, taker_buy_volume, taker_buy_quote_volume, ignore
		if (f.length < 11) fail(`${f.length} fields`);
		const openTime = toMs(int(0, 'open_time'));
		const closeTime = toMs(int(6, 'close_time'));
		const data = {
			e: 'kline',
			E: closeTime,
			s: this.symbol,
			k: {
				t: openTime,
				T: closeTime,
				s: this.symbol,
				i: this.interval,
				// The dump does not say which trades a candle spans.
				f: -1,
				L: -1,
				o: num(1, 'open'),
				c: num(4, 'close'),
				h: num(2, 'high'),
				l: num(3, 'low'),
				v: num(5, 'volume'),
				n: int(8, 'count'),
				x: true,
				q: num(7, 'quote_volume'),
				V: num(9, 'taker_buy_volume'),
				Q: num(10, 'taker_buy_quote_volume'),
				B: '0',
			},
		};
		return {t: closeTime, stream: this.stream, data, seq: openTime, nextSeq: closeTime + 1};
	}
}

const example: Record<DumpKind, string> = {
	trades: 'id,price,qty,quote_qty,time,is_buyer_maker,is_best_match',
	aggTrades: 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match',
	klines:
		'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore',
};
