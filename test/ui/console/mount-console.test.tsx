import {execFileSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {mountConsole, shouldUseAscii, type MountedConsole} from '../../../source/ui/index.js';
import {FakeEngine, idleSnapshot} from '../helpers.js';
import {FakeStdin, FakeStdout, tick} from '../helpers.js';

let mounted: MountedConsole | null = null;
afterEach(() => {
	mounted?.unmount();
	mounted = null;
});

function mount(onQuit = vi.fn()) {
	const stdout = new FakeStdout(80, 24);
	const stdin = new FakeStdin();
	mounted = mountConsole(new FakeEngine(idleSnapshot()), {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		onQuit,
		ascii: false,
	});
	return {stdout, stdin, onQuit, console: mounted};
}

describe('mountConsole', () => {
	it('enters the alternate screen before the first frame and restores it once', async () => {
		const exitListeners = process.listenerCount('exit');
		const {stdout, console} = mount();
		expect(stdout.frames[0]).toBe('\u001B[?1049h\u001B[?25l');
		expect(process.listenerCount('exit')).toBeGreaterThan(exitListeners);
		await tick(20);
		console.restoreTerminal();
		console.restoreTerminal();
		const restores = stdout.frames.filter(f => f.includes('\u001B[?1049l'));
		expect(restores).toEqual(['\u001B[?25h\u001B[?1049l']);
		console.unmount();
		mounted = null;
		expect(process.listenerCount('exit')).toBe(exitListeners);
		expect(stdout.frames.filter(f => f.includes('\u001B[?1049l'))).toHaveLength(1);
	});

	it('a terminal that goes away (EIO) stops drawing and asks for one graceful quit', async () => {
		const {stdout, onQuit} = mount();
		await tick(20);
		const eio = Object.assign(new Error('write EIO'), {code: 'EIO'});
		stdout.emit('error', eio);
		stdout.emit('error', eio);
		expect(onQuit.mock.calls).toEqual([[false]]);
	});

	it('q on an idle console quits through onQuit', async () => {
		const {stdin, onQuit} = mount();
		await tick(30);
		stdin.write('q');
		await tick(20);
		expect(onQuit.mock.calls).toEqual([[false]]);
	});
});

describe('shouldUseAscii', () => {
	it('follows --ascii and the locale (LC_ALL over LC_CTYPE over LANG)', () => {
		expect(shouldUseAscii({LANG: 'en_US.UTF-8'})).toBe(false);
		expect(shouldUseAscii({LANG: 'en_US.utf8'})).toBe(false);
		expect(shouldUseAscii({LANG: 'en_US.UTF-8'}, true)).toBe(true);
		expect(shouldUseAscii({})).toBe(true);
		expect(shouldUseAscii({LANG: 'C'})).toBe(true);
		expect(shouldUseAscii({LANG: 'en_US.UTF-8', LC_ALL: 'POSIX'})).toBe(true);
		expect(shouldUseAscii({LANG: 'C', LC_CTYPE: 'C.UTF-8'})).toBe(false);
	});
});

describe('loading the console', () => {
	it('runs React and its reconciler in production mode when NODE_ENV is unset (development React leaks and renders nothing under a production reconciler)', () => {
		const root = fileURLToPath(new URL('../../..', import.meta.url));
		const probe = `
			import {createRequire} from 'node:module';
			await import('./source/ui/index.ts');
			const require = createRequire(process.cwd() + '/probe.js');
			const loaded = Object.entries(require.cache).filter(([file, m]) => m.loaded && /react(-reconciler)?[\\/]cjs[\\/]/.test(file));
			console.log(JSON.stringify(loaded.map(([file]) => file.replace(/^.*node_modules[\\/]/, ''))));
		`;
		const env = {...process.env};
		delete env.NODE_ENV;
		const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
			cwd: root,
			env,
			encoding: 'utf8',
		});
		const files = JSON.parse(out.trim().split('\n').at(-1)!) as string[];
		expect(files.length).toBeGreaterThanOrEqual(3);
		expect(files.filter(f => f.includes('development'))).toEqual([]);
	});
});
