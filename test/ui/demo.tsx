/**
 * Look at the console without an engine: `npx tsx test/ui/demo.tsx [running|idle] [--ascii]` in a
 * terminal (or tmux at 80×24 / 120×40). A fake engine replays a moving snapshot at 4 Hz.
 */
import {mountConsole, shouldUseAscii} from '../../source/ui/index.js';
import {FakeEngine, idleSnapshot, runningSnapshot, t0} from './helpers.js';

const which = process.argv[2] ?? 'running';
const base = which === 'idle' ? idleSnapshot() : runningSnapshot();
const engine = new FakeEngine(base);
let tick = 0;
const timer = setInterval(() => {
	tick++;
	const snapshot = engine.getSnapshot();
	const at = Date.now();
	engine.publish({
		...snapshot,
		at,
		run: snapshot.run
			? {
					...snapshot.run,
					startedAt: at - 60_000 - tick * 250,
					elapsedMs: 60_000 + tick * 250,
					remainingMs: Math.max(0, 330_000 - tick * 250),
				}
			: null,
		metrics: {
			...snapshot.metrics,
			operations: snapshot.metrics.operations + 1,
			opsSeries: [...snapshot.metrics.opsSeries.slice(-119), 2 + (tick % 5)],
		},
		streams: snapshot.streams.map(s => ({...s, lastMessageAt: at - (s.status === 'silent' ? 60_000 : 300)})),
	});
}, 250);
void t0;
const mounted = mountConsole(engine, {
	ascii: shouldUseAscii(process.env, process.argv.includes('--ascii')),
	onQuit(force) {
		clearInterval(timer);
		mounted.unmount();
		process.stderr.write(`quit force=${force}; commands: ${JSON.stringify(engine.commands.map(c => c.type))}\n`);
	},
});
engine.dispatch = command => {
	engine.commands.push(command);
	const snapshot = engine.getSnapshot();
	engine.publish({
		...snapshot,
		notices: [...snapshot.notices, {at: Date.now(), level: 'info', text: `dispatched ${command.type}`}],
	});
};
await mounted.waitUntilExit();
