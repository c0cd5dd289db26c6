/** One headless `drydock run --sut … --phases soak` for the SUT e2e suites, read back from its report.json. */
import {existsSync, readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {expect} from 'vitest';
import {drydock} from '../commands/helpers.js';

export interface SoakCheck {
	id: string;
	verdict: string;
	reason?: string | null;
}

export interface SutSoak<R> {
	code: number | null;
	out: string;
	report: R;
	/** The run's own folder (report.json, sut.log). */
	dir: string;
	check: (id: string) => SoakCheck | undefined;
}

/** Runs the soak into `reportDir` (one run folder expected there); `args` go after the fixed flags. */
export async function sutSoak<R extends {phases: {checks: SoakCheck[]}[]}>(options: {
	sut: string;
	seconds: number;
	reportDir: string;
	cwd: string;
	args?: string[];
	env?: NodeJS.ProcessEnv;
}): Promise<SutSoak<R>> {
	const run = drydock(
		[
			'run',
			'--sut',
			options.sut,
			'--phases',
			'soak',
			'--duration',
			`${options.seconds}s`,
			'--headless',
			'--report-dir',
			options.reportDir,
			...(options.args ?? []),
		],
		{cwd: options.cwd, ...(options.env ? {env: options.env} : {})},
	);
	const {code} = await run.exit;
	const out = run.stdout() + run.stderr();
	const dirs = existsSync(options.reportDir) ? readdirSync(options.reportDir) : [];
	expect(dirs, out).toHaveLength(1);
	const dir = path.join(options.reportDir, dirs[0]!);
	const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as R;
	const checks = report.phases.flatMap(p => p.checks);
	return {code, out, report, dir, check: id => checks.find(c => c.id === id)};
}
