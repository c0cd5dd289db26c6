/**
 * Runs a chaos timeline during the soak (the verdict itself is source/faults/spec/recovery.ts): each fault is injected at its time (relative to the soak's
 * start) through the FaultInjector (the mock's fault controls, the local fault proxy in front of a real
 * venue, or our own connections when there is no proxy),
 * and measured from the engine's events and a StreamWatcher on the soak symbol's trade and depth
 * streams: when it was detected (first failed call, stream drop or silence), when streams reconnected
 * and delivered again, when calls succeeded again, sequence gaps, book resyncs, orders whose fate was
 * unknown and how each was resolved, breaker transitions. Each fault is a `chaos` event (report.json
 * chaos[]), a mark on the console's timeline, and a check in the soak phase held to its recovery budget.
 */
import type {EngineEvent} from '../../engine/events.js';
import type {CheckInput} from '../../engine/checks.js';
import type {ChaosRecord} from '../../engine/fault-records.js';
import type {PhaseId} from '../../engine/phase-ids.js';
import type {ExchangeClient} from '../../exchange/exchange-client.js';
import type {StreamEvent, StreamWatcher} from '../../exchange/stream-watcher.js';
import type {FaultInjector} from '../injector.js';
import type {FaultKind} from '../spec/kinds.js';
import {isMarketFaultKind} from '../spec/kinds.js';
import {judgeRecovery} from '../spec/recovery.js';
import {MarketFaultWatch} from './market-fault.js';
import type {OrderFateObserver} from './order-fate.js';
import type {ChaosEntry} from './schema.js';

/** The little of the engine the runner needs. */
export interface ChaosHost {
	onEvent(listener: (event: EngineEvent) => void): () => void;
	emit(event: EngineEvent): void;
	addPhaseFinalizer(
		finalizer: (check: (input: CheckInput) => void, phase: PhaseId) => void | Promise<void>,
	): () => void;
	/** When the soak's clock started (earlier than its phase start on a resumed run); null before. */
	soakStartedAt(): number | null;
	/** With a system under test: resolves when it is ready (null: it never was), and the timeline counts from then. */
	soakClock?(): Promise<number | null> | null;
	/** Chaos records carried over from an interrupted segment. */
	carriedOver(): ReadonlyMap<number, ChaosRecord>;
	/** Registers what lifts the runner's faults before the kill switch cancels orders (Engine.addFaultLifter). */
	addFaultLifter?(lift: () => Promise<void>): () => void;
}

export interface ChaosRunnerOptions {
	host: ChaosHost;
	timeline: readonly ChaosEntry[];
	faults: FaultInjector;
	exchange: ExchangeClient;
	fates?: OrderFateObserver | null;
	/** Venue symbol of the soak, e.g. BTCUSDT. */
	symbol: string;
	/** Creates the watcher (injected so the runner stays free of ccxt imports). */
	createWatcher: (onEvent: (event: StreamEvent) => void) => StreamWatcher;
	/** No frame on any watched stream for this long counts as detection of a stream fault (default 2 s). */
	silenceMs?: number;
	now?: () => number;
}

/** Marks on the console timeline use their own index range so they never collide with the phases' marks. */
const MARK_BASE = 100_000;
const SKEW_LATENCY_MS = 1_000;

interface Tracking {
	entry: ChaosEntry;
	record: ChaosRecord;
	injectedAt: number;
	endAt: number;
	/** stream id → reconnect time, and whether a message came after it. */
	reconnected: Map<string, {at: number; back: boolean}>;
	recoveredAt: number | null;
	closed: boolean;
	/** The injector's id for it, when it counts what a fault did (the fault proxy). */
	faultId: string | null;
	/** A market fault's own observation (price vs before, trading status), polled from the venue. */
	market?: MarketFaultWatch;
}

const streamFaults = new Set<FaultKind>(['drop-websockets', 'stall-streams', 'pause-market']);

