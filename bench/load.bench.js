#!/usr/bin/env node
/**
 * HTTP load generator benchmark: drydock load vs autocannon vs Locust (FastHttpUser), one process
 * each, same target (nginx from the OS packages serving a small JSON file on loopback), same number
 * of connections/users, same duration; 3 repetitions; medians of requests/s and p99.
 *
 * Prerequisites (not installed by CI):
 *   apt-get install -y nginx python3-locust     # nginx binary + Locust for the system python3
 *   npm run build                               # drydock from dist/
 * Run:
 *   node bench/load.bench.js [--seconds 10] [--reps 3] [--connections 50]
 *   (or env LOAD_BENCH_SECONDS / LOAD_BENCH_REPS / LOAD_BENCH_CONNECTIONS; `npm run bench -- load`)
 * Exit 0 when the budget is met (median req/s ≥ 1.0× autocannon and ≥ 5× Locust), 1 when not,
 * 2 when a prerequisite is missing.
 *
 * The nginx instance is our own (config in a temp dir, free port, `daemon off`); the system service
 * is never touched.
 */
import {spawn, spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync} from 'node:fs';
import {createServer} from 'node:net';
import {cpus, loadavg, tmpdir} from 'node:os';
import {join, dirname} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
function flag(name, fallback) {
	const at = process.argv.indexOf(`--${name}`);
	const value = Number(at >= 0 ? process.argv[at + 1] : (process.env[`LOAD_BENCH_${name.toUpperCase()}`] ?? fallback));
	if (!(value > 0)) {
		process.stderr.write(`load.bench: --${name} must be a number > 0\n`);
		process.exit(2);
	}
	return value;
}
const seconds = flag('seconds', 10);
const reps = flag('reps', 3);
const connections = flag('connections', 50);
const python = '/usr/bin/python3';

function nginxBinary() {
	for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (existsSync(candidate)) return candidate;
	return undefined;
}

/** wrk is an optional peer (apt-get install -y wrk): run with one thread, as issue 16 compares per process. */
function wrkBinary() {
	for (const candidate of ['/usr/bin/wrk', '/usr/local/bin/wrk']) if (existsSync(candidate)) return candidate;
	return undefined;
}

/** wrk's "Requests/sec:" line and its latency distribution's 99% (in us, ms or s). */
function wrkResult(text) {
	const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
	const p99 = /\s99%\s+([\d.]+)(us|ms|s)\b/.exec(text);
	const p99Ms = p99 ? Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1) : Number.NaN;
	const requests = Number(/(\d+) requests in/.exec(text)?.[1]);
	const failures =
		Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0) +
		[...text.matchAll(/(connect|read|write|timeout) (\d+)/g)].reduce((sum, m) => sum + Number(m[2]), 0);
	return {rps, p99: Number(p99Ms.toFixed(2)), requests, failures};
}

function prerequisites() {
	const missing = [];
	if (!nginxBinary()) missing.push('nginx (apt-get install -y nginx)');
	if (spawnSync(python, ['-c', 'import locust'], {stdio: 'ignore'}).status !== 0)
		missing.push('Locust for /usr/bin/python3 (apt-get install -y python3-locust)');
	if (!existsSync(join(root, 'dist/cli.js'))) missing.push('a build of drydock (npm run build)');
	if (!existsSync(join(root, 'node_modules/autocannon/autocannon.js')))
		missing.push('autocannon (npm install; it is a devDependency)');
	return missing;
}

async function freePort() {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address();
			server.close(() => resolve(port));
		});
	});
}

async function waitFor(url, timeoutMs = 10_000) {
	const until = Date.now() + timeoutMs;
	while (Date.now() < until) {
		try {
			const res = await fetch(url);
			if (res.ok) return;
		} catch {
			// not listening yet
		}
		await new Promise(r => setTimeout(r, 100));
	}
	throw new Error(`nginx did not answer on ${url}`);
}

/**
 * Runs a tool under bash so `times` can report the CPU it used (user + system, children included):
 * on a shared machine requests per CPU-second is steadier than requests per wall-clock second.
 */
function run(command, args, options = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(
			'/bin/bash',
			['-c', '"$@" > "$OUT_FILE"; code=$?; times >&2; exit $code', 'bench', command, ...args],
			{stdio: ['ignore', 'ignore', 'pipe'], ...options, env: {...process.env, OUT_FILE: options.outFile}},
		);
		let stderr = '';
		child.stderr.on('data', d => (stderr += d));
		child.on('error', reject);
		child.on('close', code => {
			// `times` prints two lines: the shell's own, then its children's "0m1.234s 0m0.567s".
			const lines = stderr.trim().split('\n');
			const seconds = text =>
				[...text.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
			const cpuSeconds = seconds(lines.at(-1) ?? '');
			const stdout = existsSync(options.outFile) ? readFileSync(options.outFile, 'utf8') : '';
			resolve({code, stdout, stderr: lines.slice(0, -2).join('\n'), cpuSeconds});
		});
	});
}

