// The soak benches' child processes: a node child with the last of its output kept, and the mock in a
// process of its own (bench/soak-mock.js), so drydock's CPU and RSS are measured without the venue's.
import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** `node ARGS` from the repo root; `output()` is the last 200 kB of stdout+stderr. */
export function startNode(args, options = {}) {
	const child = spawn(process.execPath, args, {cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...options});
	let output = '';
	const keep = chunk => {
		output = (output + chunk).slice(-200_000);
	};
	child.stdout.on('data', keep);
	child.stderr.on('data', keep);
	return {child, output: () => output, exit: new Promise(resolve => child.on('exit', code => resolve(code)))};
}

/** Starts bench/soak-mock.js and waits for the JSON line with its URLs. */
export async function startSoakMock() {
	const mock = startNode(['bench/soak-mock.js']);
	const urls = await new Promise((resolve, reject) => {
		const timer = setInterval(() => {
			const line = mock
				.output()
				.split('\n')
				.find(l => l.startsWith('{'));
			if (line) {
				clearInterval(timer);
				resolve(JSON.parse(line));
			}
		}, 50);
		mock.exit.then(code => {
			clearInterval(timer);
			reject(new Error(`mock exited ${code}: ${mock.output()}`));
		});
	});
	return {mock, urls};
}
