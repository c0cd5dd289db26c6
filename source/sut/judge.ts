/**
 * The soak's verdicts on the SUT: pure functions from the facts drydock collected (process, venue,
 * resources, logs) to checks with stable ids that bars and users rely on. Each check says what was
 * measured and the threshold it was held to; `no-data` when the fact could not be had (a mock that was
 * down is not a pass), `skipped` when the check did not apply (no drop happened).
 */
import type {CheckInput} from '../engine/checks.js';
import type {LeakVerdict} from '../monitor/slope.js';
import type {SutSpec} from './spec.js';
import type {VenueAccount} from './venue-view.js';

export const sutCheckIds = [
	'sut-alive',
	'sut-orphans',
	'sut-resubscribe',
	'sut-rate-limit',
	'sut-memory',
	'sut-cpu',
	'sut-errors',
	'sut-consistency',
] as const;
export type SutCheckId = (typeof sutCheckIds)[number];

/**
 * On a real venue (through the gateway, which holds no key of the SUT's) balances cannot be reconciled
 * with fills: `sut-balances` then says so as an `info` entry beside the eight checks — never a pass.
 */
export const SUT_BALANCES_ID = 'sut-balances';

export type SutCheck = CheckInput & {id: SutCheckId | typeof SUT_BALANCES_ID};

export interface ProcessFacts {
	/** Why the SUT never became ready (the start failure's message); null when it started. */
	startFailure: string | null;
	/** Exits drydock did not ask for (after readiness), restarts included. */
	unexpectedExits: number;
	restarts: number;
	lastUnexpectedExit: {code: number | null; signal: string | null} | null;
}

/** `observed: 'gateway'`: counted from the SUT's own traffic through the gateway (no key to ask the venue). */
export type OrphanFacts =
	{openOrders: number; clientOrderIds: readonly string[]; observed?: 'gateway'} | {error: string};

export interface DropFacts {
	dropId: string;
	at: number;
	resubscribedAfterMs: number | null;
	/** The fault's recovery budget. */
	budgetMs: number;
}

export interface RateLimitFacts {
	status418: number;
	status429: number;
	requestsInsideRetryAfter: number;
	/** 429s outside every injected fault window (a storm drydock caused is not the SUT's doing); default: all of them. */
	status429OutsideFaults?: number;
}

export interface ResourceFacts {
	samples: number;
	avgCpuPercent: number | null;
	peakRssMb: number | null;
	leak: LeakVerdict | null;
}

export interface ErrorFacts {
	total: number;
	/** Lines while drydock had a fault injected: counted, not judged. */
	expected: number;
}

export interface BalanceMismatch {
	asset: string;
	expected: number;
	actual: number;
}

/** `unprovable`: not a failure to read but a fact of the setup (a real venue, no key of the SUT's). */
export type BalanceFacts =
	| {ok: true; assets: number}
	| {ok: false; mismatches: BalanceMismatch[]}
	| {unavailable: string}
	| {unprovable: string};

export interface ConsistencyFacts {
	/** From the venue's activity totals; null when unknown. */
	duplicateClientOrderIds: number | null;
	balances: BalanceFacts;
}