/** Reads the Aggregated row of a Locust-layout stats CSV (drydock writes the same layout). */
function aggregatedRow(path) {
	const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
	const header = lines[0].split(',');
	const row = lines.find(line => line.split(',')[1] === 'Aggregated').split(',');
	const get = name => Number(row[header.indexOf(name)]);
	return {rps: get('Requests/s'), p99: get('99%'), requests: get('Request Count'), failures: get('Failure Count')};
}

const median = values => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main() {
	const missing = prerequisites();
	if (missing.length > 0) {
		process.stderr.write(`load.bench: missing prerequisites:\n  - ${missing.join('\n  - ')}\n`);
		process.exit(2);
	}
	const dir = mkdtempSync(join(tmpdir(), 'drydock-load-bench-'));
	// nginx workers drop to an unprivileged user when started as root: they must be able to read the files.
	chmodSync(dir, 0o755);
	const port = await freePort();
	const www = join(dir, 'www');
	mkdirSync(www);
	mkdirSync(join(dir, 'tmp'));
	writeFileSync(
		join(www, 'data.json'),
		JSON.stringify({symbol: 'BTCUSDT', price: '64000.12', qty: '0.015', ok: true}) + '\n',
	);
	writeFileSync(
		join(dir, 'nginx.conf'),
		`worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
  server { listen 127.0.0.1:${port}; root ${www}; location / { default_type application/json; } }
}
`,
	);
	const nginx = spawn(nginxBinary(), ['-c', join(dir, 'nginx.conf'), '-p', dir], {stdio: ['ignore', 'ignore', 'pipe']});
	let nginxErrors = '';
	nginx.stderr.on('data', d => (nginxErrors += d));
	const url = `http://127.0.0.1:${port}`;
	const target = `${url}/data.json`;
	try {
		await waitFor(target).catch(error => {
			throw new Error(
				`${error.message}\n${nginxErrors}${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`,
			);
		});
		writeFileSync(
			join(dir, 'drydock.scenario.mjs'),
			`export default {tasks: [{name: 'data', run: (user) => user.get('/data.json')}]};\n`,
		);
		writeFileSync(
			join(dir, 'locustfile.py'),
			`from locust import FastHttpUser, task, constant

class Bench(FastHttpUser):
    wait_time = constant(0)

    @task
    def data(self):
        self.client.get("/data.json")
`,
		);
		const tools = {
			'drydock load': async rep => {
				const prefix = join(dir, `drydock-${rep}`);
				const r = await run(
					process.execPath,
					[
						join(root, 'bin/drydock.js'),
						'load',
						join(dir, 'drydock.scenario.mjs'),
						'--host',
						url,
						'--users',
						String(connections),
						'--run-time',
						`${seconds}s`,
						'--csv',
						prefix,
						'--report-dir',
						join(dir, 'reports'),
						'--headless',
						'--progress-every',
						'1h',
					],
					{outFile: join(dir, 'out.txt')},
				);
				if (r.code !== 0) throw new Error(`drydock load exited ${r.code}: ${r.stderr}`);
				return {...aggregatedRow(`${prefix}_stats.csv`), cpuSeconds: r.cpuSeconds};
			},
			autocannon: async () => {
				const r = await run(
					process.execPath,
					[
						join(root, 'node_modules/autocannon/autocannon.js'),
						'-c',
						String(connections),
						'-d',
						String(seconds),
						'--json',
						target,
					],
					{outFile: join(dir, 'out.txt')},
				);
				if (r.code !== 0) throw new Error(`autocannon exited ${r.code}: ${r.stderr}`);
				const result = JSON.parse(r.stdout);
				return {
					rps: result.requests.total / result.duration,
					p99: result.latency.p99,
					requests: result.requests.total,
					failures: result.errors + result.non2xx,
					cpuSeconds: r.cpuSeconds,
				};
			},
			'Locust (FastHttpUser)': async rep => {
				const prefix = join(dir, `locust-${rep}`);
				const r = await run(
					python,
					[
						'-m',
						'locust',
						'-f',
						join(dir, 'locustfile.py'),
						'--headless',
						'-u',
						String(connections),
						'-r',
						String(connections),
						'-t',
						`${seconds}s`,
						'--host',
						url,
						'--csv',
						prefix,
						'--only-summary',
						'--loglevel',
						'WARNING',
					],
					{cwd: dir, outFile: join(dir, 'out.txt')},
				);
				if (r.code !== 0 && r.code !== 1) throw new Error(`locust exited ${r.code}: ${r.stderr.slice(-500)}`);
				return {...aggregatedRow(`${prefix}_stats.csv`), cpuSeconds: r.cpuSeconds};
			},
		};
		const wrk = wrkBinary();
		if (wrk)
			tools['wrk (1 thread)'] = async () => {
				const r = await run(wrk, ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', target], {
					outFile: join(dir, 'out.txt'),
				});
				if (r.code !== 0) throw new Error(`wrk exited ${r.code}: ${r.stderr}`);
				return {...wrkResult(r.stdout), cpuSeconds: r.cpuSeconds};
			};
		else
			process.stderr.write(
				'load.bench: wrk not installed (apt-get install -y wrk): compared with autocannon and Locust only\n',
			);
		// hey (Go, one process): another peer issue 16 names; optional like wrk.
		const hey = ['/usr/bin/hey', '/usr/local/bin/hey'].find(candidate => existsSync(candidate));
		if (hey)
			tools.hey = async () => {
				const r = await run(hey, ['-c', String(connections), '-z', `${seconds}s`, target], {
					outFile: join(dir, 'out.txt'),
				});
				if (r.code !== 0) throw new Error(`hey exited ${r.code}: ${r.stderr}`);
				const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
				const p99 = Number(/99%+ in ([\d.]+) secs/.exec(r.stdout)?.[1]) * 1000;
				const codes = [...r.stdout.matchAll(/\[(\d{3})\]\s+(\d+) responses/g)];
				const requests = codes.reduce((sum, m) => sum + Number(m[2]), 0);
				const failures = codes.filter(m => m[1] !== '200').reduce((sum, m) => sum + Number(m[2]), 0);
				return {rps, p99: Number(p99.toFixed(2)), requests, failures, cpuSeconds: r.cpuSeconds};
			};
		const results = Object.fromEntries(Object.keys(tools).map(name => [name, []]));
		process.stderr.write(
			`load.bench: ${target}, ${connections} connections/users, ${seconds}s × ${reps} reps per tool\n`,
		);
		for (let rep = 1; rep <= reps; rep++) {
			for (const [name, fn] of Object.entries(tools)) {
				const result = await fn(rep);
				results[name].push(result);
				result.perCpu = result.requests / result.cpuSeconds;
				process.stderr.write(
					`  rep ${rep} ${name.padEnd(22)} ${result.rps.toFixed(0).padStart(7)} req/s  p99 ${result.p99} ms  ${result.perCpu.toFixed(0)} req/CPU-s  (${result.requests} requests, ${result.failures} failures, ${result.cpuSeconds.toFixed(2)} CPU-s)\n`,
				);
			}
		}
		const summary = Object.entries(results).map(([name, list]) => ({
			name,
			rps: median(list.map(r => r.rps)),
			p99: median(list.map(r => r.p99)),
			perCpu: median(list.map(r => r.perCpu)),
			runs: list.map(r => Math.round(r.rps)),
		}));
		const drydock = summary[0];
		const lines = [
			'',
			`| tool (one process, ${connections} connections, ${seconds} s, median of ${reps}) | req/s | p99 ms | drydock ÷ tool (req/s) | req per CPU-second | drydock ÷ tool (per CPU-s) | runs (req/s) |`,
			'|---|---:|---:|---:|---:|---:|---|',
			...summary.map(
				s =>
					`| ${s.name} | ${s.rps.toFixed(0)} | ${s.p99} | ${(drydock.rps / s.rps).toFixed(2)}× | ${s.perCpu.toFixed(0)} | ${(drydock.perCpu / s.perCpu).toFixed(2)}× | ${s.runs.join(', ')} |`,
			),
			'',
			`load average at the end: ${loadavg()
				.map(l => l.toFixed(1))
				.join(' ')} on ${cpus().length} cores`,
			'',
		];
		const vsAutocannon = drydock.rps / summary[1].rps;
		const vsLocust = drydock.rps / summary[2].rps;
		const met = vsAutocannon >= 1 && vsLocust >= 5;
		// Issue 16's goal: ≥ 1.05× autocannon in every repetition, ≥ 0.9× wrk with one thread.
		const perRep = results['drydock load'].map((r, i) => r.rps / results.autocannon[i].rps);
		const wrkRatio = wrk ? drydock.rps / summary.find(x => x.name.startsWith('wrk')).rps : null;
		const wrkPerRep = wrk ? results['drydock load'].map((r, i) => r.rps / results['wrk (1 thread)'][i].rps) : [];
		if (wrk)
			lines.push(`per repetition, drydock ÷ wrk (1 thread): ${wrkPerRep.map(x => `${x.toFixed(2)}×`).join(', ')}`);
		lines.push(
			`per repetition, drydock ÷ autocannon: ${perRep.map(x => `${x.toFixed(2)}×`).join(', ')}${wrkRatio !== null ? `; drydock ÷ wrk (1 thread): ${wrkRatio.toFixed(2)}×` : ''}`,
		);
		lines.push(
			`goal (issue 16: ≥ 1.05× autocannon every repetition${wrk ? ', ≥ 0.9× wrk' : ''}): ${perRep.every(x => x >= 1.05) && (wrkRatio === null || wrkRatio >= 0.9) ? 'met' : 'MISSED'}`,
		);
		lines.push(
			`budget (≥ 1.0× autocannon, ≥ 5× Locust in req/s): ${met ? 'met' : 'MISSED'} (${vsAutocannon.toFixed(2)}×, ${vsLocust.toFixed(2)}×)`,
			'',
		);
		process.stdout.write(lines.join('\n') + '\n');
		process.exitCode = met ? 0 : 1;
	} finally {
		nginx.kill('SIGTERM');
		await new Promise(r => nginx.once('close', r).once('error', r));
		rmSync(dir, {recursive: true, force: true});
	}
}

await main();
