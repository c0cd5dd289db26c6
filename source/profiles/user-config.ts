/**
 * The user's own drydock config (conf): remembers the last run of each profile — keyed by the profile's
 * file PATH, so two profiles both named "mock" in different folders never share a memory — so a fresh
 * console can rerun the failed phases of yesterday's run with one key (`r`), under that same profile.
 * It lives in conf's file: `$DRYDOCK_CONFIG_DIR/config.json` when set, else the platform's config folder
 * (Linux: `~/.config/drydock-nodejs/config.json`; `userConfigPath()` says where). conf (and its JSON-schema validator) is
 * loaded only when used — it costs more than the console's whole first-frame budget to import.
 * Profiles themselves stay plain JSON files validated by zod (profiles/schema.ts): their errors must
 * name the file and field, and they are versioned with the project, not per user.
 */
import path from 'node:path';
import type {PhaseId} from '../engine/phase-ids.js';

export interface RememberedRun {
	/** The profile's name (for the reader). */
	profile: string;
	/** The profile file (absolute): the key the run is remembered under. */
	profilePath: string;
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

async function open(env: NodeJS.ProcessEnv): Promise<(Store & {path: string}) | null> {
	if (!userConfigEnabled(env)) return null;
	try {
		const {default: Conf} = await import('conf');
		return new Conf<{lastRuns: Record<string, RememberedRun>}>({
			projectName: 'drydock',
			...(env.DRYDOCK_CONFIG_DIR ? {cwd: env.DRYDOCK_CONFIG_DIR} : {}),
		});
	} catch {
		// An unreadable or unwritable config never gets in the way of a run.
		return null;
	}
}

/** Where remembered runs are kept (conf's file); null when the user config is off. */
export async function userConfigPath(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
	return (await open(env))?.path ?? null;
}

const keyOf = (profilePath: string) => path.resolve(profilePath);

export async function rememberRun(run: RememberedRun, env: NodeJS.ProcessEnv = process.env): Promise<void> {
	const store = await open(env);
	if (!store) return;
	try {
		const profilePath = keyOf(run.profilePath);
		store.set('lastRuns', {...(store.get('lastRuns') ?? {}), [profilePath]: {...run, profilePath}});
	} catch {
		// Best effort.
	}
}

/** The last run remembered for the profile at this path (a run remembered by name before paths were keys is not found). */
export async function recallRun(
	profilePath: string,
	env: NodeJS.ProcessEnv = process.env,
): Promise<RememberedRun | null> {
	const store = await open(env);
	try {
		const run = store?.get('lastRuns')?.[keyOf(profilePath)];
		return run && typeof run.profilePath === 'string' ? run : null;
	} catch {
		return null;
	}
}

/** The phases that failed in the remembered report of the profile at this path, if it still exists. */
export async function recallFailedPhases(
	profilePath: string,
	env: NodeJS.ProcessEnv = process.env,
): Promise<{phases: PhaseId[]; soakDurationMs: number; reportPath: string} | null> {
	const run = await recallRun(profilePath, env);
	if (!run) return null;
	try {
		const {readFile} = await import('node:fs/promises');
		const {failedPhasesOf} = await import('../engine/plans.js');
		const report = JSON.parse(await readFile(run.reportPath, 'utf8')) as {
			phases?: {id: string; status: string}[];
			plan?: {soak_duration_ms?: number};
		};
		return {
			phases: failedPhasesOf(report),
			soakDurationMs: report.plan?.soak_duration_ms ?? 300_000,
			reportPath: run.reportPath,
		};
	} catch {
		return null;
	}
}
