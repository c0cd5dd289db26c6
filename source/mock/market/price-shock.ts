/** A `price-shock`: the mid moves by `percent` over `durationMs`, holds `holdMs`, then returns over `recoveryMs`. */
export interface ShockSpec {
	percent: number;
	durationMs: number;
	holdMs?: number;
	recoveryMs?: number;
}

/** The log offset a shock applies to the simulated mid at each moment; ends at zero. */
export class PriceShock {
	private readonly target: number;
	private readonly hold: number;
	private readonly recovery: number;

	constructor(
		readonly spec: ShockSpec,
		readonly start: number,
	) {
		this.target = Math.log(1 + spec.percent / 100);
		this.hold = spec.holdMs ?? 0;
		this.recovery = spec.recoveryMs ?? spec.durationMs * 10;
	}

	get end(): number {
		return this.start + this.spec.durationMs + this.hold + this.recovery;
	}

	offset(now: number): number {
		const t = now - this.start;
		if (t <= 0) return 0;
		if (t < this.spec.durationMs) return (this.target * t) / this.spec.durationMs;
		if (t < this.spec.durationMs + this.hold) return this.target;
		const r = t - this.spec.durationMs - this.hold;
		if (r < this.recovery) return this.target * (1 - r / this.recovery);
		return 0;
	}

	phase(now: number): 'moving' | 'holding' | 'recovering' | 'over' {
		const t = now - this.start;
		if (t < this.spec.durationMs) return 'moving';
		if (t < this.spec.durationMs + this.hold) return 'holding';
		return t < this.spec.durationMs + this.hold + this.recovery ? 'recovering' : 'over';
	}
}

/** Checks an admin body for a shock; a one-line message names the bad field. */
export function parseShock(body: Record<string, unknown>): {ok: true; spec: ShockSpec} | {ok: false; message: string} {
	const {percent, durationMs, holdMs, recoveryMs} = body;
	if (typeof percent !== 'number' || !Number.isFinite(percent) || percent <= -95 || percent > 1000 || percent === 0)
		return {ok: false, message: '"percent" must be a non-zero number above -95 (e.g. -8)'};
	if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0 || durationMs > 86_400_000)
		return {ok: false, message: '"durationMs" must be 0..86400000'};
	for (const [name, v] of [
		['holdMs', holdMs],
		['recoveryMs', recoveryMs],
	] as const) {
		if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 86_400_000))
			return {ok: false, message: `"${name}" must be 0..86400000`};
	}
	return {
		ok: true,
		spec: {
			percent,
			durationMs,
			...(holdMs === undefined ? {} : {holdMs: holdMs as number}),
			...(recoveryMs === undefined ? {} : {recoveryMs: recoveryMs as number}),
		},
	};
}
