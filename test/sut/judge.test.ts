import {describe, expect, it} from 'vitest';
import {
	judgeAlive,
	judgeConsistency,
	judgeCpu,
	judgeErrors,
	judgeMemory,
	judgeOrphans,
	judgeRateLimit,
	judgeResubscribe,
	judgeSut,
	reconcileBalances,
	splitSymbol,
	sutCheckIds,
	type SutFacts,
} from '../../source/sut/judge.js';
import {detectLeak} from '../../source/monitor/slope.js';
import type {VenueAccount} from '../../source/sut/venue-view.js';

const limits = {sutRssMb: 500, sutCpuPercent: 50, sutRssSlopeMbPerHour: 5, errorsPerHour: 60};
const HOUR = 3_600_000;

function healthy(): SutFacts {
	return {
		durationMs: HOUR,
		endedAt: 10 * HOUR,
		process: {startFailure: null, unexpectedExits: 0, restarts: 0, lastUnexpectedExit: null},
		orphans: {openOrders: 0, clientOrderIds: []},
		drops: [{dropId: 'd1', at: 1_000, resubscribedAfterMs: 800, budgetMs: 10_000}],
		rateLimit: {status418: 0, status429: 0, requestsInsideRetryAfter: 0},
		resources: {
			samples: 3600,
			avgCpuPercent: 3.2,
			peakRssMb: 80,
			leak: {leaking: false, conclusive: true, slopePerHour: 0.3, reason: 'flat'},
		},
		errors: {total: 5, expected: 2},
		consistency: {duplicateClientOrderIds: 0, balances: {ok: true, assets: 2}},
		limits,
	};
}

