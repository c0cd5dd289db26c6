/**
 * Ink reads `CI` once, when it is first imported (is-in-ci), and in CI mode draws nothing until
 * unmount — a blank console on a real terminal that merely has CI=true in its environment (a tmux
 * pane in a CI job, some dev containers). The console is only mounted on a TTY, where live frames are
 * the point, so index.tsx imports this module before Ink: it hides the variables while Ink loads
 * and `restoreCiEnvironment()` puts them back right after.
 */
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
