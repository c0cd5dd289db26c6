/** `drydock run --replay FILE` headless, as a spawned process (needs `npm run build`). */
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {drydock} from '../../commands/helpers.js';
import {recordMock, startMock} from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'drydock-replay-run-'));
const rec = join(dir, 'btc.rec');
afterAll(() => rmSync(dir, {recursive: true, force: true}));

beforeAll(async () => {
	const live = await startMock({symbols: ['BTCUSDT'], market: {tradeRate: 20}});
	try {
		await recordMock(live, rec, ['BTCUSDT'], ['trade', 'depth@100ms', 'bookTicker'], 3000);
	} finally {
		await live.close();
	}
}, 20_000);

describe('drydock run --replay (spawned)', () => {
	it('runs a short soak with chaos on a replayed market (looping past the file) and passes', async () => {
		const chaos = join(dir, 'chaos.yaml');
		writeFileSync(chaos, '- at: 3s\n  fault: drop-websockets\n');
		const reports = join(dir, 'reports');
		const run = drydock([
			'run',
			'--replay',
			rec,
			'--phases',
			'soak',
			'--duration',
			'8s',
			'--headless',
			'--report-dir',
			reports,
			'--chaos',
			chaos,
		]);
		const {code} = await run.exit;
		expect(code, run.stdout() + run.stderr()).toBe(0);
		const runDir = readdirSync(reports).find(name => !name.startsWith('.'))!;
		const report = JSON.parse(readFileSync(join(reports, runDir, 'report.json'), 'utf8')) as {
			phases: Array<{id: string; status: string}>;
		};
		const soak = report.phases.find(p => p.id === 'soak');
		expect(soak?.status, JSON.stringify(soak, null, 1)).toBe('pass');
	}, 60_000);

	it('exits 2 with one line for a file that is not a recording', async () => {
		const bad = join(dir, 'bad.rec');
		writeFileSync(bad, 'not a recording\n');
		const run = drydock(['run', '--replay', bad, '--phases', 'soak', '--duration', '5s', '--headless']);
		const {code} = await run.exit;
		expect(code).toBe(2);
		expect(run.stderr()).toMatch(/--replay: .*not a drydock recording/);
		expect(run.stderr().trim().split('\n')).toHaveLength(1);
	}, 30_000);
});
