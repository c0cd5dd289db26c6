#!/usr/bin/env node
// `drydock mock --replay FILE --speed max` into one WebSocket subscriber: events per second.
// Run after `npm run build`: node bench/replay.bench.js [--events N] [--rounds N]
// The mock runs in its own process (as `drydock mock` does); the subscriber here counts frames.
// A recording shaped like a busy BTCUSDT/ETHUSDT session is written first: per 100 ms and symbol,
// 20 trades, 20 aggTrades, 5 bookTickers and one depth diff of 20 levels (snapshots to sync from).
// Budget (issue 15): ≥ 200 000 events/s.
import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import WebSocket from 'ws';
import {RecordingWriter} from '../dist/recording/format/recording-file.js';

const {values} = parseArgs({
	options: {events: {type: 'string', default: '1000000'}, rounds: {type: 'string', default: '3'}},
});
const wanted = Number(values.events);
const rounds = Number(values.rounds);
const GOAL = 200_000;
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'drydock-replay-bench-'));
const path = join(dir, 'bench.rec');

function writeRecording() {
	const base = Date.UTC(2026, 10, 30, 12);
	const symbols = [
		{s: 'BTCUSDT', lower: 'btcusdt', price: 97_000, tick: 0.01, dec: 2},
		{s: 'ETHUSDT', lower: 'ethusdt', price: 3_600, tick: 0.01, dec: 2},
	];
	const writer = new RecordingWriter(
		path,
		{
			source: 'bench',
			symbols: symbols.map(x => x.s),
			streams: ['trade', 'aggTrade', 'bookTicker', 'depth@100ms'],
			startedAt: base,
			tool: 'bench',
		},
		{fsync: false, chunkBytes: 4 * 1024 * 1024},
	);
	let frames = 0;
	let updateId = 1_000_000;
	let tradeId = 5_000_000;
	const level = (p, i, sign, dec) => [
		(p + sign * i * 0.01).toFixed(dec),
		(0.001 + ((i * 7919) % 1000) / 1000).toFixed(5),
	];
	for (const x of symbols) {
		writer.write({
			type: 'snapshot',
			t: base,
			symbol: x.s,
			lastUpdateId: updateId,
			bids: Array.from({length: 1000}, (_, i) => level(x.price - 0.01, i, -1, x.dec)),
			asks: Array.from({length: 1000}, (_, i) => level(x.price, i, 1, x.dec)),
		});
	}
	for (let step = 0; frames < wanted; step++) {
		const t0 = base + 1 + step * 100;
		for (const x of symbols) {
			for (let i = 0; i < 20; i++) {
				const t = t0 + i * 5;
				const id = tradeId++;
				const p = (x.price + ((i % 5) - 2) * 0.01).toFixed(x.dec);
				const q = (0.0001 + ((id * 31) % 997) / 10_000).toFixed(5);
				const m = i % 2 === 0;
				writer.write({
					type: 'frame',
					t,
					stream: `${x.lower}@trade`,
					data: {e: 'trade', E: t, s: x.s, t: id, p, q, T: t, m, M: true},
				});
				writer.write({
					type: 'frame',
					t,
					stream: `${x.lower}@aggTrade`,
					data: {e: 'aggTrade', E: t, s: x.s, a: id, p, q, f: id, l: id, T: t, m, M: true},
				});
				frames += 2;
			}
			for (let i = 0; i < 5; i++) {
				const t = t0 + i * 20;
				writer.write({
					type: 'frame',
					t,
					stream: `${x.lower}@bookTicker`,
					data: {
						u: updateId,
						s: x.s,
						b: (x.price - 0.01).toFixed(x.dec),
						B: '1.23400',
						a: x.price.toFixed(x.dec),
						A: '0.56700',
					},
				});
				frames++;
			}
			const U = updateId + 1;
			updateId += 20;
			const b = Array.from({length: 10}, (_, i) => level(x.price - 0.01, (i * 3 + step) % 200, -1, x.dec));
			const a = Array.from({length: 10}, (_, i) => level(x.price, (i * 3 + step) % 200, 1, x.dec));
			writer.write({
				type: 'frame',
				t: t0 + 99,
				stream: `${x.lower}@depth@100ms`,
				data: {e: 'depthUpdate', E: t0 + 99, s: x.s, U, u: updateId, b, a},
			});
			frames++;
		}
	}
	writer.close();
	return {
		frames,
		streams: symbols.flatMap(x => ['trade', 'aggTrade', 'bookTicker', 'depth@100ms'].map(k => `${x.lower}@${k}`)),
	};
}

function startMock() {
	return new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			[join(root, 'bin/drydock.js'), 'mock', '--replay', path, '--speed', 'max', '--paused'],
			{
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		let out = '';
		let err = '';
		child.stdout.on('data', c => {
			out += c;
			if (out.includes('\n')) resolve({child, ready: JSON.parse(out.slice(0, out.indexOf('\n')))});
		});
		child.stderr.on('data', c => (err += c));
		child.once('exit', code => reject(new Error(`mock exited ${code}: ${err}`)));
	});
}

/** CPU seconds a process has used (Linux /proc), so a busy machine's figure can be read per CPU second. */
function cpuSeconds(pid) {
	try {
		const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
		return (Number(fields[11]) + Number(fields[12])) / 100;
	} catch {
		return NaN;
	}
}

async function round(frames, streams) {
	const {child, ready} = await startMock();
	try {
		const ws = new WebSocket(`${ready.ws}/stream?streams=${streams.join('/')}`);
		await new Promise((resolve, reject) => {
			ws.once('open', resolve);
			ws.once('error', reject);
		});
		let count = 0;
		let done;
		const finished = new Promise(resolve => (done = resolve));
		ws.on('message', () => {
			if (++count === frames) done();
		});
		const started = performance.now();
		const cpu0 = cpuSeconds(child.pid);
		const own0 = process.cpuUsage();
		await fetch(`${ready.admin}/replay`, {method: 'POST', body: JSON.stringify({paused: false})});
		await finished;
		const seconds = (performance.now() - started) / 1000;
		const cpu = cpuSeconds(child.pid) - cpu0;
		const own = process.cpuUsage(own0);
		const subscriberBusy = (own.user + own.system) / 1e6 / seconds;
		ws.close();
		return {rate: frames / seconds, perCpuSecond: frames / cpu, mockBusy: cpu / seconds, subscriberBusy};
	} finally {
		child.kill('SIGTERM');
	}
}

try {
	const t0 = performance.now();
	const {frames, streams} = writeRecording();
	console.log(
		`recording: ${frames} frames, ${(statSync(path).size / 1e6).toFixed(1)} MB, written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
	);
	const rates = [];
	for (let i = 0; i < rounds; i++) {
		const {rate, perCpuSecond, mockBusy, subscriberBusy} = await round(frames, streams);
		rates.push(rate);
		console.log(
			`round ${i + 1}: ${Math.round(rate).toLocaleString('en')} events/s (mock: ${Math.round(perCpuSecond).toLocaleString('en')} events per CPU second; mock ${Math.round(mockBusy * 100)} % of a core, subscriber ${Math.round(subscriberBusy * 100)} %)`,
		);
	}
	const best = Math.max(...rates);
	const median = [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)];
	console.log(
		`replay --speed max into one subscriber: median ${Math.round(median).toLocaleString('en')}, best ${Math.round(best).toLocaleString('en')} events/s (goal ≥ ${GOAL.toLocaleString('en')})`,
	);
	process.exitCode = median >= GOAL ? 0 : 1;
} finally {
	rmSync(dir, {recursive: true, force: true});
}
