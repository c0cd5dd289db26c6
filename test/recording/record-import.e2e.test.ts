/** `drydock record import` as a process (npm run build first): a dump made here imported; bad input exits 2. */
import {mkdtempSync, rmSync, existsSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {drydock, framesByStream, readRecording, writeZip} from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'drydock-record-import-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const T0 = 1_764_460_800_000;
const rows = Array.from({length: 100}, (_, i) => `${i + 1},91000.5,0.01,910.005,${(T0 + i) * 1000},True,True`);

describe('drydock record import', () => {
	it('imports a trades dump into a recording and says how many frames', async () => {
		const zip = join(dir, 'BTCUSDT-trades-2025-11-30.zip');
		writeZip(zip, [{name: 'BTCUSDT-trades-2025-11-30.csv', text: rows.join('\n') + '\n'}]);
		const out = join(dir, 'btc.rec');
		const run = drydock(['record', 'import', 'trades', zip, '-o', out]);
		const {code} = await run.exit;
		expect(code, run.stderr()).toBe(0);
		expect(run.stderr()).toMatch(/btc\.rec: 100 frames \(BTCUSDT trade\), 2025-11-30T00:00:00\.000Z → .* 0 gaps/);
		const {header, events} = readRecording(out);
		expect(header.source).toBe('import:trades');
		expect(framesByStream(events).get('btcusdt@trade')).toBe(100);
	});

	const bad: Array<[string, (zip: string) => string[], RegExp]> = [
		['an unknown kind', zip => ['depth', zip], /^drydock: record import: "depth" is not a dump kind/],
		['a missing file', () => ['trades', join(dir, 'nope.zip')], /^drydock: record import: .*nope\.zip does not exist/],
		[
			'a file that is not a zip',
			() => ['trades', join(dir, 'BTCUSDT-trades-x.csv')],
			/^drydock: .* is not a ZIP archive/,
		],
		['klines without an interval', zip => ['klines', zip], /cannot tell the kline interval .* add --interval 1m/],
		[
			'a malformed row',
			() => ['aggTrades', join(dir, 'BTCUSDT-aggTrades-x.zip')],
			/^drydock: .*a\.csv:1: .* is not an integer/,
		],
	];
	it.each(bad)('refuses %s with exit 2 and one line', async (_what, args, message) => {
		const zip = join(dir, 'BTCUSDT-trades-2025-11-30.zip');
		writeZip(zip, [{name: 'x.csv', text: rows.join('\n')}]);
		writeFileSync(join(dir, 'BTCUSDT-trades-x.csv'), rows.join('\n'));
		writeZip(join(dir, 'BTCUSDT-aggTrades-x.zip'), [{name: 'a.csv', text: 'x1,2,3,4,5,6,True,True\n'}]);
		const out = join(dir, 'bad.rec');
		const run = drydock(['record', 'import', ...args(zip), '-o', out]);
		expect((await run.exit).code).toBe(2);
		expect(run.stderr()).toMatch(message);
		expect(run.stderr().trim().split('\n')).toHaveLength(1);
		expect(existsSync(out)).toBe(false);
	});
});