export class ChaosRunner {
	private readonly now: () => number;
	private readonly silenceMs: number;
	private timers: NodeJS.Timeout[] = [];
	private tracking: Tracking[] = [];
	private records = new Map<number, ChaosRecord>();
	private watcher: StreamWatcher | null = null;
	private watched: string[] = [];
	private lastMessageAt: number | null = null;
	private silenceTimer: NodeJS.Timeout | null = null;
	private detach: (() => void)[] = [];
	private running = false;
	private injectedAny = false;

	constructor(private readonly options: ChaosRunnerOptions) {
		this.now = options.now ?? Date.now;
		this.silenceMs = options.silenceMs ?? 2_000;
		this.detach.push(options.host.onEvent(event => this.onEngineEvent(event)));
		this.detach.push(
			options.host.addPhaseFinalizer((check, phase) => (phase === 'soak' ? this.finish(check) : undefined)),
		);
		if (options.fates) this.detach.push(options.fates.onChange(() => this.refreshOrders()));
		const lifting = options.host.addFaultLifter?.(() => this.liftFaults());
		if (lifting) this.detach.push(lifting);
	}

	close(): void {
		this.stopTimers();
		for (const off of this.detach.splice(0)) off();
		void this.watcher?.close();
		this.watcher = null;
	}

	// --- schedule ---------------------------------------------------------------------------------

	private start(): void {
		if (this.running) return;
		this.running = true;
		this.tracking = [];
		this.records.clear();
		// A SUT soak's clock starts when the SUT is ready, about a second after the phase (see ChaosHost.soakClock).
		const clock = this.options.host.soakClock?.() ?? null;
		if (clock) void clock.then(at => this.running && this.schedule(at ?? this.now()));
		else this.schedule(this.options.host.soakStartedAt() ?? this.now());
		const ids = [`${this.options.symbol.toLowerCase()}@trade`, `${this.options.symbol.toLowerCase()}@depth@100ms`];
		try {
			this.watcher = this.options.createWatcher(event => this.onStream(event));
			this.watched = this.watcher.start(ids);
		} catch (error) {
			this.options.host.emit({
				type: 'notice',
				at: this.now(),
				level: 'warn',
				text: `chaos: streams not watched (${message(error)}): stream faults can't be measured`,
			});
		}
		this.silenceTimer = setInterval(() => {
			this.checkSilence();
			this.checkOverdue();
			void this.checkMarket();
		}, 100);
		this.silenceTimer.unref();
	}

	/** Puts every entry on the clock, counted from `soakStart`. */
	private schedule(soakStart: number): void {
		const carried = this.options.host.carriedOver();
		for (const entry of this.options.timeline) {
			const delay = entry.startMs - (this.now() - soakStart);
			const previous = carried.get(entry.index);
			if (delay < 0 && previous) continue; // done (or started) in the interrupted segment
			const record = blankRecord(entry);
			if (delay < 0) {
				this.put({...record, verdict: 'skipped', reason: 'scheduled before the point the soak resumed from'});
				continue;
			}
			this.put(record);
			const timer = setTimeout(() => void this.inject(entry), delay);
			timer.unref();
			this.timers.push(timer);
		}
	}

	private stopTimers(): void {
		for (const timer of this.timers.splice(0)) clearTimeout(timer);
		if (this.silenceTimer) clearInterval(this.silenceTimer);
		this.silenceTimer = null;
	}

