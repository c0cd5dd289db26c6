/**
 * drydock's HTTP load generator. Scenario authors import `defineScenario` (optional, for types);
 * front ends use `LoadRunner` as a store: `subscribe`, `getSnapshot`, `dispatch`.
 */
import type {Scenario} from './scenario-api.js';

/** Identity function that gives a scenario object its types in an editor. */
export function defineScenario<S extends Record<string, unknown> = Record<string, unknown>>(
	scenario: Scenario<S>,
): Scenario<S> {
	return scenario;
}

export type {
	Expectation,
	LoadResponse,
	LoadUser,
	RequestOptions,
	Scenario,
	ShapeFunction,
	ShapeTarget,
	Stage,
	Task,
	WaitSpec,
} from './scenario-api.js';
export type {LoadCommand, LoadMode, LoadSeriesPoint, LoadSnapshot, LoadStatus, LoadStore} from './snapshot.js';
export type {EntrySummary, FailureKind} from './stats.js';
export {PERCENTILES, percentileLabel} from './stats.js';
export {LoadRunner, type LoadResult, type RunnerOptions, type SecondTick} from './runner.js';
export {loadScenario, type LoadedScenario} from './scenario-file.js';
export {parseShapeOption, stageShape, stepShape, stagesFromSpec} from './shapes.js';
export {evaluateThresholds, parseThreshold, type Threshold, type ThresholdResult} from './thresholds.js';
export {buildLoadReport, decodeLoadHistogram, LOAD_REPORT_SCHEMA, writeLoadReport, type LoadReport} from './report.js';
export {progressLine} from './progress.js';
export {startLoadSession, type LoadOutcome, type LoadSession, type LoadSessionConfig} from './session.js';
