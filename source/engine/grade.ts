export type Grade = 'A+' | 'A' | 'B' | 'C';

export interface GradeRule {
	minSuccessRate: number;
	maxAvgLatencyMs: number;
}

export type GradeRules = Record<'A+' | 'A' | 'B', GradeRule>;

/** DESIGN.md: A+ ≥ 99.9% and avg < 1 ms; A ≥ 99.5% and < 5 ms; B ≥ 99.0% and < 200 ms; else C. */
export const defaultGradeRules: GradeRules = {
	'A+': {minSuccessRate: 0.999, maxAvgLatencyMs: 1},
	A: {minSuccessRate: 0.995, maxAvgLatencyMs: 5},
	B: {minSuccessRate: 0.99, maxAvgLatencyMs: 200},
};

/** Grades a run by success rate (0..1) and average latency; null when nothing ran. */
export function gradeFor(
	successRate: number | null,
	avgLatencyMs: number | null,
	rules: GradeRules = defaultGradeRules,
): Grade | null {
	if (successRate === null || avgLatencyMs === null) return null;
	for (const grade of ['A+', 'A', 'B'] as const) {
		const rule = rules[grade];
		if (successRate >= rule.minSuccessRate && avgLatencyMs < rule.maxAvgLatencyMs) return grade;
	}
	return 'C';
}
