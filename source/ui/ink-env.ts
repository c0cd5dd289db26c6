/**
 * Environment that Ink and React read once, at import. index.tsx imports this module before Ink.
 *
 * - NODE_ENV: unset means React's development build, which over a long run is ruinous — React 19
 *   records performance marks for every render (measured: +400 MB heap per 1000 renders) and renders
 *   several times slower. The console defaults it to `production` (an explicit value is kept).
 * - CI: with CI set, Ink draws nothing until unmount — a blank console on a real terminal that merely
 *   has CI=true in its environment (a tmux pane in a CI job, some dev containers). The console is only
 *   mounted on a TTY, so the variables are hidden while Ink loads and `restoreCiEnvironment()` puts
 *   them back right after.
 */
process.env.NODE_ENV ??= 'production';

const names = ['CI', 'CONTINUOUS_INTEGRATION'] as const;
const saved = new Map<string, string>();

if (process.stdout.isTTY) {
	for (const name of names) {
		const value = process.env[name];
		if (value !== undefined) {
			saved.set(name, value);
			delete process.env[name];
		}
	}
}

export function restoreCiEnvironment(): void {
	for (const [name, value] of saved) process.env[name] = value;
	saved.clear();
}