export interface SutFacts {
	/** The soak's length so far (per-hour rates). */
	durationMs: number;
	/** When the facts were taken (decides whether a pending drop has had its whole budget). */
	endedAt: number;
	process: ProcessFacts | null;
	/** null: not checked (the SUT was not stopped, or the run was interrupted before). */
	orphans: OrphanFacts | null;
	drops: readonly DropFacts[];
	/** null: the venue's activity could not be read. */
	rateLimit: RateLimitFacts | null;
	resources: ResourceFacts | null;
	errors: ErrorFacts;
	consistency: ConsistencyFacts | null;
	limits: SutSpec['limits'];
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export function judgeAlive(facts: ProcessFacts | null): SutCheck {
	const base = {
		id: 'sut-alive',
		title: 'SUT stayed up (no unexpected exit)',
		threshold: '= 0 unexpected exits',
	} as const;
	if (!facts) return {...base, verdict: 'no-data', measured: null, reason: 'the SUT was not supervised'};
	if (facts.startFailure !== null)
		return {...base, verdict: 'fail', measured: 'never started', reason: facts.startFailure};
	const title =
		facts.restarts > 0
			? `SUT stayed up (no unexpected exit; ${facts.restarts} restart${facts.restarts === 1 ? '' : 's'})`
			: base.title;
	if (facts.unexpectedExits === 0) return {...base, title, verdict: 'pass', measured: 0};
	const last = facts.lastUnexpectedExit;
	const how = last === null ? '' : last.signal ? `, last killed by ${last.signal}` : `, last with code ${last.code}`;
	return {
		...base,
		title,
		verdict: 'fail',
		measured: facts.unexpectedExits,
		reason: `exited ${facts.unexpectedExits} time${facts.unexpectedExits === 1 ? '' : 's'} without being asked${how}; restarted ${facts.restarts} time${facts.restarts === 1 ? '' : 's'}`,
	};
}

export function judgeOrphans(facts: OrphanFacts | null): SutCheck {
	const base = {id: 'sut-orphans', title: 'No open orders left after the SUT stopped', threshold: '= 0'} as const;
	if (!facts)
		return {...base, verdict: 'no-data', measured: null, reason: 'not checked: the SUT was not stopped by drydock'};
	if ('error' in facts)
		return {
			...base,
			verdict: 'no-data',
			measured: null,
			reason: `could not read the SUT's open orders: ${facts.error}`,
		};
	const how =
		facts.observed === 'gateway'
			? "observed through the gateway (counted from the SUT's own acks, cancels and openOrders answers; drydock holds no key to ask the venue)"
			: null;
	if (facts.openOrders === 0) return {...base, verdict: 'pass', measured: 0, ...(how ? {reason: how} : {})};
	const ids = facts.clientOrderIds.slice(0, 5).join(', ');
	return {
		...base,
		verdict: 'fail',
		measured: facts.openOrders,
		reason: `${facts.openOrders} order${facts.openOrders === 1 ? '' : 's'} still open on the venue after the SUT exited${ids ? ` (${ids}${facts.clientOrderIds.length > 5 ? ', …' : ''})` : ''}${how ? `, ${how}` : ''}`,
	};
}

export function judgeResubscribe(drops: readonly DropFacts[], endedAt: number): SutCheck {
	const base = {id: 'sut-resubscribe', title: 'SUT resubscribed after every dropped connection', unit: 'ms'} as const;
	if (drops.length === 0)
		return {
			...base,
			verdict: 'skipped',
			measured: null,
			threshold: 'within the recovery budget',
			reason: 'no connection drop happened during the run',
		};
	const maxBudget = Math.max(...drops.map(d => d.budgetMs));
	const threshold = `≤ ${drops.every(d => d.budgetMs === maxBudget) ? maxBudget : `${Math.min(...drops.map(d => d.budgetMs))}–${maxBudget}`} ms after each drop`;
	const late = drops.filter(d => d.resubscribedAfterMs !== null && d.resubscribedAfterMs > d.budgetMs);
	const never = drops.filter(d => d.resubscribedAfterMs === null && endedAt - d.at >= d.budgetMs);
	const unjudged = drops.filter(d => d.resubscribedAfterMs === null && endedAt - d.at < d.budgetMs);
	const recovered = drops.filter(d => d.resubscribedAfterMs !== null);
	const worst = recovered.length > 0 ? Math.max(...recovered.map(d => d.resubscribedAfterMs!)) : null;
	if (never.length > 0 || late.length > 0) {
		const parts: string[] = [];
		if (never.length > 0)
			parts.push(
				`${never.length} of ${drops.length} drop${drops.length === 1 ? '' : 's'} never followed by resubscribing to the same streams`,
			);
		if (late.length > 0)
			parts.push(
				`${late.length} recovered late (${late.map(d => `${Math.round(d.resubscribedAfterMs!)} ms > ${d.budgetMs} ms`).join(', ')})`,
			);
		if (never.length > 0)
			return {
				...base,
				unit: undefined,
				threshold,
				verdict: 'fail',
				measured: `${never.length} never`,
				reason: parts.join('; '),
			};
		return {...base, threshold, verdict: 'fail', measured: round(worst!, 0), reason: parts.join('; ')};
	}
	if (recovered.length === 0)
		return {
			...base,
			threshold,
			verdict: 'no-data',
			measured: null,
			reason: `the run ended within the recovery budget of all ${unjudged.length} drop(s)`,
		};
	return {
		...base,
		threshold,
		verdict: 'pass',
		measured: round(worst!, 0),
		...(unjudged.length > 0 ? {reason: `${unjudged.length} drop(s) too close to the end to judge`} : {}),
	};
}

export function judgeRateLimit(facts: RateLimitFacts | null): SutCheck {
	const base = {
		id: 'sut-rate-limit',
		title: 'SUT respected the venue’s rate limits (no 418, nothing inside Retry-After)',
		threshold: '0 bans, 0 requests inside Retry-After',
	} as const;
	if (!facts)
		return {...base, verdict: 'no-data', measured: null, reason: "the SUT's activity on the venue could not be read"};
	const measured = `${facts.status418} × 418, ${facts.requestsInsideRetryAfter} inside Retry-After, ${facts.status429} × 429`;
	const problems: string[] = [];
	if (facts.status418 > 0) problems.push(`banned (418) ${facts.status418} time${facts.status418 === 1 ? '' : 's'}`);
	if (facts.requestsInsideRetryAfter > 0)
		problems.push(
			`sent ${facts.requestsInsideRetryAfter} request${facts.requestsInsideRetryAfter === 1 ? '' : 's'} inside a Retry-After window`,
		);
	if (problems.length > 0) return {...base, verdict: 'fail', measured, reason: problems.join('; ')};
	const outside = facts.status429OutsideFaults ?? facts.status429;
	if (outside > 0)
		return {
			...base,
			verdict: 'warn',
			measured,
			reason: `${outside} request${outside === 1 ? '' : 's'} answered 429 outside any injected fault: the SUT runs into the limit`,
		};
	return {...base, verdict: 'pass', measured};
}

export function judgeMemory(
	facts: ResourceFacts | null,
	limits: Pick<SutSpec['limits'], 'sutRssMb' | 'sutRssSlopeMbPerHour'>,
): SutCheck {
	const base = {
		id: 'sut-memory',
		title: 'SUT memory (peak RSS of its process tree, leak slope)',
		threshold: `≤ ${limits.sutRssMb} MB, slope ≤ ${limits.sutRssSlopeMbPerHour} MB/h`,
		unit: 'MB',
	} as const;
	if (!facts || facts.samples === 0 || facts.peakRssMb === null)
		return {...base, verdict: 'no-data', measured: null, reason: 'no resource sample of the SUT'};
	const peak = round(facts.peakRssMb, 1);
	if (facts.peakRssMb > limits.sutRssMb)
		return {
			...base,
			verdict: 'fail',
			measured: peak,
			reason: `peak RSS ${peak} MB over the ${limits.sutRssMb} MB ceiling`,
		};
	const leak = facts.leak;
	if (leak?.leaking) return {...base, verdict: leak.conclusive ? 'fail' : 'warn', measured: peak, reason: leak.reason};
	return {
		...base,
		verdict: 'pass',
		measured: peak,
		...(leak && leak.slopePerHour === null ? {reason: `leak slope not measured: ${leak.reason}`} : {}),
	};
}

export function judgeCpu(facts: ResourceFacts | null, limitPercent: number): SutCheck {
	const base = {
		id: 'sut-cpu',
		title: 'SUT average CPU (its process tree)',
		threshold: `≤ ${limitPercent}`,
		unit: '%',
	} as const;
	if (!facts || facts.samples === 0 || facts.avgCpuPercent === null)
		return {...base, verdict: 'no-data', measured: null, reason: 'no resource sample of the SUT'};
	const avg = round(facts.avgCpuPercent, 1);
	if (facts.avgCpuPercent > limitPercent)
		return {...base, verdict: 'fail', measured: avg, reason: `average ${avg}% of a core over ${facts.samples} samples`};
	return {...base, verdict: 'pass', measured: avg};
}

export function judgeErrors(facts: ErrorFacts, durationMs: number, limitPerHour: number): SutCheck {
	// As for drydock's own: at least 5 minutes, so one line in a short run is not "720 an hour".
	const hours = Math.max(durationMs / 3_600_000, 5 / 60);
	const judged = Math.max(0, facts.total - facts.expected);
	const perHour = round(judged / hours);
	const title =
		facts.expected > 0
			? `SUT error lines per hour (${facts.expected} during injected faults not counted)`
			: 'SUT error lines per hour';
	const base = {id: 'sut-errors', title, threshold: `≤ ${limitPerHour}`, unit: '/h'} as const;
	if (perHour > limitPerHour)
		return {
			...base,
			verdict: 'fail',
			measured: perHour,
			reason: `${judged} error line${judged === 1 ? '' : 's'} in ${round(hours * 60, 1)} min`,
		};
	return {...base, verdict: 'pass', measured: perHour};
}

export function judgeConsistency(facts: ConsistencyFacts | null): SutCheck {
	const base = {
		id: 'sut-consistency',
		title: 'SUT balances match its fills; no duplicate clientOrderIds',
		threshold: 'balances = fills, 0 duplicates',
	} as const;
	if (!facts) return {...base, verdict: 'no-data', measured: null, reason: "the SUT's account could not be read"};
	const dups = facts.duplicateClientOrderIds;
	if ('unprovable' in facts.balances) {
		// Only the duplicates can be judged; the balances are sut-balances' (info) business.
		const only = {...base, title: 'SUT sent no duplicate clientOrderIds', threshold: '0 duplicates'};
		if (dups === null)
			return {...only, verdict: 'no-data', measured: null, reason: 'the venue activity could not be read'};
		if (dups > 0)
			return {
				...only,
				verdict: 'fail',
				measured: dups,
				reason: `${dups} duplicate clientOrderId${dups === 1 ? '' : 's'} in the traffic observed through the gateway`,
			};
		return {...only, verdict: 'pass', measured: 0, reason: 'balances vs fills: see sut-balances'};
	}
	const problems: string[] = [];
	if (dups !== null && dups > 0) problems.push(`${dups} duplicate clientOrderId${dups === 1 ? '' : 's'}`);
	const balances = facts.balances;
	if ('ok' in balances && !balances.ok) {
		problems.push(
			`balances not explained by fills: ${balances.mismatches
				.slice(0, 4)
				.map(m => `${m.asset} ${m.actual} (fills say ${round(m.expected, 8)})`)
				.join(', ')}`,
		);
	}
	const measured = `${dups ?? '?'} duplicates, ${'ok' in balances ? (balances.ok ? 'balances match' : `${balances.mismatches.length} asset(s) off`) : 'balances unchecked'}`;
	if (problems.length > 0) return {...base, verdict: 'fail', measured, reason: problems.join('; ')};
	if ('unavailable' in balances)
		return {
			...base,
			verdict: dups === null ? 'no-data' : 'warn',
			measured,
			reason: `balances not reconciled: ${balances.unavailable}`,
		};
	if (dups === null)
		return {
			...base,
			verdict: 'warn',
			measured,
			reason: 'duplicate clientOrderIds unknown (the venue activity could not be read)',
		};
	return {...base, verdict: 'pass', measured};
}

/** The `info` entry for balances that cannot be reconciled without the SUT's key; null when they could be. */
export function judgeBalances(facts: ConsistencyFacts | null): SutCheck | null {
	if (!facts || !('unprovable' in facts.balances)) return null;
	return {
		id: SUT_BALANCES_ID,
		title: 'SUT balances vs its fills (not provable here)',
		verdict: 'info',
		measured: null,
		threshold: null,
		reason: facts.balances.unprovable,
	};
}

/** Every SUT check, in the order of `sutCheckIds` (then `sut-balances` as info when balances cannot be proven). */
export function judgeSut(facts: SutFacts): SutCheck[] {
	const balances = judgeBalances(facts.consistency);
	return [
		judgeAlive(facts.process),
		judgeOrphans(facts.orphans),
		judgeResubscribe(facts.drops, facts.endedAt),
		judgeRateLimit(facts.rateLimit),
		judgeMemory(facts.resources, facts.limits),
		judgeCpu(facts.resources, facts.limits.sutCpuPercent),
		judgeErrors(facts.errors, facts.durationMs, facts.limits.errorsPerHour),
		judgeConsistency(facts.consistency),
		...(balances ? [balances] : []),
	];
}

/** Quote assets tried, longest first, when a symbol's split is not given. */
const knownQuotes = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY', 'BRL', 'DAI'];

/** `BTCUSDT` → BTC/USDT, preferring assets the account holds. */
export function splitSymbol(
	symbol: string,
	assets: ReadonlySet<string> = new Set(),
): {base: string; quote: string} | null {
	for (let i = 1; i < symbol.length; i++) {
		const base = symbol.slice(0, i);
		const quote = symbol.slice(i);
		if (assets.has(base) && assets.has(quote)) return {base, quote};
	}
	const quote = knownQuotes.find(q => symbol.endsWith(q) && symbol.length > q.length);
	return quote ? {base: symbol.slice(0, -quote.length), quote} : null;
}

/** Fills the venue keeps per client: at that many, older ones may be gone and balances cannot be explained. */
export const VENUE_FILLS_CAP = 100_000;

/**
 * Pure: whether the SUT's final balances (free + locked) equal its starting balances moved by its fills
 * (a buy adds base and takes quote, a sell the reverse; commission taken from its asset).
 */
export function reconcileBalances(
	initial: Readonly<Record<string, number>>,
	account: VenueAccount,
	options: {markets?: Readonly<Record<string, {base: string; quote: string}>>; tolerance?: number} = {},
): BalanceFacts {
	if (account.fills.length >= VENUE_FILLS_CAP)
		return {unavailable: `the venue keeps only the last ${VENUE_FILLS_CAP} fills`};
	const assets = new Set([...Object.keys(initial), ...account.balances.map(b => b.asset)]);
	const expected = new Map<string, number>(Object.entries(initial));
	const add = (asset: string, delta: number) => expected.set(asset, (expected.get(asset) ?? 0) + delta);
	for (const fill of account.fills) {
		const market = options.markets?.[fill.symbol] ?? splitSymbol(fill.symbol, assets);
		if (!market) return {unavailable: `cannot tell the base and quote of ${fill.symbol}`};
		const buy = fill.side.toUpperCase() === 'BUY';
		add(market.base, buy ? fill.qty : -fill.qty);
		add(market.quote, buy ? -fill.quoteQty : fill.quoteQty);
		if (fill.commission !== 0) add(fill.commissionAsset, -fill.commission);
	}
	const actual = new Map(account.balances.map(b => [b.asset, b.free + b.locked]));
	const mismatches: BalanceMismatch[] = [];
	for (const asset of new Set([...expected.keys(), ...actual.keys()])) {
		const e = expected.get(asset) ?? 0;
		const a = actual.get(asset) ?? 0;
		const tolerance = options.tolerance ?? Math.max(1e-8, Math.abs(e) * 1e-9);
		if (Math.abs(e - a) > tolerance) mismatches.push({asset, expected: e, actual: a});
	}
	return mismatches.length === 0 ? {ok: true, assets: expected.size} : {ok: false, mismatches};
}
