// Soak benchmark: `drydock run --phases soak` at a high rate against a mock in another process, then
// drydock's own CPU per operation and RSS slope from the report, against DESIGN.md's budgets.
//
//   npm run build && node bench/soak.bench.js            # 200 operations/s for 60 s
//   SOAK_RATE=200 SOAK_SECONDS=300 node bench/soak.bench.js
import {mkdtemp, readFile, readdir, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {startNode, startSoakMock} from './soak-processes.js';

const rate = Number(process.env.SOAK_RATE ?? 200);
const seconds = Number(process.env.SOAK_SECONDS ?? 60);
const warmupSeconds = Math.min(30, Math.max(5, Math.round(seconds / 6)));

const {mock, urls} = await startSoakMock();

const dir = await mkdtemp(path.join(tmpdir(), 'drydock-soak-bench-'));
const profile = path.join(dir, 'bench-profile.json');
await writeFile(
	profile,
	JSON.stringify({
		name: 'soak-bench',
		exchange: 'binance',
		environment: 'mock',
		symbols: ['BTC/USDT'],
		rateLimit: {enableRateLimit: false, weightBudgetPerMinute: 100000000, headroom: 0},
		soak: {
			ratePerSecond: rate,
			progressEveryMs: Math.max(10_000, seconds * 250),
			warmupMs: warmupSeconds * 1000,
			orderNotional: 20,
		},
		risk: {maxOrderNotional: 1000, maxPosition: 1000, maxOpenOrders: 1000, dailyLossLimit: 1000000},
		limits: {cpuPercent: 100, rssMb: 500, rssSlopeMbPerHour: 5, errorsPerHour: 1000000, eventLoopLagMs: 200},
	}),
);

console.log(
	`soak bench: ${rate} operations/s for ${seconds}s (warm-up ${warmupSeconds}s) against the mock at ${urls.rest} (pid ${urls.pid})`,
);
const started = Date.now();
const run = startNode([
	'bin/drydock.js',
	'run',
	'--phases',
	'soak',
	'--duration',
	`${seconds}s`,
	'--headless',
	'--profile',
	profile,
	'--exchange-url',
	urls.rest,
	'--report-dir',
	dir,
	'--watch-pid',
	String(urls.pid),
]);
const code = await run.exit;
const wall = (Date.now() - started) / 1000;
mock.child.kill('SIGTERM');
await mock.exit;
const runDir = (await readdir(dir, {withFileTypes: true})).find(d => d.isDirectory());
if (!runDir) {
	console.error(run.output());
	process.exit(1);
}
const report = JSON.parse(await readFile(path.join(dir, runDir.name, 'report.json'), 'utf8'));
const soak = report.phases.find(p => p.id === 'soak');
const soakSeconds = (soak?.duration_ms ?? seconds * 1000) / 1000;
const self = report.resources.self;
const watched = report.resources.watched;
const ops = report.total_operations;
const cpuMsPerOp =
	ops > 0 && self.average_cpu_percent !== null ? ((self.average_cpu_percent / 100) * soakSeconds * 1000) / ops : null;
const rows = [
	['exit code', code],
	['operations', ops],
	['achieved rate (ops/s)', (ops / soakSeconds).toFixed(1)],
	['success rate (%)', report.success_rate],
	[
		'latency avg / p99 / peak (ms)',
		`${report.average_latency_ms} / ${report.p99_latency_ms} / ${report.peak_latency_ms}`,
	],
	['drydock CPU avg (% of one core)', self.average_cpu_percent],
	['drydock CPU per operation (ms)', cpuMsPerOp === null ? null : cpuMsPerOp.toFixed(3)],
	['drydock RSS avg / peak (MB)', `${self.average_memory_mb} / ${self.peak_memory_mb}`],
	['drydock RSS slope after warm-up (MB/h)', report.metrics.rss_slope_mb_per_hour],
	['drydock event-loop lag peak (ms)', self.peak_event_loop_lag_ms],
	['mock CPU avg (%) / RSS peak (MB)', watched ? `${watched.average_cpu_percent} / ${watched.peak_memory_mb}` : '—'],
	['errors', report.metrics.total_errors],
	['wall time (s)', wall.toFixed(1)],
];
for (const [k, v] of rows) console.log(`  ${k.padEnd(40)} ${v}`);
if (cpuMsPerOp !== null)
	console.log(`  → at 1 operation/s that is ${(cpuMsPerOp / 10).toFixed(2)} % of one core (budget ≤ 5 %)`);
console.log(`  report: ${path.join(dir, runDir.name, 'report.json')}`);
if (code !== 0) console.log(run.output().split('\n').slice(-40).join('\n'));
