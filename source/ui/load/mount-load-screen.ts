/**
 * Mounts the Load screen on the alternate screen for `drydock load` on a TTY. Like the console's
 * (../console/mount-console.ts) this module has no JSX and imports ink-env first, so NODE_ENV and CI are set
 * as Ink and React must see them before either loads.
 */
import {restoreCiEnvironment} from '../ink-env.js';
import {createElement} from 'react';
import type {LoadStore} from '../../load/snapshot.js';
import {mountFullScreen} from '../full-screen.js';
import {LoadApp} from './LoadApp.js';

restoreCiEnvironment();

export interface LoadScreenOptions {
	ascii: boolean;
	/** One-line description of the load model for the header. */
	description?: string;
	stdout?: NodeJS.WriteStream;
	stdin?: NodeJS.ReadStream;
	/** force=false: stop the run gracefully (confirmed, or it was not running); force=true: a second Ctrl-C. */
	onQuit(force: boolean): void;
	/** Ink's frame ceiling; the console's 10 at most. */
	maxFps?: number;
	/** Least time between snapshot-driven frames. */
	refreshMs?: number;
}

export interface MountedLoadScreen {
	/** Unmounts and leaves the alternate screen; idempotent. */
	unmount(): void;
	/** Leave the alternate screen and show the cursor; idempotent; safe in exit/signal handlers. */
	restoreTerminal(): void;
}

export function mountLoadScreen(store: LoadStore, options: LoadScreenOptions): MountedLoadScreen {
	const stdout = options.stdout ?? process.stdout;
	const stdin = options.stdin ?? process.stdin;
	const screen = mountFullScreen(
		createElement(LoadApp, {
			store,
			onQuit: options.onQuit,
			ascii: options.ascii,
			...(options.description !== undefined ? {description: options.description} : {}),
			...(options.refreshMs !== undefined ? {refreshMs: options.refreshMs} : {}),
		}),
		{stdout, stdin, onQuit: options.onQuit, maxFps: Math.min(10, Math.max(1, options.maxFps ?? 10))},
	);
	return {unmount: screen.unmount, restoreTerminal: screen.restoreTerminal};
}
