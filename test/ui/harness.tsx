/**
 * Renders the console into fake streams of a chosen size (ink-testing-library's stdout is fixed at
 * 100 columns with no rows). Ink runs in debug mode so every frame is written whole, which also
 * makes the tests independent of `CI` (in CI mode Ink otherwise writes only at unmount).
 */
import {EventEmitter} from 'node:events';
import {render} from 'ink';
import {vi} from 'vitest';
import {ConsoleApp} from '../../source/ui/console/ConsoleApp.js';
import type {EngineHandle} from '../../source/engine/commands.js';
import type {RuntimeStatusSource} from '../../source/ui/console/runtime-status.js';

// eslint-disable-next-line no-control-regex
const ansi = /\u001B\[[0-9;?]*[ -/]*[@-~]|\u001B\][^\u0007]*\u0007/g;

export function stripAnsi(text: string): string {
	return text.replace(ansi, '');
}

export class FakeStdout extends EventEmitter {
	isTTY = true;
	frames: string[] = [];
	constructor(
		public columns: number,
		public rows: number,
	) {
		super();
	}
	write = (chunk: string): boolean => {
		this.frames.push(chunk);
		return true;
	};
	resize(columns: number, rows: number): void {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

export class FakeStdin extends EventEmitter {
	isTTY = true;
	private data: string | null = null;
	write(data: string): void {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	}
	read = (): string | null => {
		const {data} = this;
		this.data = null;
		return data;
	};
	setEncoding(): void {}
	setRawMode(): void {}
	resume(): void {}
	pause(): void {}
	ref(): void {}
	unref(): void {}
}

export const keys = {
	enter: '\r',
	escape: '\u001B',
	tab: '\t',
	shiftTab: '\u001B[Z',
	up: '\u001B[A',
	down: '\u001B[B',
	ctrlC: '\u0003',
	backspace: '\u007F',
	space: ' ',
} as const;

export const tick = async (ms = 5) => new Promise(resolve => setTimeout(resolve, ms));

export interface RenderedConsole {
	stdout: FakeStdout;
	stdin: FakeStdin;
	onQuit: ReturnType<typeof vi.fn<(force: boolean) => void>>;
	/** The last frame, ANSI stripped, as lines (trailing empty line dropped). */
	lines(): string[];
	frame(): string;
	press(...sequence: string[]): Promise<void>;
	unmount(): void;
}

export async function renderConsole(engine: EngineHandle, options: {columns?: number; rows?: number; ascii?: boolean; now?: number; runtime?: RuntimeStatusSource; killSwitchFlatten?: boolean} = {}): Promise<RenderedConsole> {
	const stdout = new FakeStdout(options.columns ?? 80, options.rows ?? 24);
	const stdin = new FakeStdin();
	const onQuit = vi.fn<(force: boolean) => void>();
	const now = options.now;
	const clock = now === undefined ? Date.now : () => now;
	const instance = render(<ConsoleApp engine={engine} onQuit={onQuit} ascii={options.ascii ?? false} clock={clock} refreshMs={0} {...(options.runtime ? {runtime: options.runtime} : {})} {...(options.killSwitchFlatten !== undefined ? {killSwitchFlatten: options.killSwitchFlatten} : {})} />, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		stderr: stdout as unknown as NodeJS.WriteStream,
		debug: true,
		exitOnCtrlC: false,
		patchConsole: false,
	});
	// useInput subscribes in an effect: input written before that is lost.
	await tick(20);
	const frame = () => stripAnsi(stdout.frames.at(-1) ?? '');
	return {
		stdout,
		stdin,
		onQuit,
		frame,
		lines: () => {
			const lines = frame().split('\n');
			if (lines.at(-1) === '') lines.pop();
			return lines;
		},
		async press(...sequence) {
			for (const key of sequence) {
				stdin.write(key);
				await tick();
			}
			await tick(10);
		},
		unmount: () => instance.unmount(),
	};
}
