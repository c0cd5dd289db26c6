/** The phases drydock knows, in plan order. */

export const phaseIds = [
	'config',
	'connectivity',
	'security',
	'rate-limit',
	'market-data',
	'streams',
	'orders',
	'portfolio',
	'pipeline',
	'resilience',
	'concurrency',
	'soak',
] as const;

export type PhaseId = (typeof phaseIds)[number];

export function isPhaseId(value: string): value is PhaseId {
	return (phaseIds as readonly string[]).includes(value);
}
