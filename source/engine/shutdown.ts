/**
 * One shutdown coordinator owns every exit path: SIGINT / SIGTERM / SIGHUP and the console's quit.
 * First request: stop new operations, abort phases, cancel open orders, write the final report marked
 * interrupted (all done by engine.interrupt), then exit 130 (SIGINT, quit) or 143 (SIGTERM, SIGHUP).
 * A second Ctrl-C forces the exit after writing what it can synchronously.
 */
import type {RunOutcome} from './engine.js';

export type ShutdownReason = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'quit';

export interface ShutdownTarget {
	readonly running: boolean;
	interrupt(by: ShutdownReason): Promise<RunOutcome | null>;
	writeEmergencyReport(): string | null;
}

export interface ShutdownOptions {
	engine: ShutdownTarget;
	/** Leave the alternate screen etc.; must be idempotent and synchronous. */
	restoreTerminal?: () => void;
	/** Where progress lines go (stderr by default). */
	log?: (line: string) => void;
	/** Replaced in tests; default process.exit. */
	exit?: (code: number) => void;
	signals?: readonly NodeJS.Signals[];
}

export const exitCodeFor = (reason: ShutdownReason): number => (reason === 'SIGTERM' || reason === 'SIGHUP' ? 143 : 130);

export interface ShutdownCoordinator {
	/** Resolves with the exit code once the first request has been handled. */
	readonly done: Promise<number>;
	readonly requested: ShutdownReason | null;
	request(reason: ShutdownReason, force?: boolean): void;
	install(): void;
	uninstall(): void;
}

export function createShutdownCoordinator(options: ShutdownOptions): ShutdownCoordinator {
	const log = options.log ?? (line => process.stderr.write(line + '\n'));
	const exit = options.exit ?? (code => process.exit(code));
	const signals = options.signals ?? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const);
	let requested: ShutdownReason | null = null;
	let resolveDone!: (code: number) => void;
	const done = new Promise<number>(resolve => (resolveDone = resolve));
	const handlers = new Map<NodeJS.Signals, () => void>();

	const force = (reason: ShutdownReason) => {
		const file = options.engine.writeEmergencyReport();
		options.restoreTerminal?.();
		log(`drydock: forced exit${file ? `; partial report written to ${file}` : ''}`);
		exit(exitCodeFor(requested ?? reason));
	};

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
				resolveDone(code);
				return;
			}
			if (reason !== 'quit') log(`drydock: ${reason} — stopping: cancelling open orders and writing the report (Ctrl-C again to force)`);
			options.engine.interrupt(reason).then(
				() => resolveDone(code),
				() => resolveDone(code),
			);
		},
		install() {
			for (const signal of signals) {
				const handler = () => coordinator.request(signal as ShutdownReason);
				handlers.set(signal, handler);
				process.on(signal, handler);
			}
		},
		uninstall() {
			for (const [signal, handler] of handlers) process.off(signal, handler);
			handlers.clear();
		},
	};
	return coordinator;
}
