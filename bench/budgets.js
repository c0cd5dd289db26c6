#!/usr/bin/env node
// Every budget of DESIGN.md "Budgets" in one command: runs the bench that measures it, then prints
// each figure beside its budget and the peer it was measured against, and exits 0 only when every
// budget that could be measured was met.
//   node bench/budgets.js            full runs (about 20 minutes; the RSS slope bench runs 10 minutes)
//   node bench/budgets.js --short    a quick check, about 2 minutes (fewer launches, iterations, seconds)
//   npm run bench -- budgets [--short]
// Build first (npm run build). A bench whose prerequisite is missing (nginx/Locust for the load
// bench) is reported as "not measured", not as met.
import {spawn} from 'node:child_process';
import {cpus, loadavg} from 'node:os';
import {fileURLToPath} from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const short = process.argv.includes('--short');

/** Each budget: the bench that measures it, its arguments (short / full), and which output lines carry the figures. */
const budgets = [
	{
		what: 'console first frame',
		budget: '≤ 1 s from launch (issue 16 goal: ≤ 300 ms median)',
		peer: 'bare node printing one word on the same pty',
		file: 'console.bench.js',
		args: short ? ['--runs', '10', '--soak', '0'] : ['--runs', '10', '--soak', '60s'],
		figures: [/^first frame: .*/m, /^goal .*/m],
	},
	{
		what: 'console overhead during a 1 op/s soak',
		budget: '≤ 5 % of one core, RSS ≤ 200 MB',
		peer: 'the same soak headless',
		from: 'console.bench.js',
		figures: [/^soak 1 op\/s.*/m],
		skipShort: 'console soak needs 2 × 60 s',
	},
	{
		what: 'ccxt order round trip to the mock on loopback',
		budget: 'p50 ≤ 1 ms, p99 ≤ 5 ms',
		peer: 'a raw keep-alive GET to the same mock',
		file: 'ccxt-roundtrip.bench.js',
		args: short ? ['--iterations', '300', '--warmup', '100'] : [],
		figures: [/^raw HTTP GET \/api\/v3\/ticker\/price.*/m, /^ccxt createOrder.*/gm],
	},
	{
		what: 'mock exchange, public endpoint',
		budget: '≥ 20 000 requests/s',
		peer: 'a bare node:http server answering a constant body (floor), autocannon as client',
		file: 'mock-throughput.bench.js',
		args: short ? ['--seconds', '1', '--reps', '1'] : [],
		figures: [/^bare node:http.*/m, /^GET \/api\/v3\/ticker\/price\?symbol.*/m, /^server CPU per request.*/m],
	},
	{
		what: 'stream inspector',
		budget: '≥ 50 000 messages/s ingested',
		peer: 'ccxt parse without the tap',
		file: 'ccxt-tap.bench.js',
		args: short ? ['--frames', '100000'] : [],
		figures: [/^(ccxt parse only|parse \+ tap).*/gm, /^tap overhead.*/m],
	},
	{
		what: 'WebSocket fan-out, mock → 100 clients',
		budget: '≥ 10 000 messages/s',
		peer: '—',
		file: 'ws-fanout.bench.ts',
		args: short ? ['2'] : [],
		figures: [/^budget.*/m],
	},
	{
		what: 'soak CPU per operation',
		budget: '≤ 5 % of one core at 1 op/s',
		peer: '—',
		file: 'soak.bench.js',
		env: short ? {SOAK_SECONDS: '15'} : {},
		figures: [/achieved rate.*/, /drydock CPU per operation.*/, /→ at 1 operation\/s.*/],
	},
	{
		what: 'RSS slope',
		budget: '≤ 5 MB/h',
		peer: '—',
		file: 'memory.bench.js',
		env: {MEMORY_DURATION: '10m'},
		figures: [/^RSS after warm-up.*/m],
		skipShort: 'a slope needs ≥ 10 minutes (2 h to be conclusive)',
	},
	{
		what: 'HTTP load generator, one process',
		budget: '≥ 1.0× autocannon, ≥ 5× Locust in req/s (issue 16 goal: ≥ 1.05× autocannon every repetition)',
		peer: 'autocannon and Locust FastHttpUser on the same nginx',
		file: 'load.bench.js',
		args: short
			? ['--seconds', '3', '--reps', '1', '--connections', '32']
			: ['--seconds', '8', '--reps', '2', '--connections', '32'],
		figures: [/^\| (drydock load|autocannon|Locust|wrk).*/gm, /^per repetition.*/m, /^goal.*/m, /^budget.*/m],
	},
];

function run(file, args, env) {
	return new Promise(resolve => {
		const nodeArgs = file.endsWith('.ts') ? ['--import', 'tsx', file, ...args] : [file, ...args];
		const child = spawn(process.execPath, nodeArgs, {
			cwd: dir,
			env: {...process.env, ...env},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let out = '';
		child.stdout.on('data', d => (out += d));
		child.stderr.on('data', d => (out += d));
		child.on('close', code => resolve({code, out}));
	});
}

const outputs = new Map();
const rows = [];
const started = Date.now();
for (const b of budgets) {
	if (short && b.skipShort) {
		rows.push({...b, status: 'not measured (short mode)', lines: [b.skipShort]});
		continue;
	}
	const file = b.file ?? b.from;
	if (!outputs.has(file)) {
		process.stderr.write(`running ${file} ${(b.args ?? []).join(' ')}…\n`);
		outputs.set(file, await run(file, b.args ?? [], b.env ?? {}));
	}
	const {code, out} = outputs.get(file);
	const lines = b.figures.flatMap(pattern =>
		pattern.global ? [...out.matchAll(pattern)].map(m => m[0]) : [out.match(pattern)?.[0]].filter(Boolean),
	);
	const status =
		code === 0
			? 'met'
			: code === 2
				? 'not measured (prerequisite missing)'
				: lines.some(l => /MISSED|NOT met/.test(l)) || code === 1
					? 'MISSED'
					: `bench failed (exit ${code})`;
	rows.push({...b, status, lines: lines.length > 0 ? lines : out.trim().split('\n').slice(-3)});
}

console.log(
	`\ndrydock budgets (${short ? 'short' : 'full'} mode, ${((Date.now() - started) / 1000).toFixed(0)} s, node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)})\n`,
);
for (const r of rows) {
	console.log(`${r.status === 'met' ? '✓' : r.status === 'MISSED' ? '✗' : '·'} ${r.what}: ${r.status}`);
	console.log(`    budget: ${r.budget}`);
	console.log(`    peer:   ${r.peer}`);
	for (const line of r.lines) console.log(`    ${line.trim()}`);
}
const missed = rows.filter(r => r.status !== 'met' && !r.status.startsWith('not measured'));
console.log(
	`\n${missed.length === 0 ? 'every measured budget met' : `${missed.length} budget(s) missed: ${missed.map(r => r.what).join(', ')}`}`,
);
process.exitCode = missed.length === 0 ? 0 : 1;