	private async inject(entry: ChaosEntry): Promise<void> {
		if (!this.running) return;
		const kind = entry.fault;
		const {faults} = this.options;
		const base = this.records.get(entry.index)!;
		if (!faults.supports(kind)) {
			this.put({...base, verdict: 'skipped', reason: `not possible on this venue: ${faults.unsupportedReason(kind)}`});
			return;
		}
		const injectedAt = this.now();
		const record: ChaosRecord = {...base, injected_at: new Date(injectedAt).toISOString(), verdict: 'active'};
		const tracking: Tracking = {
			entry,
			record,
			injectedAt,
			endAt: injectedAt + entry.durationMs,
			reconnected: new Map(),
			recoveredAt: null,
			closed: false,
			faultId: null,
		};
		this.tracking.push(tracking);
		this.put(record);
		let params = entry.params;
		if (isMarketFaultKind(kind)) {
			// A market fault without a symbol is on the soak's; the price before it is what "recovered" returns to.
			params = {...params, symbol: typeof params.symbol === 'string' ? params.symbol : this.options.symbol};
			tracking.market = await MarketFaultWatch.before(entry, params, faults);
			this.update(tracking, {params});
		}
		const where = faults.placeOf?.(kind) ?? placeOf(faults.mode, kind);
		this.options.host.emit({
			type: 'fault',
			at: injectedAt,
			index: MARK_BASE + entry.index,
			mark: {at: injectedAt, kind: entry.fault, detail: `chaos #${entry.index}: ${entry.label} (${where})`},
		});
		try {
			const id = await faults.inject({
				fault: kind,
				params,
				...(entry.durationMs > 0 ? {durationMs: entry.durationMs} : {}),
			});
			if (typeof id === 'string') tracking.faultId = id;
			this.injectedAny = true;
			// The venue's timer starts when it gets the request: the fault ends no earlier than that + its duration.
			if (entry.durationMs > 0) tracking.endAt = Math.max(tracking.endAt, this.now() + entry.durationMs);
		} catch (error) {
			tracking.closed = true;
			this.update(tracking, {verdict: 'fail', reason: `could not inject: ${message(error)}`});
		}
	}

	/** The kill switch is cancelling orders: nothing of ours may fail those calls (faults on the venue are cleared). */
	private async liftFaults(): Promise<void> {
		if (!this.injectedAny) return;
		await this.options.faults.clear();
		const now = this.now();
		// A fault lifted before it ended or recovered proves nothing either way; its excuse ends with it.
		for (const t of this.tracking) {
			if (t.closed || t.recoveredAt !== null || t.record.verdict !== 'active') continue;
			t.closed = true;
			this.update(t, {
				verdict: 'no-data',
				reason: `lifted ${now - t.injectedAt} ms after injection so the kill switch could cancel orders`,
			});
			this.options.host.emit({type: 'fault-recovered', at: now, index: MARK_BASE + t.entry.index, recoveredAt: now});
		}
		this.options.host.emit({
			type: 'notice',
			at: now,
			level: 'info',
			text: 'chaos: injected faults lifted for the kill switch',
		});
	}

	// --- observation ------------------------------------------------------------------------------

	private active(at: number): Tracking[] {
		return this.tracking.filter(t => !t.closed && t.recoveredAt === null && at >= t.injectedAt);
	}

	private onEngineEvent(event: EngineEvent): void {
		switch (event.type) {
			case 'phase-started':
				if (event.phase === 'soak') this.start();
				return;
			case 'error':
				for (const t of this.active(event.at)) {
					t.record = {...t.record, failed_calls: t.record.failed_calls + 1};
					this.detect(t, event.at, `failed call (${event.error.kind})`, true);
				}
				return;
			case 'operation':
				if (event.phase !== 'soak') return;
				for (const t of this.active(event.at)) {
					if (!event.sample.ok) this.detect(t, event.at, `failed operation (${event.sample.error?.kind ?? 'error'})`);
					else if (t.entry.fault === 'latency' && event.sample.latencyMs >= 0.5 * Number(t.entry.params.ms ?? 0))
						this.detect(t, event.at, `slow operation (${Math.round(event.sample.latencyMs)} ms)`);
					// A market fault recovers when the market does (checkMarket), not when our calls succeed.
					if (event.sample.ok && event.at > t.endAt && !streamFaults.has(t.entry.fault) && !t.market)
						this.recover(t, event.at);
				}
				return;
			case 'breaker':
				for (const t of this.tracking) {
					if (t.closed || event.at < t.injectedAt) continue;
					// Transitions until recovery, plus the ones that close the breaker afterwards within the budget.
					if (t.recoveredAt !== null && event.at > t.recoveredAt + t.entry.recoveryBudgetMs) continue;
					t.record = {
						...t.record,
						breaker_transitions: [
							...t.record.breaker_transitions,
							{after_ms: event.at - t.injectedAt, state: event.view.state},
						].slice(-50),
					};
					this.put(t.record);
				}
				return;
			default:
				return;
		}
	}

