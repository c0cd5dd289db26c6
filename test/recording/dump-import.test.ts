/**
 * Binance dump import: a ZIP written here (stored and deflated entries) read back by the zip reader,
 * trades / aggTrades / klines rows turned into the frames Binance pushes (headed and headerless CSVs,
 * µs timestamps of 2025+ dumps), files merged in time order with holes written as gaps.
 */
import {mkdtempSync, rmSync, existsSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {listZipEntries, zipEntryLines} from '../../source/recording/import/zip-reader.js';
import {
	DumpFormatError,
	DumpRowParser,
	describeDumpName,
	isHeaderRow,
	toMs,
} from '../../source/recording/import/dump-rows.js';
import {importDumps} from '../../source/recording/import/dump-import.js';
import {framesByStream, readRecording, writeZip} from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'drydock-dumps-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const T0 = 1_764_460_800_000; // 2025-11-30T00:00:00Z in ms
const trades = (from: number, n: number, us = false) =>
	Array.from({length: n}, (_, i) => {
		const id = from + i;
		const time = T0 + id * 10;
		return `${id},91000.${String(id % 100).padStart(2, '0')},0.00100000,91.00,${us ? time * 1000 + 123 : time},${id % 2 === 0 ? 'True' : 'False'},True`;
	});

async function lines(path: string): Promise<string[]> {
	const [entry] = await listZipEntries(path);
	const out: string[] = [];
	for await (const line of zipEntryLines(path, entry!)) out.push(line);
	return out;
}

describe('zip reader', () => {
	it('reads stored and deflated entries line by line, CRLF or LF', async () => {
		const stored = join(dir, 'stored.zip');
		writeZip(stored, [{name: 'a.csv', text: 'x,1\r\ny,2\r\n', deflate: false}]);
		expect(await lines(stored)).toEqual(['x,1', 'y,2']);
		const deflated = join(dir, 'deflated.zip');
		const big = Array.from({length: 20_000}, (_, i) => `${i},row`).join('\n');
		writeZip(deflated, [{name: 'b.csv', text: big}]);
		const [entry] = await listZipEntries(deflated);
		expect(entry).toMatchObject({name: 'b.csv', method: 8, size: big.length});
		expect(entry!.compressedSize).toBeLessThan(big.length);
		const got = await lines(deflated);
		expect(got).toHaveLength(20_000);
		expect(got[19_999]).toBe('19999,row');
	});

	it('says so when a file is not a ZIP', async () => {
		const path = join(dir, 'not.zip');
		writeFileSync(path, 'id,price\n1,2\n');
		await expect(listZipEntries(path)).rejects.toThrow(/not a ZIP archive/);
	});
});

describe('dump rows', () => {
	it('reads names, headers and µs timestamps', () => {
		expect(describeDumpName('/x/BTCUSDT-trades-2026-11-30.zip')).toEqual({symbol: 'BTCUSDT'});
		expect(describeDumpName('ETHUSDT-1m-2026-11.zip')).toEqual({symbol: 'ETHUSDT', interval: '1m'});
		expect(isHeaderRow('id,price,qty,quote_qty,time,is_buyer_maker,is_best_match')).toBe(true);
		expect(isHeaderRow('1,2,3')).toBe(false);
		expect(toMs(1_764_460_800_123_456)).toBe(1_764_460_800_123);
		expect(toMs(1_764_460_800_123)).toBe(1_764_460_800_123);
	});

	it('turns each kind into the frame Binance pushes', () => {
		const trade = new DumpRowParser('trades', 'BTCUSDT', undefined, 'f').parse(
			'7,91000.10,0.5,45500.05,1764460800123456,True,True',
			1,
		);
		expect(trade).toMatchObject({t: 1764460800123, stream: 'btcusdt@trade', seq: 7, nextSeq: 8});
		expect(trade.data).toEqual({
			e: 'trade',
			E: 1764460800123,
			s: 'BTCUSDT',
			t: 7,
			p: '91000.10',
			q: '0.5',
			T: 1764460800123,
			m: true,
			M: true,
		});
		const agg = new DumpRowParser('aggTrades', 'BTCUSDT', undefined, 'f').parse(
			'3,91000.10,0.5,10,12,1764460800123,false,true',
			1,
		);
		expect(agg.data).toMatchObject({e: 'aggTrade', a: 3, f: 10, l: 12, m: false, T: 1764460800123});
		const kline = new DumpRowParser('klines', 'BTCUSDT', '1m', 'f').parse(
			'1764460800000,91000,91100,90900,91050,12.5,1764460859999,1137500,420,6.1,555000,0',
			1,
		);
		expect(kline).toMatchObject({
			t: 1764460859999,
			stream: 'btcusdt@kline_1m',
			seq: 1764460800000,
			nextSeq: 1764460860000,
		});
		expect(kline.data).toMatchObject({
			e: 'kline',
			E: 1764460859999,
			k: {
				t: 1764460800000,
				T: 1764460859999,
				i: '1m',
				o: '91000',
				c: '91050',
				h: '91100',
				l: '90900',
				v: '12.5',
				n: 420,
				x: true,
			},
		});
	});

	it('names the file and line of a row that is not one', () => {
		const parser = new DumpRowParser('trades', 'BTCUSDT', undefined, 'BTCUSDT-trades.zip:x.csv');
		expect(() => parser.parse('7,abc,0.5,1,1764460800123,True,True', 3)).toThrow(DumpFormatError);
		expect(() => parser.parse('7,abc,0.5,1,1764460800123,True,True', 3)).toThrow(
			/x\.csv:3: price "abc" is not a number/,
		);
	});
});

describe('importDumps', () => {
	it('merges trades of two symbols in time order; headed and headerless files alike', async () => {
		const btc = join(dir, 'BTCUSDT-trades-2025-11-30.zip');
		writeZip(btc, [
			{
				name: 'BTCUSDT-trades-2025-11-30.csv',
				text: ['id,price,qty,quote_qty,time,is_buyer_maker,is_best_match', ...trades(1, 50, true)].join('\n'),
			},
		]);
		const eth = join(dir, 'ETHUSDT-trades-2025-11-30.zip');
		writeZip(eth, [
			{
				name: 'ETHUSDT-trades-2025-11-30.csv',
				text:
					trades(1, 30)
						.map(r => r.replace(',1,', ',1,'))
						.join('\n') + '\n',
				deflate: false,
			},
		]);
		const out = join(dir, 'trades.rec');
		const result = await importDumps({
			kind: 'trades',
			files: [
				{path: btc, symbol: 'BTCUSDT'},
				{path: eth, symbol: 'ETHUSDT'},
			],
			output: out,
			tool: 'test',
		});
		expect(result).toMatchObject({
			frames: 80,
			gaps: 0,
			duplicates: 0,
			symbols: ['BTCUSDT', 'ETHUSDT'],
			streams: ['trade'],
		});
		const {header, events, damage} = readRecording(out);
		expect(damage).toBeUndefined();
		expect(header).toMatchObject({
			source: 'import:trades',
			symbols: ['BTCUSDT', 'ETHUSDT'],
			streams: ['trade'],
			startedAt: T0 + 10,
		});
		expect(Object.fromEntries(framesByStream(events))).toEqual({'btcusdt@trade': 50, 'ethusdt@trade': 30});
		for (let i = 1; i < events.length; i++) expect(events[i]!.t).toBeGreaterThanOrEqual(events[i - 1]!.t);
		expect(events.at(-1)?.type).toBe('end');
	});

	it('writes a hole between two days as a gap and skips rows given twice', async () => {
		const day1 = join(dir, 'BTCUSDT-aggTrades-2025-11-29.zip');
		const day2 = join(dir, 'BTCUSDT-aggTrades-2025-11-30.zip');
		const agg = (from: number, to: number) =>
			Array.from({length: to - from + 1}, (_, i) => {
				const a = from + i;
				return `${a},100.5,1,${a * 2},${a * 2 + 1},${T0 + a * 1000},True,True`;
			}).join('\n');
		writeZip(day1, [{name: 'a.csv', text: agg(1, 20)}]);
		writeZip(day2, [{name: 'b.csv', text: agg(18, 20) + '\n' + agg(31, 40)}]);
		const out = join(dir, 'agg.rec');
		const result = await importDumps({
			kind: 'aggTrades',
			files: [
				{path: day1, symbol: 'BTCUSDT'},
				{path: day2, symbol: 'BTCUSDT'},
			],
			output: out,
			tool: 'test',
		});
		expect(result).toMatchObject({frames: 30, gaps: 1, duplicates: 3});
		const gap = readRecording(out).events.find(e => e.type === 'gap');
		expect(gap).toMatchObject({type: 'gap', from: T0 + 20_000, to: T0 + 31_000});
		expect(gap?.type === 'gap' && gap.reason).toMatch(/ids 21–30 missing/);
	});

	it('imports klines; a bad row removes the half-written file and names the line', async () => {
		const good = join(dir, 'BTCUSDT-1m-2025-11-30.zip');
		const rows = Array.from({length: 5}, (_, i) => {
			const open = (T0 + i * 60_000) * 1000;
			return `${open},100,101,99,100.5,3,${open + 59_999_999},300,12,1,100,0`;
		});
		writeZip(good, [
			{
				name: 'k.csv',
				text: [
					'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore',
					...rows,
				].join('\n'),
			},
		]);
		const out = join(dir, 'k.rec');
		const result = await importDumps({
			kind: 'klines',
			files: [{path: good, symbol: 'BTCUSDT', interval: '1m'}],
			output: out,
			tool: 'test',
		});
		expect(result).toMatchObject({frames: 5, gaps: 0, streams: ['kline_1m']});
		const frames = readRecording(out).events.filter(e => e.type === 'frame');
		expect(frames[0]).toMatchObject({t: T0 + 59_999, stream: 'btcusdt@kline_1m'});

		const broken = join(dir, 'BTCUSDT-1m-2025-12-01.zip');
		writeZip(broken, [{name: 'k.csv', text: rows[0] + '\n' + 'oops,1,2\n'}]);
		const bad = join(dir, 'bad.rec');
		await expect(
			importDumps({
				kind: 'klines',
				files: [{path: broken, symbol: 'BTCUSDT', interval: '1m'}],
				output: bad,
				tool: 'test',
			}),
		).rejects.toThrow(/k\.csv:2: /);
		expect(existsSync(bad)).toBe(false);
	});
});
