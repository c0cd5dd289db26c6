#!/usr/bin/env node
// drydock's own CPU while it watches a system under test that makes 100 requests a second.
// Run after `npm run build`: node bench/sut-watch.bench.js [--seconds 30] [--rate 100]
// The mock runs in its own process (its CPU is the venue's, not drydock's); the SUT is a small Node
// script in its own process group sending `GET /api/v3/ping` plus a StatsD timer per request and a log
// line a second. This process runs what a soak with `--sut` runs beside the SUT: the SutSession (the
// supervisor, the process tree monitor over /proc + pidusage each second, the venue activity follower
// polling the admin API each second, the StatsD intake, sut.log capture, a `sut-sample` view a second).
// Budget (issue 12): ≤ 5 % of one core.
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {parseArgs} from 'node:util';
import {validateProfile} from '../dist/profiles/profile-file.js';
import {resolveSutSpec} from '../dist/sut/spec.js';
import {SutSession} from '../dist/runtime/sut-session.js';

const {values} = parseArgs({
	options: {seconds: {type: 'string', default: '30'}, rate: {type: 'string', default: '100'}},
});
const seconds = Number(values.seconds);
const rate = Number(values.rate);

const mockModule = new URL('../dist/mock/index.js', import.meta.url).href;
async function startChildMock() {
	const script = `const {startMockExchange} = await import(${JSON.stringify(mockModule)});
const m = await startMockExchange({port: 0, host: '127.0.0.1', weightLimitPerMinute: 1e9, quiet: true});
console.log(JSON.stringify({admin: m.admin}));
process.on('SIGTERM', async () => { await m.close(); process.exit(0); });`;
	const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'inherit']});
	const line = await new Promise((resolve, reject) => {
		child.once('exit', code => reject(new Error(`mock exited with ${code}`)));
		createInterface({input: child.stdout}).once('line', resolve);
	});
	return {
		...JSON.parse(line),
		stop: () => new Promise(resolve => (child.once('exit', resolve), child.kill('SIGTERM'))),
	};
}

// The SUT: `rate` pings a second over keep-alive, each timed to StatsD; one log line a second.
const sutScript = `
const http = require('node:http'); const dgram = require('node:dgram');
const agent = new http.Agent({keepAlive: true, maxSockets: 4});
const [host, port] = process.env.DRYDOCK_STATSD.split(':'); const udp = dgram.createSocket('udp4');
let n = 0;
// A burst each 100 ms: steadier than a 10 ms timer on a busy machine.
const ping = () => { const t0 = performance.now(); http.get(process.env.DRYDOCK_REST_URL + '/api/v3/ping', {agent}, res => { res.resume(); res.on('end', () => { n++; udp.send('bench.req:' + (performance.now() - t0).toFixed(3) + '|ms', Number(port), host); }); }).on('error', () => {}); };
setInterval(() => { for (let i = 0; i < ${rate / 10}; i++) ping(); }, 100);
setInterval(() => console.log(new Date().toISOString() + ' INFO requests ' + n), 1000);
process.on('SIGTERM', () => process.exit(0));
`;

const mock = await startChildMock();
const dir = mkdtempSync(path.join(tmpdir(), 'drydock-sut-bench-'));
const profile = validateProfile({name: 'sut-bench', exchange: 'binance', environment: 'mock'}, 'bench');
const sutFile = path.join(dir, 'sut.cjs');
writeFileSync(sutFile, sutScript);
const spec = resolveSutSpec(
	{command: `'${process.execPath}' '${sutFile}'`, metrics: {operation: 'bench.req'}},
	{profileLimits: profile.limits},
);
let samples = 0;
let operations = 0;
const engine = {
	emit: event => {
		if (event.type === 'sut-sample') samples++;
	},
	notice: (level, text) => console.error(`[${level}] ${text}`),
	store: {run: {reportDir: dir}, faultActive: () => false},
};
const session = new SutSession({spec, profile, engine, adminUrl: mock.admin});
const started = await session.begin(() => operations++);
if (!started.ok) throw new Error(started.message);
// Let the SUT reach its rate, then measure.
await new Promise(resolve => setTimeout(resolve, 3_000));
const ops0 = operations;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await new Promise(resolve => setTimeout(resolve, seconds * 1000));
const cpu = process.cpuUsage(cpu0);
const elapsedMs = performance.now() - t0;
const watched = operations - ops0;
const checks = await session.finish(Date.now() - seconds * 1000);
await mock.stop();
rmSync(dir, {recursive: true, force: true});
const percent = ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100;
const result = {
	seconds: Math.round(elapsedMs / 100) / 10,
	sutRequestsPerSecond: Math.round((watched / elapsedMs) * 1000 * 10) / 10,
	drydockCpuPercentOfCore: Math.round(percent * 100) / 100,
	budgetPercent: 5,
	viewSamples: samples,
	checks: checks.map(c => `${c.id}:${c.verdict}`).join(' '),
};
console.log(JSON.stringify(result));
process.exitCode = percent <= 5 ? 0 : 1;
