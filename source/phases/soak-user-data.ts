/**
 * The soak's reconciliation from the user data stream: every order a soak cycle settled (filled or
 * cancelled, as REST answered it) must arrive on the stream with the same status, executed quantity and
 * executed quote (its fills), and at the end the balances the stream's account updates imply must
 * match REST. An order whose life overlapped an outage of the user stream (the connection closed until
 * it was subscribed again) or an injected fault is fetched from REST instead and counted as recovered,
 * not as a mismatch; an outage the client never resubscribed after counts only for a short budget, after
 * which missing events are mismatches again.
 */
import {isTransientError} from '../exchange/errors.js';
import type {Balance, Order, Unsubscribe} from '../exchange/exchange-client.js';
import {errorMessage} from './abort.js';
import {fail, pass} from './checks.js';
import type {PhaseCtx} from './phase-contract.js';
import {UserDataWatch, type StreamedOrder} from './trading/user-data-watch.js';

/** The stream may trail REST a little: an order is judged this long after it settled. */
const GRACE_MS = 3_000;
/** A closed user stream not subscribed again within this is not a gap any more: what it misses after is lost. */
const RESUBSCRIBE_BUDGET_MS = 5_000;
/** Kept per outage around its edges (events in flight when it closed, REST answers after it came back). */
const EDGE_MS = 1_000;
const MAX_LISTED = 5;
const MAX_OUTAGES = 1_000;

interface Expected {
	order: Order;
	startedAt: number;
	settledAt: number;
}

interface Outage {
	/** Before the first subscription was acknowledged (not a drop). */
	initial?: boolean;
	from: number;
	/** When the stream was subscribed again; null while it is not. */
	to: number | null;
}

export interface UserDataTally {
	expected: number;
	seen: number;
	/** Orders the stream missed inside an outage, taken from REST instead. */
	recovered: number;
	mismatches: number;
	listed: string[];
	outages: number;
	resubscribed: number;
}

const near = (a: number, b: number) => Math.abs(a - b) <= Math.max(1e-12, Math.abs(b) * 1e-9);

function differs(streamed: StreamedOrder | undefined, order: Order): string | null {
	const name = `order ${order.id}`;
	if (streamed === undefined) return `${name} ${order.venueStatus ?? order.status}: never on the stream`;
	if (streamed.status !== order.status || !near(streamed.filled, order.filled) || !near(streamed.cost, order.cost))
		return `${name}: stream ${streamed.status} filled ${streamed.filled} cost ${streamed.cost}, REST ${order.status} filled ${order.filled} cost ${order.cost}`;
	return null;
}

export class SoakUserData {
	readonly tally: UserDataTally = {
		expected: 0,
		seen: 0,
		recovered: 0,
		mismatches: 0,
		listed: [],
		outages: 0,
		resubscribed: 0,
	};
	private readonly watch: UserDataWatch;
	private readonly pending = new Map<string, Expected>();
	private readonly outages: Outage[] = [];
	private userUrl: string | null = null;
	private fills = 0;
	private readonly off: Unsubscribe;
	private sweeping: Promise<void> = Promise.resolve();
	private readonly timer: NodeJS.Timeout;

	constructor(
		private readonly ctx: PhaseCtx,
		private readonly symbol: string,
	) {
		const {exchange} = ctx.services;
		this.watch = new UserDataWatch(exchange, symbol, {balances: true});
		this.off = exchange.tap.onConnection(event => {
			if (event.type === 'subscribed' && event.streams.includes('user')) {
				this.userUrl = event.url;
				const open = this.outages.at(-1);
				if (open && open.to === null) {
					open.to = event.at;
					if (!open.initial) this.tally.resubscribed += 1;
				}
				return;
			}
			// The WebSocket API connection carries the user stream; a subscription made by an earlier phase
			// on the same connection announced no URL here, hence the path as a fallback.
			if (event.type !== 'closed') return;
			const isUser = this.userUrl !== null ? event.url === this.userUrl : event.url.includes('/ws-api/');
			if (!isUser || this.outages.at(-1)?.to === null) return;
			this.outages.push({from: event.at, to: null});
			if (this.outages.length > MAX_OUTAGES) this.outages.shift();
			this.tally.outages += 1;
			ctx.log('warn', `user data stream closed (${event.reason}): orders meanwhile are reconciled from REST`);
		});
		// Until the venue acknowledges the subscription the stream owes nothing: orders then are taken from REST.
		// (A subscription an earlier phase left open is never acknowledged again: its events simply flow.)
		this.outages.push({initial: true, from: Date.now(), to: null});
		this.timer = setInterval(() => this.sweep(false), 1_000);
		this.timer.unref();
	}

