/**
 * docs/ci/github-actions.yml and docs/ci/gitlab-ci.yml, run as written: each job's shell commands in
 * bash the way the CI system runs them (Actions: one `bash -e` per step, later steps only after a
 * success unless `if: always()`; GitLab: before_script + script in one `bash -e`), in a directory that
 * stands for the checkout, with DRYDOCK_SOAK_DURATION set to 10s (the only change from a real
 * schedule). Then the artifacts' paths must match report.json, junit.xml and report.html, and the
 * job's exit code must be drydock's, also for a run made to fail (a profile whose REST p99 threshold
 * of 0.001 ms cannot be met).
 *
 * Not run, by design: `npm ci` (installs from the registry: no network here; the checkout under test
 * is already installed and built by `npm test`'s pretest), and `uses:` actions (checkout, setup-node:
 * the checkout is this repository and node is this node; upload-artifact: its paths are checked).
 */
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parse} from 'yaml';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const testDuration = '10s';
/** The report files each template must upload. */
const reportFiles = ['report.json', 'junit.xml', 'report.html'];

interface Step {
	name?: string;
	uses?: string;
	run?: string;
	if?: string;
	env?: Record<string, string>;
	with?: Record<string, string>;
}
interface GithubJob {
	if?: string;
	env?: Record<string, string>;
	steps: Step[];
}
interface GithubWorkflow {
	on: {schedule: {cron: string}[]};
	env?: Record<string, string>;
	jobs: Record<string, GithubJob>;
}
interface GitlabJob {
	extends?: string;
	before_script?: string[];
	script?: string[];
	after_script?: string[];
	variables?: Record<string, string>;
	rules?: {if: string}[];
	artifacts?: {when?: string; paths?: string[]; reports?: {junit?: string}};
}

interface JobRun {
	exitCode: number;
	/** drydock's own exit code, from its "Result: … (exit N)" line. */
	drydockExit: number | null;
	output: string;
	/** Artifact path patterns the job would upload after this run. */
	artifactPaths: string[];
	skipped: string[];
}

let workspace = '';
let failingProfile = '';
beforeAll(async () => {
	if (!existsSync(path.join(root, 'dist/cli.js')))
		throw new Error('dist/cli.js missing: run `npm run build` first (bin/drydock.js imports dist/)');
	workspace = await mkdtemp(path.join(os.tmpdir(), 'drydock-ci-'));
	const mock = JSON.parse(await readFile(path.join(root, 'profiles/mock.json'), 'utf8')) as Record<string, unknown>;
	failingProfile = path.join(workspace, 'unmeetable.json');
	await writeFile(failingProfile, JSON.stringify({...mock, name: 'unmeetable', thresholds: {restP99Ms: 0.001}}));
});
afterAll(async () => {
	if (workspace) await rm(workspace, {recursive: true, force: true});
});

/** A fresh "checkout" for one job: the repository's files linked in, reports written here only. */
async function checkout(name: string): Promise<string> {
	const dir = path.join(workspace, name);
	await mkdir(dir, {recursive: true});
	for (const entry of ['bin', 'dist', 'profiles', 'node_modules', 'package.json'])
		await symlink(path.join(root, entry), path.join(dir, entry));
	return dir;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{code: number; output: string}> {
	return new Promise((resolve, reject) => {
		const child = spawn('bash', ['-e', '-c', script], {cwd, env, stdio: ['ignore', 'pipe', 'pipe']});
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.on('error', reject);
		child.on('exit', (code, signal) => resolve({code: code ?? (signal ? 128 : 1), output}));
	});
}

/** Files matching a pattern whose segments may be `*` (as the templates' artifact paths are). */
async function glob(pattern: string, cwd: string): Promise<string[]> {
	let found = [''];
	for (const segment of pattern.split('/')) {
		const next: string[] = [];
		for (const base of found) {
			if (!segment.includes('*')) {
				if (existsSync(path.join(cwd, base, segment))) next.push(path.join(base, segment));
				continue;
			}
			const re = new RegExp(
				`^${segment
					.split('*')
					.map(s => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
					.join('[^/]*')}$`,
			);
			const entries = await readdir(path.join(cwd, base)).catch(() => [] as string[]);
			for (const e of entries) if (re.test(e)) next.push(path.join(base, e));
		}
		found = next;
	}
	return found;
}

const drydockExitOf = (output: string) => {
	const m = /Result: \w+ \(exit (\d+)\)/.exec(output);
	return m ? Number(m[1]) : null;
};

function jobEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env, CI: 'true', DRYDOCK_SOAK_DURATION: testDuration, ...extra};
	if (!('DRYDOCK_PROFILE' in extra)) delete env.DRYDOCK_PROFILE;
	return env;
}