	private onStream(event: StreamEvent): void {
		this.options.host.emit({type: 'stream', at: event.type === 'message' ? event.receivedAt : event.at, update: event});
		const at = event.type === 'message' ? event.receivedAt : event.at;
		if (event.type === 'status') {
			if (event.status === 'reconnecting' || event.status === 'closed')
				for (const t of this.active(at)) this.detect(t, at, `stream ${event.stream} dropped`);
			return;
		}
		if (event.type === 'reconnect') {
			for (const t of this.active(at)) {
				t.reconnected.set(event.stream, {at, back: false});
				if (t.record.reconnected_after_ms === null) this.update(t, {reconnected_after_ms: at - t.injectedAt});
				if (event.stream.includes('@depth')) t.record = {...t.record, book_resyncs: t.record.book_resyncs + 1};
			}
			return;
		}
		this.lastMessageAt = at;
		for (const t of this.tracking) {
			if (t.closed || at < t.injectedAt) continue;
			// Gaps are counted until recovery (frames missed across the fault surface as the first gap after it).
			if (t.recoveredAt === null || at <= t.recoveredAt + 1_000) {
				// Trade ids count messages; a depth gap counts update ids, not messages: it is a book resync.
				if (event.gap > 0) {
					const depthStream = event.stream.includes('@depth');
					t.record = {
						...t.record,
						messages_missed: t.record.messages_missed + (depthStream ? 0 : event.gap),
						book_resyncs: t.record.book_resyncs + (depthStream ? 1 : 0),
					};
				}
			}
			if (t.recoveredAt !== null) continue;
			if (t.entry.fault === 'clock-skew' && event.latencyMs !== null && Math.abs(event.latencyMs) > SKEW_LATENCY_MS)
				this.detect(t, at, `stream event times off by ${Math.round(event.latencyMs)} ms`);
			const back = t.reconnected.get(event.stream);
			if (back && !back.back) {
				back.back = true;
				const everyBack = this.watched.every(id => t.reconnected.get(id)?.back === true);
				if (everyBack && t.record.resubscribed_after_ms === null)
					this.update(t, {resubscribed_after_ms: at - t.injectedAt});
			}
			if (at <= t.endAt) continue;
			if (t.entry.fault === 'drop-websockets') {
				if (t.record.resubscribed_after_ms !== null) this.recover(t, t.injectedAt + t.record.resubscribed_after_ms);
			} else if (t.entry.fault === 'stall-streams' || t.entry.fault === 'pause-market') this.recover(t, at);
		}
		this.put(null);
	}

	private checkSilence(): void {
		const now = this.now();
		if (this.lastMessageAt === null || now - this.lastMessageAt < this.silenceMs) return;
		for (const t of this.active(now))
			if (this.lastMessageAt >= t.injectedAt - this.silenceMs)
				this.detect(t, this.lastMessageAt + this.silenceMs, `no stream message for ${this.silenceMs} ms`);
	}

	/**
	 * A fault not recovered by its end + recovery budget has failed: judged now, not at the soak's end, and
	 * its timeline mark closed, so it stops excusing failures (a 24 h soak would otherwise grade A+ behind it).
	 * It stays tracked: a recovery seen later is still recorded (and judged over budget).
	 */
	private checkOverdue(): void {
		const now = this.now();
		for (const t of this.tracking) {
			if (
				t.closed ||
				t.recoveredAt !== null ||
				t.record.verdict !== 'active' ||
				now - t.endAt <= t.entry.recoveryBudgetMs
			)
				continue;
			this.judge(t, false);
			this.options.host.emit({type: 'fault-recovered', at: now, index: MARK_BASE + t.entry.index, recoveredAt: now});
		}
	}

	private marketPolling = false;

