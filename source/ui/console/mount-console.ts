/**
 * Mounts the console on the alternate screen for the composition roots (`drydock`, `drydock run` on
 * a TTY) and hands quitting back to the caller's shutdown coordinator.
 */
// First: NODE_ENV and CI as Ink and React must see them at import (see the module). This file has
// no JSX on purpose: the compiler would put its `react/jsx-runtime` import above this one, loading
// React's development build before NODE_ENV is set — and a development React under a production
// reconciler renders nothing at all.
import {restoreCiEnvironment} from '../ink-env.js';
import {createElement} from 'react';
import type {EngineHandle} from '../../engine/commands.js';
import {mountFullScreen} from '../full-screen.js';
import {shouldUseAscii} from '../glyphs.js';
import {ConsoleApp} from './ConsoleApp.js';
import type {RuntimeStatusSource} from './runtime-status.js';

restoreCiEnvironment();

export interface ConsoleOptions {
	ascii?: boolean;
	stdout?: NodeJS.WriteStream;
	stdin?: NodeJS.ReadStream;
	/** Called when the user quits: force=false after confirmation (or when idle), force=true on a second Ctrl-C. */
	onQuit(force: boolean): void;
	maxFps?: number;
	/** The session's runtime status and retry (the console shows a failed setup and offers `R`). */
	runtime?: RuntimeStatusSource;
	/** The profile's `killSwitch.flatten` (unset: `k` asks). */
	killSwitchFlatten?: boolean;
}

export interface MountedConsole {
	waitUntilExit(): Promise<void>;
	unmount(): void;
	/** Leave the alternate screen and show the cursor; idempotent; safe in exit/signal handlers. */
	restoreTerminal(): void;
}

/** Ink's throttle ceiling for a console watched over SSH for hours. */
export const maxConsoleFps = 10;

export function mountConsole(engine: EngineHandle, options: ConsoleOptions): MountedConsole {
	const stdout = options.stdout ?? process.stdout;
	const stdin = options.stdin ?? process.stdin;
	const ascii = options.ascii ?? shouldUseAscii(process.env);
	const screen = mountFullScreen(
		createElement(ConsoleApp, {
			engine,
			onQuit: options.onQuit,
			ascii,
			...(options.runtime ? {runtime: options.runtime} : {}),
			...(options.killSwitchFlatten !== undefined ? {killSwitchFlatten: options.killSwitchFlatten} : {}),
		}),
		{
			stdout,
			stdin,
			onQuit: options.onQuit,
			maxFps: Math.min(maxConsoleFps, Math.max(1, options.maxFps ?? maxConsoleFps)),
		},
	);
	return {waitUntilExit: screen.waitUntilExit, unmount: screen.unmount, restoreTerminal: screen.restoreTerminal};
}
