import {describe, expect, it} from 'vitest';
import {judgeRecovery, type RecoveryFacts} from '../../source/faults/spec/recovery.js';

const base: RecoveryFacts = {
	budgetMs: 5_000,
	recoveryMs: null,
	endAt: 10_000,
	now: 12_000,
	final: false,
	closed: false,
	detected: true,
	placedTwice: [],
};

describe('judgeRecovery', () => {
	it('passes a recovery within budget', () => {
		expect(judgeRecovery({...base, recoveryMs: 4_000})).toEqual({verdict: 'pass', reason: null});
	});

	it('fails a recovery over budget', () => {
		expect(judgeRecovery({...base, recoveryMs: 6_000})).toEqual({
			verdict: 'fail',
			reason: 'recovered 6000 ms after the fault ended, over the 5000 ms budget',
		});
	});

	it('fails a recovery in budget that placed an order twice', () => {
		expect(judgeRecovery({...base, recoveryMs: 1_000, placedTwice: ['dd-1']})).toEqual({
			verdict: 'fail',
			reason: 'recovered in budget; 1 order(s) placed twice (dd-1)',
		});
	});

	it('waits while the budget has not run out, judges once it has', () => {
		expect(judgeRecovery(base)).toBeNull();
		expect(judgeRecovery({...base, now: 15_001, detected: false})).toEqual({
			verdict: 'fail',
			reason: 'not recovered 5001 ms after the fault ended (budget 5000 ms); never detected',
		});
		expect(judgeRecovery({...base, now: 15_001, closed: true})).toBeNull();
	});

	it('at the soak end: no data while the fault is on or the budget not yet spent', () => {
		expect(judgeRecovery({...base, final: true, now: 9_000})).toEqual({
			verdict: 'no-data',
			reason: 'the soak ended while the fault was still on (1000 ms left)',
		});
		expect(judgeRecovery({...base, final: true})).toEqual({
			verdict: 'no-data',
			reason: 'the soak ended 2000 ms after the fault ended, before recovery was seen (budget 5000 ms)',
		});
		expect(judgeRecovery({...base, final: true, placedTwice: ['a', 'b']})?.verdict).toBe('fail');
	});
});
