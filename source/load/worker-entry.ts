/**
 * One worker thread of `drydock load --workers N`: runs its share of the users as an ordinary
 * session (no HTML, no CSV) and posts its load report back; the main thread merges the reports.
 */
import {parentPort, workerData} from 'node:worker_threads';
import {readFile} from 'node:fs/promises';
import {startLoadSession, type LoadSessionConfig} from './session.js';

const config = workerData as LoadSessionConfig;
const session = await startLoadSession({...config, writeHtml: false});
parentPort?.on('message', (message: unknown) => {
	if (message === 'stop') session.runner.stop(true);
});
// Live figures for the main thread's progress line.
const progress = setInterval(() => {
	const {total, users} = session.runner.getSnapshot();
	parentPort?.postMessage({
		type: 'progress',
		rps: total.currentRps,
		requests: total.requests,
		failures: total.failures,
		users: users.current,
	});
}, 1000);
const outcome = await session.done;
clearInterval(progress);
parentPort?.postMessage({type: 'report', report: JSON.parse(await readFile(outcome.reportPath, 'utf8')) as unknown});
