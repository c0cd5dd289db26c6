/** Alternate screen and cursor handling, restored exactly once on every exit path. */

export const enterAlternateScreen = '\u001B[?1049h';
export const leaveAlternateScreen = '\u001B[?1049l';
export const hideCursor = '\u001B[?25l';
export const showCursor = '\u001B[?25h';

export interface TerminalGuard {
	enter(): void;
	/** Idempotent; safe from exit and signal handlers (synchronous write, errors swallowed). */
	restore(): void;
	readonly active: boolean;
}

export function createTerminalGuard(stream: Pick<NodeJS.WriteStream, 'write'>): TerminalGuard {
	let active = false;
	return {
		enter() {
			if (active) return;
			active = true;
			try {
				stream.write(enterAlternateScreen + hideCursor);
			} catch {
				// A closed terminal has nothing to restore later either.
			}
		},
		restore() {
			if (!active) return;
			active = false;
			try {
				stream.write(showCursor + leaveAlternateScreen);
			} catch {
				// Best effort: stdout may be gone already during shutdown.
			}
		},
		get active() {
			return active;
		},
	};
}
