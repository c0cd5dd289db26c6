// Long-run memory of the whole engine (issue 6, "long-run memory"): `drydock run --phases soak` at
// ≥ 100 operations/s for hours against a mock in another process, with a chaos timeline (a fault every
// few minutes: dropped streams, 5xx bursts, latency, stalled streams, 429 storms), so the chaos runner's
// stream watcher and the reconnect paths run all along. The bench samples drydock's RSS from /proc
// itself, prints progress, and at the end the least-squares RSS slope after warm-up (and per half, so a
// falling warm-up curve cannot hide a rise), beside the report's own slope. Budget: DESIGN.md's
// RSS slope ≤ 5 MB/h.
//
//   npm run build && node bench/soak-memory.bench.js                       # 2 h at 120 operations/s
//   MEMORY_DURATION=20m MEMORY_RATE=120 MEMORY_FAULT_EVERY=2m node bench/soak-memory.bench.js
import {mkdtemp, readFile, readdir, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {startNode, startSoakMock} from './soak-processes.js';

function seconds(name, fallback) {
	const text = process.env[name] ?? fallback;
	const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(String(text).trim());
	if (!match) {
		console.error(`${name}: "${text}" is not like 600, 10m or 2h`);
		process.exit(2);
	}
	return Number(match[1]) * {s: 1, m: 60, h: 3600}[match[2] ?? 's'];
}

const duration = seconds('MEMORY_DURATION', '2h');
const rate = Number(process.env.MEMORY_RATE ?? 120);
const faultEvery = seconds('MEMORY_FAULT_EVERY', '5m');
const warmup = Math.min(600, Math.max(30, duration / 12));
const sampleEvery = duration >= 1800 ? 15 : 5;
const budgetMbPerHour = 5;

function rssMb(pid) {
	return readFile(`/proc/${pid}/status`, 'utf8').then(
		text => Number(/VmRSS:\s+(\d+)/.exec(text)?.[1] ?? NaN) / 1024,
		() => null,
	);
}

/** Least-squares slope in MB/h of [seconds, MB] points. */
function slope(points) {
	if (points.length < 3) return null;
	const n = points.length;
	const mx = points.reduce((s, [x]) => s + x, 0) / n;
	const my = points.reduce((s, [, y]) => s + y, 0) / n;
	let num = 0;
	let den = 0;
	for (const [x, y] of points) {
		num += (x - mx) * (y - my);
		den += (x - mx) ** 2;
	}
	return den === 0 ? null : (num / den) * 3600;
}

const median = values => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length === 0 ? null : sorted[Math.floor(sorted.length / 2)];
};

// A fault every `faultEvery`, cycling through the kinds the mock can inject; none in the warm-up's first minute.
const kinds = [
	{fault: 'drop-websockets'},
	{fault: 'error-rate', params: {probability: 0.3, status: 503}, duration: '20s'},
	{fault: 'latency', params: {ms: 50, jitterMs: 50}, duration: '30s'},
	{fault: 'stall-streams', duration: '30s'},
	{fault: 'rate-limit-storm', params: {retryAfterSec: 1, probability: 0.5}, duration: '15s'},
];
const timeline = [];
for (let at = 60, i = 0; at < duration - 60; at += faultEvery, i++)
	timeline.push({at: `${Math.round(at)}s`, ...kinds[i % kinds.length]});

const {mock, urls} = await startSoakMock();

const dir = await mkdtemp(path.join(tmpdir(), 'drydock-memory-bench-'));
const profile = path.join(dir, 'memory-profile.json');
const chaosFile = path.join(dir, 'chaos.json');
await writeFile(chaosFile, JSON.stringify(timeline, null, 2));
await writeFile(
	profile,
	JSON.stringify({
		name: 'memory-bench',
		exchange: 'binance',
		environment: 'mock',
		symbols: ['BTC/USDT'],
		rateLimit: {enableRateLimit: false, weightBudgetPerMinute: 100000000, headroom: 0},
		soak: {ratePerSecond: rate, progressEveryMs: 600_000, warmupMs: warmup * 1000, orderNotional: 20},
		risk: {maxOrderNotional: 1000, maxPosition: 1000, maxOpenOrders: 1000, dailyLossLimit: 1000000},
		limits: {
			cpuPercent: 100,
			rssMb: 1000,
			rssSlopeMbPerHour: budgetMbPerHour,
			errorsPerHour: 1000000,
			eventLoopLagMs: 1000,
		},
	}),
);

