/**
 * Mounts the record screen on the alternate screen for `drydock record --console` on a TTY. Like the
 * console's (../console/mount-console.ts) this module has no JSX and imports ink-env first, so NODE_ENV
 * and CI are set as Ink and React must see them before either loads.
 */
import {restoreCiEnvironment} from '../ink-env.js';
import {createElement} from 'react';
import {mountFullScreen} from '../full-screen.js';
import {shouldUseAscii} from '../glyphs.js';
import {RecordApp, type RecordViewSource} from './RecordApp.js';

restoreCiEnvironment();

export interface RecordScreenOptions {
	description: readonly string[];
	stdout?: NodeJS.WriteStream;
	stdin?: NodeJS.ReadStream;
	/** force=false: stop the recording cleanly; force=true: a second Ctrl-C. */
	onQuit(force: boolean): void;
}

export interface MountedRecordScreen {
	/** Unmounts and leaves the alternate screen; idempotent. */
	unmount(): void;
}

export function mountRecordScreen(source: RecordViewSource, options: RecordScreenOptions): MountedRecordScreen {
	const stdout = options.stdout ?? process.stdout;
	const stdin = options.stdin ?? process.stdin;
	const screen = mountFullScreen(
		createElement(RecordApp, {
			source,
			description: options.description,
			onQuit: options.onQuit,
			ascii: shouldUseAscii(process.env),
		}),
		{stdout, stdin, onQuit: options.onQuit, maxFps: 10},
	);
	return {unmount: screen.unmount};
}
