/**
 * One shutdown coordinator owns every exit path: SIGINT / SIGTERM / SIGHUP, the console's quit, and a
 * crash (an uncaught exception: a bug in drydock or in a user's strategy file).
 * First request: stop new operations, abort phases, cancel open orders, write the final report marked
 * interrupted (all done by engine.interrupt), then exit 130 (SIGINT, quit) or 143 (SIGTERM, SIGHUP).
 * A second Ctrl-C forces the exit after writing what it can synchronously.
 * A crash also engages the kill switch at once (no new orders) and is bounded in time: past the
 * deadline the exit is forced with what can be written synchronously. Its exit code is 70.
 * Unhandled promise rejections are not crashes: the session logs them as errors and the run goes on.
 */
import type {Engine, RunOutcome} from './engine.js';
import {withTimeout} from '../util/with-timeout.js';

export type ShutdownReason = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'quit' | 'crash';

/** Exit code after a crash: EX_SOFTWARE, as `drydock: internal error`; distinct from 1 (a phase failed), 2 (usage) and 130/143 (signals). */
export const CRASH_EXIT_CODE = 70;
/** How long the crash path may spend stopping phases, cancelling orders and writing the report. */
export const CRASH_DEADLINE_MS = 20_000;

export interface ShutdownTarget {
	readonly running: boolean;
	interrupt(by: ShutdownReason): Promise<RunOutcome | null>;
	writeEmergencyReport(): string | null;
	/** Crash path: block new orders now and cancel the open ones (the kill switch); resolves when the cancel is done. */
	engageKillSwitch?(): Promise<void>;
	/** Crash path: the (masked) cause, into the run's error log so the report names it. */
	recordCrash?(cause: string): void;
	/** A request came while no run was active: no run may start after it (one starting would outlive the request). */
	refuseRuns?(reason: ShutdownReason): void;
}

export interface ShutdownOptions {
	engine: ShutdownTarget;
	/** Leave the alternate screen etc.; must be idempotent and synchronous. */
	restoreTerminal?: () => void;
	/** Where progress lines go (stderr by default). */
	log?: (line: string) => void;
	/** Masks secrets in what a crash prints or records (an error message can quote a venue's answer). */
	mask?: (text: string) => string;
	/** Replaced in tests; default process.exit. */
	exit?: (code: number) => void;
	signals?: readonly NodeJS.Signals[];
	/** Default CRASH_DEADLINE_MS. */
	crashDeadlineMs?: number;
	/** Print the crash's (masked) stack too; default: DRYDOCK_DEBUG is set. */
	debug?: boolean;
}

export const exitCodeFor = (reason: ShutdownReason): number =>
	reason === 'crash' ? CRASH_EXIT_CODE : reason === 'SIGTERM' || reason === 'SIGHUP' ? 143 : 130;

export interface ShutdownCoordinator {
	/** Resolves with the exit code once the first request has been handled. */
	readonly done: Promise<number>;
	readonly requested: ShutdownReason | null;
	request(reason: ShutdownReason, force?: boolean): void;
	/** The crash path (what the uncaughtException handler calls). */
	crash(error: unknown): void;
	/** Signals and uncaught exceptions. */
	install(): void;
	uninstall(): void;
}

/** One line for the user: the error's name and message, and where it was thrown (file:line, not the stack). */
export function describeCrash(error: unknown): string {
	const text =
		error instanceof Error
			? `${error.name && error.name !== 'Error' ? `${error.name}: ` : ''}${error.message}`
			: `thrown value ${String(error)}`;
	const message = text.replace(/\s+/g, ' ').trim().slice(0, 400) || '(no message)';
	const where = error instanceof Error ? throwSite(error.stack) : null;
	return where ? `${message} (at ${where})` : message;
}