const isInstall = (command: string) => /^npm ci\b/.test(command.trim());

async function runGithubJob(
	job: GithubJob,
	workflowEnv: Record<string, string> | undefined,
	cwd: string,
	extra: Record<string, string>,
): Promise<JobRun> {
	let exitCode = 0;
	let output = '';
	const artifactPaths: string[] = [];
	const skipped: string[] = [];
	for (const step of job.steps) {
		const runs = exitCode === 0 || /\balways\(\)|\bfailure\(\)/.test(step.if ?? '');
		if (!runs) continue;
		if (step.uses) {
			if (step.uses.startsWith('actions/upload-artifact@'))
				artifactPaths.push(
					...String(step.with?.path ?? '')
						.split('\n')
						.map(s => s.trim())
						.filter(Boolean),
				);
			else skipped.push(`${step.uses}: an action, not a command (the checkout is this repository, node is this node)`);
			continue;
		}
		if (step.run === undefined) continue;
		if (/^Install\b/.test(step.name ?? '') || isInstall(step.run)) {
			skipped.push(
				`${step.name ?? step.run}: installs from the registry (no network in tests; this checkout is installed and built)`,
			);
			continue;
		}
		const result = await bash(step.run, cwd, jobEnv({...workflowEnv, ...job.env, ...step.env, ...extra}));
		output += result.output;
		if (result.code !== 0 && exitCode === 0) exitCode = result.code;
	}
	return {exitCode, drydockExit: drydockExitOf(output), output, artifactPaths, skipped};
}

function resolveGitlabJob(config: Record<string, GitlabJob>, name: string): GitlabJob {
	const job = config[name]!;
	if (!job.extends) return job;
	// GitLab's extends: hashes merge deeply, anything else (arrays, strings) is replaced.
	const merge = (base: unknown, over: unknown): unknown => {
		if (
			base &&
			over &&
			typeof base === 'object' &&
			typeof over === 'object' &&
			!Array.isArray(base) &&
			!Array.isArray(over)
		) {
			const out: Record<string, unknown> = {...(base as Record<string, unknown>)};
			for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
			return out;
		}
		return over === undefined ? base : over;
	};
	const {extends: parent, ...own} = job;
	return merge(resolveGitlabJob(config, parent), own) as GitlabJob;
}

async function runGitlabJob(job: GitlabJob, cwd: string, extra: Record<string, string>): Promise<JobRun> {
	const skipped: string[] = [];
	const lines = [...(job.before_script ?? []), ...(job.script ?? [])].filter(line => {
		if (!isInstall(line)) return true;
		skipped.push(`${line}: installs from the registry (no network in tests; this checkout is installed and built)`);
		return false;
	});
	const main = await bash(lines.join('\n'), cwd, jobEnv({...job.variables, ...extra}));
	let output = main.output;
	if (job.after_script?.length)
		output += (await bash(job.after_script.join('\n'), cwd, jobEnv({...job.variables, ...extra}))).output;
	const artifactPaths = job.artifacts?.when === 'always' || main.code === 0 ? (job.artifacts?.paths ?? []) : [];
	return {exitCode: main.code, drydockExit: drydockExitOf(output), output, artifactPaths, skipped};
}

/** Each artifact pattern matches a file, and together they hold the three report files of one run. */
async function expectReports(run: JobRun, cwd: string) {
	expect(run.artifactPaths.length, 'the job uploads artifacts').toBeGreaterThan(0);
	const files: string[] = [];
	for (const pattern of run.artifactPaths) {
		const matched = await glob(pattern, cwd);
		expect(matched, `${pattern} matches a file`).not.toEqual([]);
		files.push(...matched);
	}
	for (const name of reportFiles)
		expect(
			files.filter(f => path.basename(f) === name),
			name,
		).toHaveLength(1);
	const reportJson = files.find(f => path.basename(f) === 'report.json')!;
	return JSON.parse(await readFile(path.join(cwd, reportJson), 'utf8')) as {success: boolean; duration_hours: number};
}

const timeout = 240_000;