	/** Polls the venue for each active market fault: detection (price moved, symbol halted) and recovery. */
	private async checkMarket(): Promise<void> {
		if (this.marketPolling) return;
		const watched = this.tracking.filter(t => t.market && !t.closed && t.recoveredAt === null);
		if (watched.length === 0) return;
		this.marketPolling = true;
		try {
			for (const t of watched) {
				const seen = await t.market!.poll(this.now(), t.endAt);
				if (seen.detected) this.detect(t, seen.at, seen.detected);
				if (seen.recovered && !t.closed && t.recoveredAt === null) this.recover(t, seen.at);
			}
		} finally {
			this.marketPolling = false;
		}
	}

	private detect(t: Tracking, at: number, by: string, quiet = false): void {
		if (t.record.detected_after_ms !== null) {
			if (quiet) this.put(t.record);
			return;
		}
		this.update(t, {detected_after_ms: Math.max(0, at - t.injectedAt), detected_by: by});
	}

	private recover(t: Tracking, at: number): void {
		if (t.recoveredAt !== null) return;
		t.recoveredAt = at;
		this.options.host.emit({
			type: 'fault-recovered',
			at: this.now(),
			index: MARK_BASE + t.entry.index,
			recoveredAt: at,
		});
		this.update(t, {recovered_after_ms: at - t.injectedAt, recovery_ms: Math.max(0, at - t.endAt)});
		this.judge(t, false);
		// Orders whose fate the phases could not learn during the fault: ask again now it has cleared.
		void this.options.fates?.resolvePending().catch(() => 0);
	}

	private refreshOrders(): void {
		const fates = this.options.fates;
		if (!fates) return;
		for (const t of this.tracking) {
			// An order whose placement failed during the fault or while recovering from it.
			const until = t.recoveredAt ?? this.now();
			const orders = fates
				.between(t.injectedAt, until)
				.slice(0, 100)
				.map(f => ({
					client_order_id: f.clientOrderId,
					at_ms: f.at - t.injectedAt,
					error: f.error,
					resolution: f.resolution,
					resolved_by: f.resolvedBy,
					placements: f.placements,
				}));
			if (orders.length === 0 && t.record.unknown_orders.length === 0) continue;
			t.record = {...t.record, unknown_orders: orders};
			if (t.record.verdict !== 'active') this.judge(t, false);
			else this.put(t.record);
		}
	}

	// --- verdicts ---------------------------------------------------------------------------------

	/** Decides pass/fail for a recovered fault, for one past its end + budget, or — at the soak's end — for one still recovering. */
	private judge(t: Tracking, final: boolean): void {
		const verdict = judgeRecovery({
			budgetMs: t.entry.recoveryBudgetMs,
			recoveryMs: t.recoveredAt !== null ? (t.record.recovery_ms ?? 0) : null,
			endAt: t.endAt,
			now: this.now(),
			final,
			closed: t.closed,
			detected: t.record.detected_after_ms !== null,
			placedTwice: t.record.unknown_orders.filter(o => o.placements > 1).map(o => o.client_order_id),
		});
		if (verdict) this.update(t, verdict);
	}

