/**
 * The store: the run's state (RunReducer) plus publishing. It publishes an immutable EngineSnapshot at a
 * bounded rate (default 4 Hz, coalescing every event in between). `getSnapshot` returns the same object
 * until the next publish, as useSyncExternalStore requires.
 */
import type {PhaseId} from './phase-ids.js';
import type {EngineSnapshot} from './snapshot.js';
import type {EngineEvent} from './events.js';
import {RunReducer, type StoreOptions} from './run-reducer.js';
import {buildSnapshot} from './snapshot-views.js';
import type {RunView} from './run-view.js';

export type {StoreOptions} from './run-reducer.js';

export class EngineStore extends RunReducer {
	private snapshot: EngineSnapshot;
	private seq = 0;
	private dirty = true;
	private listeners = new Set<() => void>();
	private timer: NodeJS.Timeout | null = null;

	constructor(options: StoreOptions) {
		super(options);
		this.snapshot = buildSnapshot(this, ++this.seq);
	}

	/** The read-only view reports are built from. */
	get view(): RunView {
		return this;
	}

	override setPhaseTitle(id: PhaseId, title: string): void {
		super.setPhaseTitle(id, title);
		this.dirty = true;
	}

	override apply(event: EngineEvent): void {
		this.dirty = true;
		super.apply(event);
	}

	getSnapshot = (): EngineSnapshot => this.snapshot;

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		this.ensureTimer();
		return () => {
			this.listeners.delete(listener);
		};
	};

	/** Starts the publish timer (also started by the first subscriber). Unref'd: never keeps the process alive. */
	ensureTimer(): void {
		if (this.timer) return;
		this.timer = setInterval(() => this.tick(), this.options.publishIntervalMs);
		this.timer.unref();
	}

	/** Publishes when something changed (or a run's clock is ticking). */
	tick(): void {
		const running =
			this.run !== null &&
			(this.run.state === 'running' || this.run.state === 'starting' || this.run.state === 'stopping');
		if (this.dirty || running) this.publish();
	}

	/** Builds and publishes a snapshot now. */
	publish(): EngineSnapshot {
		this.dirty = false;
		this.snapshot = buildSnapshot(this, ++this.seq);
		for (const listener of [...this.listeners]) {
			try {
				listener();
			} catch {
				// A front end's failure must not stop the engine.
			}
		}
		return this.snapshot;
	}

	close(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
	}
}
