import {shockRecoveryMs, type ShockSpec} from '../../faults/spec/market.js';

export {parseHalt, parseShock, type ShockSpec} from '../../faults/spec/market.js';

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
		this.recovery = shockRecoveryMs(spec);
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
