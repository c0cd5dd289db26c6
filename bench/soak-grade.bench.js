// Soak grade benchmark: `drydock run --phases soak` for 60 s on the embedded mock, then the grade and the
// graded latency (one order's round trip: placed and acknowledged, the guides' "average response time")
// beside the whole trade cycle's. A healthy run on a quiet machine grades A+ (≥ 99.9 %, average < 1 ms).
//
//   npm run build && node bench/soak-grade.bench.js        # 5 operations/s for 60 s
//   SOAK_RATE=20 SOAK_SECONDS=120 node bench/soak-grade.bench.js
import {spawn} from 'node:child_process';
import {mkdtemp, readFile, readdir, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const rate = Number(process.env.SOAK_RATE ?? 5);
const seconds = Number(process.env.SOAK_SECONDS ?? 60);

const dir = await mkdtemp(path.join(tmpdir(), 'drydock-soak-grade-'));
const profile = path.join(dir, 'grade-profile.json');
// No URLs: the run starts its embedded mock. Limits lifted so nothing but latency and success decide.
await writeFile(
	profile,
	JSON.stringify({
		name: 'soak-grade-bench',
		exchange: 'binance',
		environment: 'mock',
		symbols: ['BTC/USDT'],
		rateLimit: {enableRateLimit: false},
		soak: {ratePerSecond: rate, progressEveryMs: 60_000, warmupMs: 5_000, orderNotional: 20},
		risk: {maxOrderNotional: 1000, maxPosition: 1000, maxOpenOrders: 1000, dailyLossLimit: 1000000},
	}),
);

console.log(`soak grade bench: ${rate} operations/s for ${seconds} s on the embedded mock`);
const child = spawn(
	process.execPath,
	[
		'bin/drydock.js',
		'run',
		'--phases',
		'soak',
		'--duration',
		`${seconds}s`,
		'--headless',
		'--profile',
		profile,
		'--report-dir',
		dir,
	],
	{cwd: root, stdio: ['ignore', 'pipe', 'pipe']},
);
let out = '';
child.stdout.on('data', chunk => (out += chunk));
child.stderr.on('data', chunk => (out += chunk));
const code = await new Promise(resolve => child.on('exit', resolve));
const runDir = (await readdir(dir, {withFileTypes: true})).find(d => d.isDirectory());
if (!runDir) {
	console.error(out);
	process.exit(1);
}
const report = JSON.parse(await readFile(path.join(dir, runDir.name, 'report.json'), 'utf8'));
const rows = [
	['exit code', code],
	['operations', report.total_operations],
	['success rate (%)', report.success_rate],
	['grade', report.performance_grade],
	[
		'order round trip avg / p50 / p99 / peak (ms)',
		`${report.average_latency_ms} / ${report.p50_latency_ms} / ${report.p99_latency_ms} / ${report.peak_latency_ms}`,
	],
	['whole cycle avg / peak (ms)', `${report.average_cycle_latency_ms} / ${report.peak_cycle_latency_ms}`],
	['report', path.join(dir, runDir.name, 'report.json')],
];
const width = Math.max(...rows.map(([k]) => k.length));
for (const [key, value] of rows) console.log(`${key.padEnd(width)}  ${value}`);
const met = report.performance_grade === 'A+';
console.log(met ? 'A+ reached' : `A+ not reached (grade ${report.performance_grade})`);
process.exit(met ? 0 : 1);