describe('docs/ci/github-actions.yml', async () => {
	const workflow = parse(await readFile(path.join(root, 'docs/ci/github-actions.yml'), 'utf8')) as GithubWorkflow;
	const schedules = workflow.on.schedule.map(s => s.cron);

	it('schedules a nightly 4-hour and a weekly (Sunday) 24-hour soak, one job each', () => {
		expect(Object.keys(workflow.jobs).sort()).toEqual(['nightly-soak', 'weekly-soak']);
		const nightly = schedules.find(c => c.endsWith(' * * *'))!;
		const weekly = schedules.find(c => c.endsWith(' * * 0'))!;
		expect(workflow.jobs['nightly-soak']!.if).toContain(`'${nightly}'`);
		expect(workflow.jobs['weekly-soak']!.if).toContain(`'${weekly}'`);
		const soakCommand = (job: GithubJob) => job.steps.find(s => s.run?.includes('drydock.js run'))!.run!;
		expect(soakCommand(workflow.jobs['nightly-soak']!)).toContain('"${DRYDOCK_SOAK_DURATION:-4h}"');
		expect(soakCommand(workflow.jobs['weekly-soak']!)).toContain('"${DRYDOCK_SOAK_DURATION:-24h}"');
	});

	describe.concurrent('jobs run as written', () => {
		for (const name of ['nightly-soak', 'weekly-soak']) {
			it(
				`${name}: passes with drydock, uploads report.json, junit.xml and report.html`,
				async () => {
					const cwd = await checkout(`gh-${name}`);
					const run = await runGithubJob(workflow.jobs[name]!, workflow.env, cwd, {});
					expect(
						run.skipped.some(s => s.startsWith('Install')),
						'npm ci skipped (stated)',
					).toBe(true);
					expect(run.drydockExit, run.output).toBe(0);
					expect(run.exitCode).toBe(0);
					const report = await expectReports(run, cwd);
					expect(report.success).toBe(true);
				},
				timeout,
			);
		}

		it(
			'nightly-soak: fails with drydock (a threshold no run can meet) and still uploads the reports',
			async () => {
				const cwd = await checkout('gh-failing');
				const run = await runGithubJob(workflow.jobs['nightly-soak']!, workflow.env, cwd, {
					DRYDOCK_PROFILE: failingProfile,
				});
				expect(run.drydockExit, run.output).toBe(1);
				expect(run.exitCode).toBe(run.drydockExit);
				expect(run.output).toMatch(/FAIL\s+rest-p99/);
				const report = await expectReports(run, cwd);
				expect(report.success).toBe(false);
			},
			timeout,
		);
	});
});

describe('docs/ci/gitlab-ci.yml', async () => {
	const config = parse(await readFile(path.join(root, 'docs/ci/gitlab-ci.yml'), 'utf8')) as Record<string, GitlabJob>;
	const jobs = Object.keys(config).filter(
		k => !k.startsWith('.') && !['stages', 'variables', 'default', 'workflow', 'include'].includes(k),
	);

	it('has a nightly 4-hour and a weekly 24-hour soak job, each run by its pipeline schedule', () => {
		expect(jobs.sort()).toEqual(['drydock-nightly-soak', 'drydock-weekly-soak']);
		const nightly = resolveGitlabJob(config, 'drydock-nightly-soak');
		const weekly = resolveGitlabJob(config, 'drydock-weekly-soak');
		expect(nightly.rules?.[0]?.if).toBe('$CI_PIPELINE_SOURCE == "schedule" && $DRYDOCK_SOAK == "nightly"');
		expect(weekly.rules?.[0]?.if).toBe('$CI_PIPELINE_SOURCE == "schedule" && $DRYDOCK_SOAK == "weekly"');
		expect(nightly.script!.join('\n')).toContain('"${DRYDOCK_SOAK_DURATION:-4h}"');
		expect(weekly.script!.join('\n')).toContain('"${DRYDOCK_SOAK_DURATION:-24h}"');
		for (const job of [nightly, weekly]) expect(job.artifacts?.reports?.junit).toBe('drydock-reports/*/junit.xml');
	});

	describe.concurrent('jobs run as written', () => {
		for (const name of ['drydock-nightly-soak', 'drydock-weekly-soak']) {
			it(
				`${name}: passes with drydock, keeps report.json, junit.xml and report.html`,
				async () => {
					const cwd = await checkout(`gl-${name}`);
					const run = await runGitlabJob(resolveGitlabJob(config, name), cwd, {});
					expect(
						run.skipped.some(s => s.startsWith('npm ci')),
						'npm ci skipped (stated)',
					).toBe(true);
					expect(run.drydockExit, run.output).toBe(0);
					expect(run.exitCode).toBe(0);
					const report = await expectReports(run, cwd);
					expect(report.success).toBe(true);
				},
				timeout,
			);
		}

		it(
			'drydock-nightly-soak: fails with drydock (a threshold no run can meet) and still keeps the reports',
			async () => {
				const cwd = await checkout('gl-failing');
				const run = await runGitlabJob(resolveGitlabJob(config, 'drydock-nightly-soak'), cwd, {
					DRYDOCK_PROFILE: failingProfile,
				});
				expect(run.drydockExit, run.output).toBe(1);
				expect(run.exitCode).toBe(run.drydockExit);
				const report = await expectReports(run, cwd);
				expect(report.success).toBe(false);
			},
			timeout,
		);
	});
});
