/**
 * The user's own drydock config (conf): remembers the last run of each profile, so a fresh console can
 * rerun the failed phases of yesterday's run with one key. conf (and its JSON-schema validator) is
 * loaded only when used — it costs more than the console's whole first-frame budget to import.
 * Profiles themselves stay plain JSON files validated by zod (profiles/schema.ts): their errors must
 * name the file and field, and they are versioned with the project, not per user.
 */
import type {PhaseId} from '../engine/phase-ids.js';

export interface RememberedRun {
	profile: string;
	plan: string;
	reportPath: string;
	exitCode: number;
	at: string;
}

interface Store {
	get(key: 'lastRuns'): Record<string, RememberedRun> | undefined;
	set(key: 'lastRuns', value: Record<string, RememberedRun>): void;
}

/** Off in CI (no home-directory writes from test runs) unless DRYDOCK_CONFIG_DIR points somewhere explicit. */
export function userConfigEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
	if (env.DRYDOCK_NO_USER_CONFIG === '1') return false;
	if (env.DRYDOCK_CONFIG_DIR) return true;
	return !env.CI;
}

async function open(env: NodeJS.ProcessEnv): Promise<Store | null> {
	if (!userConfigEnabled(env)) return null;
	try {
		const {default: Conf} = await import('conf');
		return new Conf<{lastRuns: Record<string, RememberedRun>}>({projectName: 'drydock', ...(env.DRYDOCK_CONFIG_DIR ? {cwd: env.DRYDOCK_CONFIG_DIR} : {})});
	} catch {
		// An unreadable or unwritable config never gets in the way of a run.
		return null;
	}
}

export async function rememberRun(run: RememberedRun, env: NodeJS.ProcessEnv = process.env): Promise<void> {
	const store = await open(env);
	if (!store) return;
	try {
		store.set('lastRuns', {...(store.get('lastRuns') ?? {}), [run.profile]: run});
	} catch {
		// Best effort.
	}
}

export async function recallRun(profile: string, env: NodeJS.ProcessEnv = process.env): Promise<RememberedRun | null> {
	const store = await open(env);
	try {
		return store?.get('lastRuns')?.[profile] ?? null;
	} catch {
		return null;
	}
}

/** The phases that failed in the remembered report of this profile, if it still exists. */
export async function recallFailedPhases(profile: string, env: NodeJS.ProcessEnv = process.env): Promise<{phases: PhaseId[]; soakDurationMs: number; reportPath: string} | null> {
	const run = await recallRun(profile, env);
	if (!run) return null;
	try {
		const {readFile} = await import('node:fs/promises');
		const {failedPhasesOf} = await import('../engine/plans.js');
		const report = JSON.parse(await readFile(run.reportPath, 'utf8')) as {phases?: {id: string; status: string}[]; plan?: {soak_duration_ms?: number}};
		return {phases: failedPhasesOf(report), soakDurationMs: report.plan?.soak_duration_ms ?? 300_000, reportPath: run.reportPath};
	} catch {
		return null;
	}
}
