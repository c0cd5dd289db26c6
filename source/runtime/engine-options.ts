/** Maps a profile onto the engine's options (no exchange, no ccxt: cheap enough for the first frame). */
import type {Profile} from '../profiles/schema.js';
import type {EngineOptions} from '../engine/engine.js';
import type {ProfileView} from '../engine/snapshot.js';

export function profileView(profile: Profile): ProfileView {
	return {
		name: profile.name,
		exchange: profile.exchange,
		environment: profile.environment,
		execution: profile.execution,
		symbols: [...profile.symbols],
	};
}

export function engineOptionsFor<S>(
	profile: Profile,
	extra: Partial<EngineOptions<S, Profile>> = {},
): EngineOptions<S, Profile> {
	return {
		profile,
		profileView: profileView(profile),
		limits: {
			cpuPercent: profile.limits.cpuPercent,
			rssMb: profile.limits.rssMb,
			rssSlopeMbPerHour: profile.limits.rssSlopeMbPerHour,
			eventLoopLagMs: profile.limits.eventLoopLagMs,
			errorsPerHour: profile.limits.errorsPerHour,
		},
		breaker: profile.breaker,
		retry: profile.retry,
		requestTimeoutMs: profile.timeouts.requestMs,
		gradeRules: profile.grades,
		targets: {minGrade: profile.thresholds.minGrade, peakLatencyMs: profile.thresholds.peakLatencyMs},
		killSwitchFlatten: profile.killSwitch.flatten,
		streamSilenceMs: profile.thresholds.streamSilenceMs,
		warmupMs: profile.soak.warmupMs,
		...extra,
	};
}
