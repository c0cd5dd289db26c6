#!/usr/bin/env node
// The WebSocket tap's cost per frame, without the network: what the stream inspector adds on top of
// ccxt's own JSON.parse. Feeds synthetic Binance trade/depth frames through frameFromMessage → TapSink
// → StreamWatcher (gap and latency bookkeeping) with a raw-text listener, as ccxt's handleMessage hook
// does. Budget (DESIGN.md): the stream inspector ingests ≥ 50 000 messages/s.
// Run after `npm run build`: node bench/ccxt-tap.bench.js [--frames N]
import {parseArgs} from 'node:util';
import {StreamWatcher} from '../dist/exchange/index.js';
import {TapSink, frameFromMessage} from '../dist/exchange/ws-tap.js';

const {values} = parseArgs({options: {frames: {type: 'string', default: '500000'}}});
const frames = Number(values.frames);

// Two connections as ccxt opens them, each with its SUBSCRIBE recorded.
const tradeClient = {url: 'ws://127.0.0.1:1/ws/0', drydockStreams: ['btcusdt@trade']};
const depthClient = {url: 'ws://127.0.0.1:1/ws/1', drydockStreams: ['btcusdt@depth@100ms']};
const now = Date.now();
const tradeText = i =>
	`{"e":"trade","E":${now + i},"s":"BTCUSDT","t":${1000 + i},"p":"92351.80000000","q":"0.01200000","T":${now + i},"m":true,"M":true}`;
const depthText = i =>
	`{"e":"depthUpdate","E":${now + i},"s":"BTCUSDT","U":${2 * i + 1},"u":${2 * i + 2},"b":[["92351.70000000","0.50000000"]],"a":[["92351.90000000","0.00000000"]]}`;
const buffers = [];
for (let i = 0; i < 1000; i++) buffers.push([Buffer.from(tradeText(i)), Buffer.from(depthText(i))]);

function run(label, withTap) {
	const tap = new TapSink();
	let messages = 0;
	let rawBytes = 0;
	const fakeClient = {tap, watchTrades: () => new Promise(() => {}), watchOrderBook: () => new Promise(() => {})};
	const watcher = withTap
		? new StreamWatcher(fakeClient, {
				onEvent: e => {
					if (e.type === 'message') messages++;
				},
			})
		: undefined;
	watcher?.start(['btcusdt@trade', 'btcusdt@depth@100ms']);
	if (withTap)
		tap.onRawMessage((_stream, text) => {
			rawBytes += text.length;
		});
	const started = performance.now();
	for (let i = 0; i < frames; i++) {
		const client = i % 2 === 0 ? tradeClient : depthClient;
		const data = buffers[(i >> 1) % 1000][i % 2];
		// What ccxt does for every frame: decode and parse.
		const message = JSON.parse(data.toString());
		if (withTap && tap.active()) {
			client.drydockRaw = data;
			const frame = frameFromMessage(client, message, Date.now());
			if (frame) tap.frame(frame, client);
		}
	}
	const seconds = (performance.now() - started) / 1000;
	void watcher?.close();
	return {label, perSec: frames / seconds, messages, rawBytes};
}

run('warm-up', true);
const base = run('ccxt parse only', false);
const tapped = run('parse + tap + watcher + raw text', true);
console.log(`\nWebSocket tap cost (${frames} frames, half trade half depth, node ${process.version})\n`);
console.log(`${'path'.padEnd(36)}${'frames/s'.padStart(12)}`);
for (const r of [base, tapped]) console.log(`${r.label.padEnd(36)}${Math.round(r.perSec).toString().padStart(12)}`);
console.log(
	`\ntap overhead per frame: ${((1 / tapped.perSec - 1 / base.perSec) * 1e6).toFixed(2)} µs; watcher saw ${tapped.messages} messages`,
);
const ok = tapped.perSec >= 50_000 && tapped.messages === frames;
console.log(`budget (≥ 50 000 messages/s through the tap): ${ok ? 'met' : 'MISSED'}`);
process.exitCode = ok ? 0 : 1;
