/**
 * The chaos kinds the fault proxy adds (connection-reset, timeout): accepted in a chaos file with their
 * defaults, and their parameters checked before the run with a line naming the entry and the field.
 */
import {mkdtemp, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadChaosFile} from '../../../source/faults/chaos/timeline-file.js';
import {normalizeTimeline} from '../../../source/faults/chaos/schema.js';
import {UsageError} from '../../../source/util/usage-error.js';

async function tempFile(name: string, text: string): Promise<string> {
	const dir = await mkdtemp(path.join(tmpdir(), 'drydock-chaos-proxy-'));
	const file = path.join(dir, name);
	await writeFile(file, text);
	return file;
}

describe('chaos kinds of the fault proxy', () => {
	it('connection-reset and timeout load with 30 s of fault and a 10 s recovery budget by default', async () => {
		const file = await tempFile(
			'proxy.yaml',
			'chaos:\n  - {at: 1m, fault: connection-reset, params: {probability: 0.3, scope: rest}}\n  - {from: 2m, to: 2m30s, fault: timeout}\n  - {at: 3m, fault: latency, params: {ms: 250, jitterMs: 50}}\n',
		);
		const entries = normalizeTimeline(await loadChaosFile(file));
		expect(entries.map(e => [e.fault, e.startMs, e.durationMs, e.recoveryBudgetMs])).toEqual([
			['connection-reset', 60_000, 30_000, 10_000],
			['timeout', 120_000, 30_000, 10_000],
			['latency', 180_000, 30_000, 5_000],
		]);
		expect(entries[0]!.label).toBe('connection-reset 1m–90s {"probability":0.3,"scope":"rest"}');
	});

	it('a bad parameter fails before the run, naming the entry and the field', async () => {
		for (const [text, field, reason] of [
			['- {at: 1m, fault: connection-reset, params: {probability: 3}}\n', 'params.probability', /between 0 and 1/],
			['- {at: 1m, fault: timeout, params: {scope: sometimes}}\n', 'params.scope', /one of all, rest, streams/],
		] as const) {
			const file = await tempFile('bad.yaml', text);
			const error = await loadChaosFile(file).then(
				() => null,
				(e: unknown) => e,
			);
			expect(error).toBeInstanceOf(UsageError);
			expect((error as Error).message).toMatch(new RegExp(`bad\\.yaml: entry 0, field "${field.replace('.', '\\.')}"`));
			expect((error as Error).message).toMatch(reason);
		}
	});
});
