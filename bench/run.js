#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.js and bench/*.bench.ts in turn (TypeScript through tsx),
// each in its own process, and prints which met their budget (exit 0) and which did not.
// `npm run bench -- mock` runs only the files whose name contains "mock". Build first: npm run build.
import {spawnSync} from 'node:child_process';
import {readdirSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2).filter(a => !a.startsWith('-'));
// `npm run bench -- budgets [--short]`: every DESIGN.md budget in one table (bench/budgets.js).
if (filters.length === 1 && filters[0] === 'budgets') {
	const run = spawnSync(process.execPath, ['budgets.js', ...process.argv.slice(2).filter(a => a.startsWith('-'))], {
		cwd: dir,
		stdio: 'inherit',
	});
	process.exit(run.status ?? 1);
}
const files = readdirSync(dir)
	.filter(f => /\.bench\.(js|ts)$/.test(f))
	.filter(f => filters.length === 0 || filters.some(x => f.includes(x)))
	.sort();
if (files.length === 0) {
	console.error(`no bench files${filters.length ? ` matching ${filters.join(', ')}` : ''} in ${dir}`);
	process.exit(2);
}
const results = [];
for (const file of files) {
	console.log(`\n=== ${file} ===`);
	const args = file.endsWith('.ts') ? ['--import', 'tsx', file] : [file];
	const started = Date.now();
	const run = spawnSync(process.execPath, args, {cwd: dir, stdio: 'inherit'});
	results.push({
		file,
		status: run.status ?? `signal ${run.signal}`,
		seconds: Math.round((Date.now() - started) / 1000),
	});
}
console.log('\n=== summary ===');
for (const r of results)
	console.log(`${r.file.padEnd(36)} ${r.status === 0 ? 'ok' : `exit ${r.status}`}  (${r.seconds} s)`);
process.exitCode = results.every(r => r.status === 0) ? 0 : 1;