console.log(
	`memory soak bench: drydock run --phases soak, ${rate} operations/s for ${duration} s (warm-up ${warmup} s), ${timeline.length} faults (one every ${faultEvery} s), RSS sampled every ${sampleEvery} s; mock at ${urls.rest} (pid ${urls.pid}); reports in ${dir}`,
);
const started = Date.now();
const run = startNode([
	'bin/drydock.js',
	'run',
	'--phases',
	'soak',
	'--duration',
	`${duration}s`,
	'--headless',
	'--profile',
	profile,
	'--chaos',
	chaosFile,
	'--exchange-url',
	urls.rest,
	'--report-dir',
	dir,
	'--watch-pid',
	String(urls.pid),
]);
const samples = [];
let lastPrint = 0;
const sampler = setInterval(async () => {
	const mb = await rssMb(run.child.pid);
	if (mb === null) return;
	const at = (Date.now() - started) / 1000;
	samples.push([at, mb]);
	if (at - lastPrint >= Math.max(60, duration / 24)) {
		lastPrint = at;
		const after = samples.filter(([x]) => x >= warmup);
		const s = slope(after);
		console.log(
			`  ${(at / 60).toFixed(1).padStart(6)} min  RSS ${mb.toFixed(1)} MB  slope after warm-up ${s === null ? '—' : `${s.toFixed(2)} MB/h`}  (${after.length} samples)`,
		);
	}
}, sampleEvery * 1000);
const code = await run.exit;
clearInterval(sampler);
const wall = (Date.now() - started) / 1000;
mock.child.kill('SIGTERM');
await mock.exit;

const runDir = (await readdir(dir, {withFileTypes: true})).find(d => d.isDirectory());
const report = runDir
	? JSON.parse(await readFile(path.join(dir, runDir.name, 'report.json'), 'utf8').catch(() => 'null'))
	: null;
const after = samples.filter(([x]) => x >= warmup);
const mid = warmup + (wall - warmup) / 2;
const whole = slope(after);
const first = slope(after.filter(([x]) => x < mid));
const second = slope(after.filter(([x]) => x >= mid));
const soak = report?.phases?.find(p => p.id === 'soak');
const soakSeconds = (soak?.duration_ms ?? duration * 1000) / 1000;
const chaosChecks = (soak?.checks ?? []).filter(c => String(c.id).startsWith('chaos-'));
const failed = (soak?.checks ?? []).filter(c => c.verdict === 'fail');
const rows = [
	['exit code', code],
	['wall time (min)', (wall / 60).toFixed(1)],
	[
		'operations / achieved rate (ops/s)',
		report ? `${report.total_operations} / ${(report.total_operations / soakSeconds).toFixed(1)}` : '—',
	],
	['success rate (%)', report?.success_rate],
	['latency avg / p99 (ms)', report ? `${report.average_latency_ms} / ${report.p99_latency_ms}` : '—'],
	[
		'faults injected / chaos checks passed',
		`${timeline.length} / ${chaosChecks.filter(c => c.verdict === 'pass').length} of ${chaosChecks.length}`,
	],
	[
		'stream reconnects (report)',
		report?.streams?.reconnects ?? report?.streams?.map?.(s => s.reconnects).join(' ') ?? '—',
	],
	[
		'RSS first / median / last after warm-up (MB)',
		after.length
			? `${after[0][1].toFixed(1)} / ${median(after.map(([, y]) => y)).toFixed(1)} / ${after.at(-1)[1].toFixed(1)}`
			: '—',
	],
	['RSS peak (MB)', samples.length ? Math.max(...samples.map(([, y]) => y)).toFixed(1) : '—'],
	[
		'RSS slope after warm-up, whole / 1st half / 2nd half (MB/h)',
		[whole, first, second].map(v => (v === null ? '—' : v.toFixed(2))).join(' / '),
	],
	['report rss_slope_mb_per_hour', report?.metrics?.rss_slope_mb_per_hour],
	['failed checks', failed.length ? failed.map(c => `${c.id}: ${c.reason ?? c.measured}`).join('; ') : 'none'],
];
for (const [k, v] of rows) console.log(`  ${k.padEnd(60)} ${v}`);
console.log(`  report: ${runDir ? path.join(dir, runDir.name, 'report.json') : '(none)'}`);
const met = whole !== null && whole <= budgetMbPerHour && second !== null && second <= budgetMbPerHour;
console.log(
	`  → RSS slope ${met ? 'within' : 'NOT within'} the budget (≤ ${budgetMbPerHour} MB/h, whole run after warm-up and its second half)`,
);
if (code !== 0) console.log(run.output().split('\n').slice(-40).join('\n'));
process.exit(met && code === 0 ? 0 : 1);