/** The first stack frame outside node's internals, as `file.js:line:col`. */
function throwSite(stack: string | undefined): string | null {
	for (const line of (stack ?? '').split('\n')) {
		const match = /^\s+at (?:.*\()?(.+?):(\d+):(\d+)\)?$/.exec(line);
		if (!match || match[1]!.startsWith('node:')) continue;
		const file = match[1]!.replace(/^file:\/\//, '');
		return `${file.slice(file.lastIndexOf('/') + 1)}:${match[2]}:${match[3]}`;
	}
	return null;
}

export function createShutdownCoordinator(options: ShutdownOptions): ShutdownCoordinator {
	const log = options.log ?? (line => void process.stderr.write(line + '\n'));
	const mask = options.mask ?? (text => text);
	const exit = options.exit ?? (code => process.exit(code));
	const signals = options.signals ?? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const);
	const crashDeadlineMs = options.crashDeadlineMs ?? CRASH_DEADLINE_MS;
	let requested: ShutdownReason | null = null;
	let crashed = false;
	let deadline: NodeJS.Timeout | undefined;
	let resolveDone!: (code: number) => void;
	const done = new Promise<number>(resolve => (resolveDone = resolve));
	const handlers = new Map<NodeJS.Signals, () => void>();
	const safeLog = (line: string) => {
		try {
			log(line);
		} catch {
			// stderr may be gone too (closed pty); the report still gets written.
		}
	};

	const force = (reason: ShutdownReason, why = 'forced exit') => {
		clearTimeout(deadline);
		const file = options.engine.writeEmergencyReport();
		options.restoreTerminal?.();
		safeLog(`drydock: ${why}${file ? `; partial report written to ${file}` : ''}`);
		exit(exitCodeFor(requested ?? reason));
	};
	const armDeadline = () => {
		deadline ??= setTimeout(
			() =>
				force(
					'crash',
					`cleanup after the crash did not finish within ${Math.round(crashDeadlineMs / 1000)} s: forced exit`,
				),
			crashDeadlineMs,
		);
	};

	const onException = (error: unknown) => coordinator.crash(error);

	const coordinator: ShutdownCoordinator = {
		done,
		get requested() {
			return requested;
		},
		request(reason, forced = false) {
			if (requested !== null) {
				// Second Ctrl-C (or a forced quit): don't wait any longer.
				if (reason === 'SIGINT' || forced) force(reason);
				return;
			}
			requested = reason;
			if (forced) {
				force(reason);
				return;
			}
			const code = exitCodeFor(reason);
			if (!options.engine.running) {
				options.engine.refuseRuns?.(reason);
				resolveDone(code);
				return;
			}
			if (reason !== 'quit')
				safeLog(`drydock: ${reason} — stopping: cancelling open orders and writing the report (Ctrl-C again to force)`);
			options.engine.interrupt(reason).then(
				() => resolveDone(code),
				() => resolveDone(code),
			);
		},
		crash(error) {
			// A strategy's timer may throw again and again while we clean up: the first crash decides; the deadline bounds it.
			if (crashed) return;
			crashed = true;
			let cause: string;
			try {
				cause = mask(describeCrash(error));
			} catch {
				cause = 'an uncaught exception';
			}
			const running = options.engine.running;
			// The lines must land on the normal screen, not under the console's frame.
			try {
				options.restoreTerminal?.();
			} catch {
				// A terminal that went away is restored enough.
			}
			if ((options.debug ?? Boolean(process.env.DRYDOCK_DEBUG)) && error instanceof Error && error.stack)
				safeLog(mask(error.stack));
			try {
				options.engine.recordCrash?.(`uncaught exception: ${cause}`);
			} catch {
				// Recording is best effort; stopping the orders is what matters.
			}
			if (requested !== null) {
				// Already shutting down (a signal or quit): keep that reason, but don't wait forever now.
				safeLog(`drydock: crashed while stopping: ${cause}`);
				armDeadline();
				return;
			}
			requested = 'crash';
			if (!running) {
				try {
					options.engine.refuseRuns?.('crash');
				} catch {
					// Best effort: the caller exits on `done` anyway.
				}
				safeLog(`drydock: crashed: ${cause} (no run was active; DRYDOCK_DEBUG=1 for the stack)`);
				resolveDone(CRASH_EXIT_CODE);
				return;
			}
			safeLog(
				`drydock: crashed: ${cause} — kill switch engaged, cancelling open orders, writing the report (DRYDOCK_DEBUG=1 for the stack)`,
			);
			armDeadline();
			// The kill switch first (synchronously: no order leaves after this line), then the phases are stopped.
			const killFailed = (reason: unknown) =>
				safeLog(`drydock: kill switch: ${mask(reason instanceof Error ? reason.message : String(reason))}`);
			let killed: Promise<void>;
			try {
				killed = Promise.resolve(options.engine.engageKillSwitch?.()).catch(killFailed);
			} catch (reason) {
				killed = Promise.resolve(killFailed(reason));
			}
			const interrupted = options.engine.interrupt('crash').catch(() => null);
			void Promise.all([killed, interrupted]).then(() => {
				clearTimeout(deadline);
				resolveDone(CRASH_EXIT_CODE);
				// The caller closes the session and exits; if something the crash broke keeps that from finishing, exit anyway.
				setTimeout(() => exit(CRASH_EXIT_CODE), crashDeadlineMs).unref();
			});
		},
		install() {
			for (const signal of signals) {
				const handler = () => coordinator.request(signal as ShutdownReason);
				handlers.set(signal, handler);
				process.on(signal, handler);
			}
			process.on('uncaughtException', onException);
		},
		uninstall() {
			for (const [signal, handler] of handlers) process.off(signal, handler);
			handlers.clear();
			process.off('uncaughtException', onException);
		},
	};
	return coordinator;
}

/**
 * The engine as the coordinator drives it. The kill switch is engaged (never toggled off) and its
 * cancel bounded; the crash's cause goes into the run's error log as a critical `crash` error.
 */
export function engineShutdownTarget<S, P>(engine: Engine<S, P>, cancelTimeoutMs = 10_000): ShutdownTarget {
	return {
		get running() {
			return engine.running;
		},
		interrupt: by => engine.interrupt(by),
		writeEmergencyReport: () => engine.writeEmergencyReport(),
		refuseRuns: reason => engine.refuseRuns(reason),
		async engageKillSwitch() {
			if (engine.store.killSwitch.engaged) return;
			// Engages synchronously (new orders blocked from here on); the promise is the cancel.
			await withTimeout(engine.execute({type: 'kill-switch'}), cancelTimeoutMs, 'cancelling open orders');
		},
		recordCrash(cause) {
			engine.emit({
				type: 'error',
				at: Date.now(),
				phase: engine.store.run?.currentPhase ?? null,
				error: {kind: 'crash', message: cause, critical: true},
			});
		},
	};
}