	/** Resolves once the venue acknowledged the subscription (true) or after `timeoutMs` (false). */
	ready(timeoutMs: number): Promise<boolean> {
		return this.watch.ready(timeoutMs);
	}

	/** A soak cycle settled `order` (REST's final answer); the stream must tell the same. */
	expect(order: Order, startedAt: number): void {
		if (order.status === 'open' || order.status === 'unknown') return;
		this.tally.expected += 1;
		if (order.filled > 0) this.fills += 1;
		this.pending.set(order.id, {order, startedAt, settledAt: Date.now()});
	}

	/** Judges what is left (waiting up to the grace period for the stream to catch up), then stops watching. */
	async finish(): Promise<void> {
		clearInterval(this.timer);
		const deadline = Date.now() + GRACE_MS;
		while (this.unmatched() > 0 && Date.now() < deadline && !this.ctx.signal.aborted)
			await new Promise(resolve => setTimeout(resolve, 50));
		this.sweep(true);
		await this.sweeping;
	}

	stop(): void {
		clearInterval(this.timer);
		this.off();
		this.watch.stop();
	}

	/** The soak-user-data check: orders and, given the final REST balance, the balances. */
	async check(rest: Balance | null, assets: readonly string[]): Promise<void> {
		const balanceProblems = rest === null ? [] : await this.balanceProblems(rest, assets);
		const t = this.tally;
		// A drop must be followed by a new subscription: one still missing past its budget is a problem by itself.
		const last = this.outages.at(-1);
		const openOutage =
			last !== undefined && !last.initial && last.to === null && Date.now() - last.from > RESUBSCRIBE_BUDGET_MS;
		const problems = t.mismatches + balanceProblems.length + (openOutage ? 1 : 0);
		const title = `the soak's orders and balances on the user data stream match REST (${t.expected} orders, ${t.outages} outages, ${t.resubscribed} resubscribed)`;
		const measured = `${t.seen + t.recovered}/${t.expected} seen${t.recovered > 0 ? ` (${t.recovered} recovered from REST)` : ''}`;
		// Nothing compared (no order settled, no balance on both sides) is no data, never a pass.
		if (t.expected === 0 && (rest === null || this.watch.balance === null) && !openOutage) {
			this.ctx.check({
				id: 'soak-user-data',
				title,
				verdict: 'no-data',
				measured: null,
				threshold: '0 mismatches',
				reason: 'no order settled and no balance streamed to compare',
			});
			return;
		}
		if (problems === 0) {
			pass(
				this.ctx,
				'soak-user-data',
				rest === null ? `${title}; balances not compared (REST balances unreadable)` : title,
				measured,
				'0 mismatches',
			);
			return;
		}
		const listed = [...t.listed, ...balanceProblems].slice(0, MAX_LISTED);
		const more = t.mismatches + balanceProblems.length > listed.length ? '; …' : '';
		const parts = [
			t.mismatches > 0 ? `${t.mismatches} of ${t.expected} orders did not match` : null,
			balanceProblems.length > 0 ? `${balanceProblems.length} balances differ` : null,
			openOutage ? `the user stream closed and was never subscribed again` : null,
		].filter(Boolean);
		fail(
			this.ctx,
			'soak-user-data',
			title,
			`${parts.join(', ')}${listed.length > 0 ? `: ${listed.join('; ')}${more}` : ''}${this.watch.lastError ? ` (last stream error: ${this.watch.lastError})` : ''}`,
			measured,
			'0 mismatches',
		);
	}