	private async finish(check: (input: CheckInput) => void): Promise<void> {
		if (!this.running) return;
		this.running = false;
		this.stopTimers();
		await this.options.fates?.resolvePending().catch(() => 0);
		this.refreshOrders();
		for (const t of this.tracking) {
			if (!t.closed) this.judge(t, true);
			t.closed = true;
		}
		for (const record of this.records.values()) {
			if (record.verdict === 'pending')
				this.put({...record, verdict: 'skipped', reason: 'the soak ended before it was due'});
		}
		const watcher = this.watcher;
		this.watcher = null;
		await watcher?.close().catch(() => {});
		await this.options.exchange.closeStreams().catch(() => {});
		// Nothing of ours left on a shared mock after the soak.
		if (this.injectedAny) await this.options.faults.clear().catch(() => {});
		if (this.injectedAny) await this.reportProxy();
		const effects = new Map<number, string>();
		for (const t of this.tracking) {
			const text = t.faultId !== null ? this.options.faults.effects?.(t.faultId) : null;
			if (text) effects.set(t.entry.index, text);
		}
		for (const record of [...this.records.values()].sort((a, b) => a.scheduled_ms - b.scheduled_ms)) {
			const verdict = record.verdict === 'pending' || record.verdict === 'active' ? 'no-data' : record.verdict;
			const detail = [
				record.detected_after_ms !== null ? `detected ${record.detected_after_ms} ms` : null,
				record.resubscribed_after_ms !== null ? `resubscribed ${record.resubscribed_after_ms} ms` : null,
				record.recovered_after_ms !== null ? `recovered ${record.recovered_after_ms} ms after injection` : null,
				record.messages_missed > 0 ? `${record.messages_missed} missed` : null,
				record.unknown_orders.length > 0 ? `${record.unknown_orders.length} unknown-fate orders` : null,
				effects.has(record.index) ? `proxy: ${effects.get(record.index)}` : null,
			]
				.filter(Boolean)
				.join(', ');
			check({
				id: `chaos-${record.index}`,
				title: `chaos: ${record.label}${detail ? ` (${detail})` : ''}`,
				verdict,
				measured: record.recovery_ms,
				threshold: `≤ ${record.recovery_budget_ms} ms`,
				unit: 'ms',
				...(record.reason ? {reason: record.reason} : {}),
			});
		}
	}

	/** What the local fault proxy did over the soak, as one notice (the journal and the console's log keep it). */
	private async reportProxy(): Promise<void> {
		const stats = await this.options.faults.stats().catch(() => null);
		const effects = (stats?.['proxy'] as {effects?: Record<string, number>} | undefined)?.effects;
		if (!effects) return;
		const parts = [
			effects['latency'] ? `${effects['latency']} chunks delayed` : null,
			effects['stall-streams'] ? `${effects['stall-streams']} streams stalled` : null,
			effects['drop-websockets'] ? `${effects['drop-websockets']} streams dropped` : null,
			effects['reset'] ? `${effects['reset']} connections reset` : null,
			effects['blackhole'] ? `${effects['blackhole']} connections silenced` : null,
		].filter(Boolean);
		this.options.host.emit({
			type: 'notice',
			at: this.now(),
			level: 'info',
			text: `chaos: fault proxy ${parts.length > 0 ? parts.join(', ') : 'touched no connection'}`,
		});
	}

	// --- records ----------------------------------------------------------------------------------

	private update(t: Tracking, patch: Partial<ChaosRecord>): void {
		t.record = {...t.record, ...patch};
		this.put(t.record);
	}

	/** Stores and publishes a record (null: republish every tracked one that changed). */
	private put(record: ChaosRecord | null): void {
		const changed = record ? [record] : this.tracking.map(t => t.record).filter(r => r !== this.records.get(r.index));
		for (const r of changed) {
			this.records.set(r.index, r);
			this.options.host.emit({type: 'chaos', at: this.now(), record: r});
		}
	}
}

function blankRecord(entry: ChaosEntry): ChaosRecord {
	return {
		index: entry.index,
		fault: entry.fault,
		label: entry.label,
		params: entry.params,
		scheduled_ms: entry.startMs,
		duration_ms: entry.durationMs,
		recovery_budget_ms: entry.recoveryBudgetMs,
		injected_at: null,
		detected_after_ms: null,
		detected_by: null,
		reconnected_after_ms: null,
		resubscribed_after_ms: null,
		recovered_after_ms: null,
		recovery_ms: null,
		messages_missed: 0,
		book_resyncs: 0,
		failed_calls: 0,
		unknown_orders: [],
		breaker_transitions: [],
		verdict: 'pending',
		reason: null,
	};
}

/** Where a fault is applied, for the console's timeline mark. */
function placeOf(mode: FaultInjector['mode'], kind: FaultKind): string {
	if (mode === 'client') return 'client side';
	if (mode === 'proxy' || kind === 'connection-reset' || kind === 'timeout') return 'local fault proxy';
	return 'mock fault control';
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