describe('SUT verdicts', () => {
	it('a healthy SUT passes every check, with the exact ids in order', () => {
		const checks = judgeSut(healthy());
		expect(checks.map(c => c.id)).toEqual([...sutCheckIds]);
		expect(checks.map(c => c.verdict)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
		expect(checks.find(c => c.id === 'sut-errors')).toMatchObject({
			measured: 3,
			title: expect.stringContaining('2 during injected faults not counted'),
		});
	});

	it('sut-alive fails on a crash (restarts counted) and on a SUT that never started', () => {
		expect(
			judgeAlive({startFailure: null, unexpectedExits: 2, restarts: 1, lastUnexpectedExit: {code: 1, signal: null}}),
		).toMatchObject({
			verdict: 'fail',
			measured: 2,
			title: expect.stringContaining('1 restart'),
			reason: expect.stringMatching(/exited 2 times.*code 1; restarted 1 time/),
		});
		expect(
			judgeAlive({
				startFailure: 'the SUT command was not found (exit 127)',
				unexpectedExits: 0,
				restarts: 0,
				lastUnexpectedExit: null,
			}),
		).toMatchObject({verdict: 'fail', reason: expect.stringContaining('127')});
		expect(judgeAlive(null).verdict).toBe('no-data');
	});

	it('sut-orphans fails with orders left behind, no-data when the venue could not be asked', () => {
		expect(judgeOrphans({openOrders: 2, clientOrderIds: ['bot-1', 'bot-2']})).toMatchObject({
			verdict: 'fail',
			measured: 2,
			reason: expect.stringContaining('bot-1, bot-2'),
		});
		expect(judgeOrphans({error: 'ECONNREFUSED'})).toMatchObject({verdict: 'no-data'});
		expect(judgeOrphans(null).verdict).toBe('no-data');
	});

	it('sut-resubscribe fails on a drop never recovered or recovered late; skipped without drops; unjudged near the end', () => {
		expect(judgeResubscribe([{dropId: 'd', at: 0, resubscribedAfterMs: null, budgetMs: 10_000}], 60_000)).toMatchObject(
			{verdict: 'fail', measured: '1 never', reason: expect.stringContaining('never followed by resubscribing')},
		);
		expect(
			judgeResubscribe([{dropId: 'd', at: 0, resubscribedAfterMs: 12_000, budgetMs: 10_000}], 60_000),
		).toMatchObject({verdict: 'fail', measured: 12_000, reason: expect.stringContaining('12000 ms > 10000 ms')});
		expect(judgeResubscribe([], 0).verdict).toBe('skipped');
		expect(
			judgeResubscribe([{dropId: 'd', at: 55_000, resubscribedAfterMs: null, budgetMs: 10_000}], 60_000).verdict,
		).toBe('no-data');
		expect(
			judgeResubscribe(
				[
					{dropId: 'a', at: 0, resubscribedAfterMs: 900, budgetMs: 10_000},
					{dropId: 'b', at: 55_000, resubscribedAfterMs: null, budgetMs: 10_000},
				],
				60_000,
			),
		).toMatchObject({verdict: 'pass', measured: 900, reason: expect.stringContaining('too close to the end')});
	});

	it('sut-rate-limit fails on a 418 ban or a request inside Retry-After, warns on 429s outside faults', () => {
		expect(judgeRateLimit({status418: 1, status429: 3, requestsInsideRetryAfter: 0})).toMatchObject({
			verdict: 'fail',
			reason: expect.stringContaining('banned (418) 1 time'),
		});
		expect(judgeRateLimit({status418: 0, status429: 3, requestsInsideRetryAfter: 7})).toMatchObject({
			verdict: 'fail',
			reason: expect.stringContaining('7 requests inside a Retry-After window'),
		});
		expect(judgeRateLimit({status418: 0, status429: 3, requestsInsideRetryAfter: 0})).toMatchObject({verdict: 'warn'});
		expect(
			judgeRateLimit({status418: 0, status429: 3, requestsInsideRetryAfter: 0, status429OutsideFaults: 0}).verdict,
		).toBe('pass');
		expect(judgeRateLimit(null).verdict).toBe('no-data');
	});

	it('sut-memory fails over the ceiling and on a conclusive leak (warn when inconclusive)', () => {
		const flat = {leaking: false, conclusive: true, slopePerHour: 0, reason: ''};
		expect(judgeMemory({samples: 10, avgCpuPercent: 1, peakRssMb: 612.34, leak: flat}, limits)).toMatchObject({
			verdict: 'fail',
			measured: 612.3,
			reason: expect.stringContaining('over the 500 MB ceiling'),
		});
		const points = Array.from({length: 400}, (_, i) => ({at: i * 10_000, value: 100 + (i * 10_000 * 50) / HOUR}));
		const leak = detectLeak(points, {warmupUntil: 0, limitMbPerHour: 5});
		expect(judgeMemory({samples: 400, avgCpuPercent: 1, peakRssMb: 160, leak}, limits)).toMatchObject({
			verdict: 'fail',
			reason: expect.stringContaining('RSS slope'),
		});
		const short = detectLeak(points.slice(0, 60), {warmupUntil: 0, limitMbPerHour: 5});
		expect(judgeMemory({samples: 60, avgCpuPercent: 1, peakRssMb: 110, leak: short}, limits).verdict).toBe('warn');
		expect(judgeMemory({samples: 0, avgCpuPercent: null, peakRssMb: null, leak: null}, limits).verdict).toBe('no-data');
	});

	it('sut-cpu fails over the average limit', () => {
		expect(judgeCpu({samples: 10, avgCpuPercent: 73.26, peakRssMb: 10, leak: null}, 50)).toMatchObject({
			verdict: 'fail',
			measured: 73.3,
		});
		expect(judgeCpu({samples: 10, avgCpuPercent: 49.9, peakRssMb: 10, leak: null}, 50).verdict).toBe('pass');
		expect(judgeCpu(null, 50).verdict).toBe('no-data');
	});

	it('sut-errors fails over the per-hour limit, leaving errors during injected faults out', () => {
		expect(judgeErrors({total: 200, expected: 0}, 2 * HOUR, 60)).toMatchObject({verdict: 'fail', measured: 100});
		expect(judgeErrors({total: 200, expected: 150}, 2 * HOUR, 60)).toMatchObject({verdict: 'pass', measured: 25});
		// A minute-long run: at least 5 minutes of denominator.
		expect(judgeErrors({total: 5, expected: 0}, 60_000, 60)).toMatchObject({verdict: 'pass', measured: 60});
	});

	it('sut-consistency fails on duplicate clientOrderIds or balances not explained by fills', () => {
		expect(judgeConsistency({duplicateClientOrderIds: 3, balances: {ok: true, assets: 2}})).toMatchObject({
			verdict: 'fail',
			reason: '3 duplicate clientOrderIds',
		});
		expect(
			judgeConsistency({
				duplicateClientOrderIds: 0,
				balances: {ok: false, mismatches: [{asset: 'USDT', expected: 990, actual: 1000}]},
			}),
		).toMatchObject({verdict: 'fail', reason: expect.stringContaining('USDT 1000 (fills say 990)')});
		expect(judgeConsistency({duplicateClientOrderIds: 0, balances: {unavailable: 'too many fills'}}).verdict).toBe(
			'warn',
		);
		expect(judgeConsistency(null).verdict).toBe('no-data');
	});

	it('reconciles balances with fills (buy, sell, commission) and finds an unexplained change', () => {
		const initial = {USDT: 1000, BTC: 0, BNB: 1};
		const account: VenueAccount = {
			balances: [
				{asset: 'USDT', free: 990, locked: 5},
				{asset: 'BTC', free: 0.05, locked: 0},
				{asset: 'BNB', free: 0.999, locked: 0},
			],
			fills: [
				{
					symbol: 'BTCUSDT',
					side: 'BUY',
					price: 100,
					qty: 0.1,
					quoteQty: 10,
					commission: 0.001,
					commissionAsset: 'BNB',
					time: 1,
					orderId: 1,
				},
				{
					symbol: 'BTCUSDT',
					side: 'SELL',
					price: 100,
					qty: 0.05,
					quoteQty: 5,
					commission: 0,
					commissionAsset: 'USDT',
					time: 2,
					orderId: 2,
				},
			],
		};
		expect(reconcileBalances(initial, account)).toEqual({ok: true, assets: 3});
		const off = {...account, balances: account.balances.map(b => (b.asset === 'BTC' ? {...b, free: 0.15} : b))};
		expect(reconcileBalances(initial, off)).toMatchObject({ok: false, mismatches: [{asset: 'BTC', actual: 0.15}]});
		expect(reconcileBalances(initial, {...account, fills: [{...account.fills[0]!, symbol: 'XYZQQQ'}]})).toMatchObject({
			unavailable: expect.stringContaining('XYZQQQ'),
		});
		expect(splitSymbol('ETHBTC', new Set(['ETH', 'BTC']))).toEqual({base: 'ETH', quote: 'BTC'});
		expect(splitSymbol('SOLFDUSD')).toEqual({base: 'SOL', quote: 'FDUSD'});
	});
});

describe('SUT verdicts observed through the gateway (a real venue, no key of the SUT’s)', () => {
	const gateway = (): SutFacts => ({
		...healthy(),
		orphans: {openOrders: 0, clientOrderIds: [], observed: 'gateway'},
		consistency: {duplicateClientOrderIds: 0, balances: {unprovable: 'no key of the SUT’s'}},
	});

	it('passes the eight and adds sut-balances as info (never a pass); sut-orphans says where it looked', () => {
		const checks = judgeSut(gateway());
		expect(checks.map(c => c.id)).toEqual([...sutCheckIds, 'sut-balances']);
		expect(checks.slice(0, 8).map(c => c.verdict)).toEqual(Array(8).fill('pass'));
		expect(checks.at(-1)).toMatchObject({verdict: 'info', reason: 'no key of the SUT’s'});
		expect(checks[1]!.reason).toMatch(/observed through the gateway/);
	});

	it('orders left open as counted from the traffic fail sut-orphans; duplicates fail sut-consistency', () => {
		const facts = gateway();
		expect(judgeOrphans({openOrders: 2, clientOrderIds: ['a', 'b'], observed: 'gateway'})).toMatchObject({
			verdict: 'fail',
			measured: 2,
			reason: expect.stringMatching(/\(a, b\), observed through the gateway/),
		});
		expect(judgeConsistency({...facts.consistency!, duplicateClientOrderIds: 3})).toMatchObject({
			verdict: 'fail',
			measured: 3,
		});
		expect(judgeConsistency({...facts.consistency!, duplicateClientOrderIds: null}).verdict).toBe('no-data');
	});
});
