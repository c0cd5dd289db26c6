#!/usr/bin/env node
// The recorder's cost (issue 15): CPU of a `drydock record` process, as % of one core, while it records
// a 6-stream feed (trade, aggTrade, depth@100ms, bookTicker, kline_1m, miniTicker) for 2 symbols from a
// `drydock mock` on loopback; its MB/hour and compression ratio; and `record import` speed (rows/s) on a
// trades dump generated here. Run after `npm run build`:
//   node bench/record-cost.bench.js [--seconds N] [--trade-rate N] [--rows N]
// Asked: ≤ 5 % of a core. pidusage samples the recorder from outside, after a 3 s warm-up.
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import {deflateRawSync} from 'node:zlib';
import pidusage from 'pidusage';

const {values} = parseArgs({
	options: {
		seconds: {type: 'string', default: '30'},
		'trade-rate': {type: 'string', default: '20'},
		rows: {type: 'string', default: '1000000'},
	},
});
const seconds = Number(values.seconds);
const bin = new URL('../bin/drydock.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'drydock-record-bench-'));
const sleep = ms => new Promise(r => setTimeout(r, ms));

function start(args) {
	const child = spawn(process.execPath, [bin, ...args], {stdio: ['ignore', 'pipe', 'pipe']});
	let out = '';
	let err = '';
	child.stdout.on('data', c => (out += c));
	child.stderr.on('data', c => (err += c));
	const exit = new Promise(resolve => child.on('exit', code => resolve(code)));
	const waitFor = async pattern => {
		for (let i = 0; i < 400; i++) {
			const m = pattern.exec(out + err);
			if (m) return m;
			await sleep(50);
		}
		throw new Error(`timed out waiting for ${pattern}: ${out}${err}`);
	};
	return {child, exit, waitFor, err: () => err};
}

/** One-entry ZIP (deflated), as data.binance.vision ships; no CRC check on read, so 0 is stored. */
function writeZip(path, name, text) {
	const data = Buffer.from(text);
	const body = deflateRawSync(data);
	const nameBuf = Buffer.from(name);
	const local = Buffer.alloc(30);
	local.writeUInt32LE(0x04034b50, 0);
	local.writeUInt16LE(8, 8);
	local.writeUInt32LE(body.length, 18);
	local.writeUInt32LE(data.length, 22);
	local.writeUInt16LE(nameBuf.length, 26);
	const central = Buffer.alloc(46);
	central.writeUInt32LE(0x02014b50, 0);
	central.writeUInt16LE(8, 10);
	central.writeUInt32LE(body.length, 20);
	central.writeUInt32LE(data.length, 24);
	central.writeUInt16LE(nameBuf.length, 28);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(1, 8);
	end.writeUInt16LE(1, 10);
	end.writeUInt32LE(central.length + nameBuf.length, 12);
	end.writeUInt32LE(local.length + nameBuf.length + body.length, 16);
	writeFileSync(path, Buffer.concat([local, nameBuf, body, central, nameBuf, end]));
}

try {
	const mock = start(['mock', '--port', '0', '--trade-rate', values['trade-rate']]);
	const [line] = await mock.waitFor(/\{"rest".*\}/);
	const {rest} = JSON.parse(line);
	const out = join(dir, 'bench.rec');
	const streams = 'trade,aggTrade,depth@100ms,bookTicker,kline_1m,miniTicker';
	const recorder = start([
		'record',
		'--exchange-url',
		rest,
		'--symbols',
		'BTCUSDT,ETHUSDT',
		'--streams',
		streams,
		'-o',
		out,
	]);
	await recorder.waitFor(/Ctrl-C to stop/);
	await sleep(3000);
	const before = await pidusage(recorder.child.pid);
	const sizeBefore = statSync(out).size;
	const t0 = Date.now();
	await sleep(seconds * 1000);
	const after = await pidusage(recorder.child.pid);
	const elapsed = (Date.now() - t0) / 1000;
	const sizeAfter = statSync(out).size;
	recorder.child.kill('SIGTERM');
	await recorder.exit;
	mock.child.kill('SIGTERM');
	await mock.exit;
	const summary = /(\d+) frames, (\d+) snapshots, (\d+) gaps, .* \(([\d.]+)× compressed\)/.exec(recorder.err());
	const cpuPercent = ((after.ctime - before.ctime) / 1000 / elapsed) * 100;
	const frames = Number(summary?.[1] ?? 0);

	// Import: a synthetic trades day of `rows` rows, µs timestamps as in 2025+ dumps.
	const rows = Number(values.rows);
	const t = 1_764_460_800_000_000;
	const csv = Array.from(
		{length: rows},
		(_, i) => `${i + 1},91000.${i % 100},0.00100000,91.0,${t + i * 1000},${i % 2 ? 'True' : 'False'},True`,
	).join('\n');
	const zip = join(dir, 'BTCUSDT-trades-2025-11-30.zip');
	writeZip(zip, 'BTCUSDT-trades-2025-11-30.csv', csv);
	const importStart = Date.now();
	const importer = start(['record', 'import', 'trades', zip, '-o', join(dir, 'import.rec')]);
	const code = await importer.exit;
	const importSeconds = (Date.now() - importStart) / 1000;
	const reported = /(\d+) rows\/s/.exec(importer.err());

	const result = {
		record: {
			seconds: Math.round(elapsed),
			streams: `2 symbols × ${streams}`,
			framesPerSecond: Math.round(frames / (elapsed + 3)),
			cpuPercentOfCore: Number(cpuPercent.toFixed(2)),
			budgetPercent: 5,
			mbPerHour: Number(((((sizeAfter - sizeBefore) / elapsed) * 3600) / 1024 / 1024).toFixed(1)),
			compressionRatio: Number(summary?.[4] ?? 0),
			gaps: Number(summary?.[3] ?? -1),
		},
		import: {
			rows,
			exit: code,
			rowsPerSecondReported: Number(reported?.[1] ?? 0),
			rowsPerSecondWallIncludingStartup: Math.round(rows / importSeconds),
		},
	};
	console.log(JSON.stringify(result, null, 2));
	if (cpuPercent > 5) process.exitCode = 1;
} finally {
	rmSync(dir, {recursive: true, force: true});
}
