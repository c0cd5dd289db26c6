/**
 * Mounts an Ink element on the alternate screen, for the console and the Load screen alike: enters
 * the alternate screen and hides the cursor, restores both on unmount and on process exit, and turns a
 * terminal that went away (closed pty, dropped SSH without tmux: writes fail with EIO/EPIPE) into one
 * graceful quit instead of an unhandled 'error' that would crash the run. Callers import ./ink-env.js
 * before this module so Ink and React load with NODE_ENV set.
 */
import type {ReactElement} from 'react';
import {render} from 'ink';
import {createTerminalGuard} from './terminal.js';

export interface FullScreenOptions {
	stdout: NodeJS.WriteStream;
	stdin: NodeJS.ReadStream;
	onQuit(force: boolean): void;
	maxFps: number;
}

export interface FullScreen {
	waitUntilExit(): Promise<void>;
	/** Unmounts and leaves the alternate screen; idempotent. */
	unmount(): void;
	/** Leave the alternate screen and show the cursor; idempotent; safe in exit/signal handlers. */
	restoreTerminal(): void;
}

export function mountFullScreen(element: ReactElement, options: FullScreenOptions): FullScreen {
	const {stdout, stdin} = options;
	const guard = createTerminalGuard(stdout);
	const restoreTerminal = () => guard.restore();
	guard.enter();
	process.on('exit', restoreTerminal);
	let terminalLost = false;
	let unmounted = false;
	let instance: ReturnType<typeof render> | undefined;
	// Stays attached after unmount: the restore sequence itself may fail asynchronously on a dead pty.
	const onStdoutError = () => {
		if (terminalLost || unmounted) return;
		terminalLost = true;
		try {
			instance?.unmount();
		} catch {
			// Unmounting writes too; the stream is already gone.
		}
		options.onQuit(false);
	};
	stdout.on('error', onStdoutError);
	try {
		instance = render(element, {stdout, stdin, exitOnCtrlC: false, patchConsole: false, maxFps: options.maxFps});
	} catch (error) {
		restoreTerminal();
		process.off('exit', restoreTerminal);
		stdout.off('error', onStdoutError);
		throw error;
	}
	const mounted = instance;
	return {
		async waitUntilExit() {
			await mounted.waitUntilExit();
		},
		unmount() {
			if (unmounted) return;
			unmounted = true;
			try {
				if (!terminalLost) mounted.unmount();
			} finally {
				restoreTerminal();
				process.off('exit', restoreTerminal);
			}
		},
		restoreTerminal,
	};
}
