// Console render cost and memory over many frames with ever-changing figures — what a 24 h run does
// to the UI. Renders the real App into a fake 100×30 terminal as fast as it can (no throttle) and
// reports ms/frame, bytes/frame and heap growth per 1000 frames (after GC).
// Usage: npx tsx bench/console-render.bench.ts [frames=3000]   (also run by `npm run bench -- console`)
import '../source/ui/ink-env.js';
import {setFlagsFromString} from 'node:v8';
import {runInNewContext} from 'node:vm';
import {createElement} from 'react';
import {render} from 'ink';
import {ConsoleApp as App} from '../source/ui/console/ConsoleApp.js';
import {FakeEngine, runningSnapshot} from '../test/ui/helpers.js';
import {FakeStdin, FakeStdout} from '../test/ui/helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const frames = Number(process.argv[2] ?? 3000);
const engine = new FakeEngine(runningSnapshot());
const stdout = new FakeStdout(100, 30);
let bytes = 0;
let written = 0;
stdout.write = (chunk: string) => {
	bytes += chunk.length;
	written++;
	return true;
};
const instance = render(createElement(App, {engine, onQuit: () => {}, ascii: false, refreshMs: 0}), {
	stdout: stdout as unknown as NodeJS.WriteStream,
	stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
	exitOnCtrlC: false,
	patchConsole: false,
	maxFps: 100_000,
});
const heap = () => {
	gc();
	return process.memoryUsage().heapUsed / 1024 / 1024;
};
const settle = async () => new Promise(resolve => setImmediate(resolve));
// Warm-up: JIT and caches.
for (let i = 0; i < 200; i++) {
	engine.publish({...engine.getSnapshot(), at: engine.getSnapshot().at + 250});
	await settle();
}
const heapStart = heap();
const bytesStart = bytes;
const writesStart = written;
const t0 = performance.now();
for (let i = 1; i <= frames; i++) {
	const s = engine.getSnapshot();
	engine.publish({
		...s,
		at: s.at + 250,
		run: s.run ? {...s.run, elapsedMs: s.run.elapsedMs + 250} : null,
		metrics: {
			...s.metrics,
			operations: s.metrics.operations + 1,
			opsSeries: [...s.metrics.opsSeries.slice(-119), i % 7],
		},
		streams: s.streams.map(st => ({...st, messages: st.messages + 3, lastMessageAt: s.at + 250 - (i % 9) * 100})),
	});
	await settle();
}
const ms = (performance.now() - t0) / frames;
const heapEnd = heap();
instance.unmount();
const perThousand = ((heapEnd - heapStart) / frames) * 1000;
console.log(
	`console render (NODE_ENV=${process.env.NODE_ENV}): ${frames} frames at 100×30, ${ms.toFixed(2)} ms/frame, ${((bytes - bytesStart) / frames / 1024).toFixed(1)} KB/frame written (${((written - writesStart) / frames).toFixed(1)} writes), heap ${heapStart.toFixed(1)} → ${heapEnd.toFixed(1)} MB (${perThousand.toFixed(2)} MB per 1000 frames; at 2 Hz that is ${(perThousand * 7.2).toFixed(1)} MB/h)`,
);
// Budget: bounded memory — under 5 MB/h at the console's 2 Hz refresh.
process.exitCode = perThousand * 7.2 <= 5 ? 0 : 1;