	private unmatched(): number {
		let n = 0;
		for (const [id, expected] of this.pending) if (differs(this.watch.getById(id), expected.order) !== null) n++;
		return n;
	}

	/** An outage (widened by its edges) overlapping [from, to]. */
	private inOutage(from: number, to: number): boolean {
		return this.outages.some(o => {
			const end = (o.to ?? Math.min(Date.now(), o.from + RESUBSCRIBE_BUDGET_MS)) + EDGE_MS;
			return o.from - EDGE_MS <= to && end >= from;
		});
	}

	private sweep(final: boolean): void {
		const now = Date.now();
		const gap: Expected[] = [];
		for (const [id, expected] of this.pending) {
			const problem = differs(this.watch.getById(id), expected.order);
			if (problem === null) {
				this.tally.seen += 1;
				this.settle(id);
				continue;
			}
			if (!final && now - expected.settledAt < GRACE_MS) continue;
			this.settle(id);
			// A drop, or a fault drydock injected (a stall swallows events without a drop): REST tells instead.
			if (this.inOutage(expected.startedAt, expected.settledAt) || this.ctx.faultActive(now - expected.startedAt))
				gap.push(expected);
			else this.mismatch(problem);
		}
		if (gap.length > 0) this.sweeping = this.sweeping.then(() => this.fromRest(gap));
	}

	private settle(id: string): void {
		this.pending.delete(id);
		this.watch.forget(id);
	}

	private mismatch(problem: string): void {
		this.tally.mismatches += 1;
		if (this.tally.listed.length < MAX_LISTED) this.tally.listed.push(problem);
	}

	/** Orders whose events fell into an outage: REST is asked again, and must still say what the cycle saw. */
	private async fromRest(orders: readonly Expected[]): Promise<void> {
		const {exchange} = this.ctx.services;
		for (const {order} of orders) {
			try {
				const venue = await this.ctx.call(
					'fetchOrder (user stream gap)',
					() => exchange.fetchOrder(this.symbol, {id: order.id}),
					{isTransient: isTransientError},
				);
				const streamedLike: StreamedOrder = {status: venue.status, filled: venue.filled, cost: venue.cost, updates: 0};
				const problem = differs(streamedLike, order);
				if (problem === null) this.tally.recovered += 1;
				else this.mismatch(`REST now: ${problem}`);
			} catch (error) {
				this.mismatch(`order ${order.id}: not on the stream and not readable from REST (${errorMessage(error)})`);
			}
		}
	}

	/** Stream-implied balances of `assets` against REST's; waits up to the grace period for the stream to catch up. */
	private async balanceProblems(rest: Balance, assets: readonly string[]): Promise<string[]> {
		const problems = (): string[] => {
			const streamed = this.watch.balance;
			if (streamed === null) return this.fills > 0 ? ['no account update (outboundAccountPosition) on the stream'] : [];
			return assets.flatMap(asset => {
				const s = streamed.assets[asset];
				const r = rest.assets[asset];
				if (s === undefined || r === undefined) return [];
				return near(s.total, r.total) && near(s.free, r.free)
					? []
					: [`${asset}: stream ${s.free} free / ${s.total} total, REST ${r.free} / ${r.total}`];
			});
		};
		const deadline = Date.now() + GRACE_MS;
		while (problems().length > 0 && Date.now() < deadline && !this.ctx.signal.aborted)
			await new Promise(resolve => setTimeout(resolve, 50));
		const left = problems();
		// The last account update came before an outage ended, or an injected fault was active since: the stream
		// has not told the latest since.
		const last = this.watch.balance?.at ?? 0;
		const lastOutage = this.outages.filter(o => !o.initial).at(-1);
		// (Down right now: an outage still open past its budget is judged on its own in check().)
		const behindOutage = lastOutage !== undefined && (lastOutage.to === null || last < lastOutage.to + EDGE_MS);
		if (left.length > 0 && (behindOutage || this.ctx.faultActive(Date.now() - last))) {
			this.ctx.log('info', `balances after the user stream's last outage taken from REST: ${left.join('; ')}`);
			return [];
		}
		return left;
	}
}
