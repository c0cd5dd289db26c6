/**
 * What `--rerun-failed REPORT.json` (and the console's `r` from a remembered run) reruns: the phases
 * that failed in that report, under the profile the report was made with — its recorded file
 * (`profile_path`), or for reports written before it was recorded, the profile's name.
 */
import {readFile} from 'node:fs/promises';
import {failedPhasesOf} from '../engine/plans.js';
import type {PhaseId} from '../engine/phase-ids.js';

export interface RerunSource {
	phases: PhaseId[];
	/** The report's planned soak duration (a rerun soak lasts as long). */
	soakDurationMs: number;
	/** The profile file the report was made with; null in reports written before it was recorded. */
	profilePath: string | null;
	/** The profile's name in the report (what to load when there is no path). */
	profileName: string | null;
	/** What to hand to loadProfile: the path when known, else the name. */
	profile: string | null;
}

/** Thrown for a report that cannot be read or is not a drydock report; the message names the file and the problem. */
export class RerunSourceError extends Error {}

export function rerunSourceOf(report: unknown, file: string): RerunSource {
	if (!report || typeof report !== 'object' || !Array.isArray((report as {phases?: unknown}).phases))
		throw new RerunSourceError(`${file} is not a drydock report (no phases[])`);
	const r = report as {
		phases: {id: string; status: string}[];
		plan?: {soak_duration_ms?: unknown};
		profile_path?: unknown;
		profile?: {name?: unknown};
	};
	const profilePath = typeof r.profile_path === 'string' && r.profile_path.length > 0 ? r.profile_path : null;
	const profileName = typeof r.profile?.name === 'string' ? r.profile.name : null;
	const soak = r.plan?.soak_duration_ms;
	return {
		phases: failedPhasesOf(r),
		soakDurationMs: typeof soak === 'number' && soak > 0 ? soak : 300_000,
		profilePath,
		profileName,
		profile: profilePath ?? profileName,
	};
}

/** Reads a report.json and returns what a rerun of its failures needs. */
export async function readRerunSource(file: string): Promise<RerunSource> {
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		throw new RerunSourceError(
			`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
		);
	}
	let report: unknown;
	try {
		report = JSON.parse(text);
	} catch (error) {
		throw new RerunSourceError(`${file} is not valid JSON: ${(error as Error).message}`);
	}
	return rerunSourceOf(report, file);
}
