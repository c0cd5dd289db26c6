/** The Kubernetes example stays valid: an Indexed Job of headless `drydock load` pods and a merge step. */
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {parseAllDocuments} from 'yaml';
import {loadScenario} from '../../../source/load/scenario-file.js';

const manifest = fileURLToPath(new URL('../../../docs/kubernetes/load-indexed-job.yaml', import.meta.url));

interface Container {
	command?: string[];
	args?: string[];
	env?: {name: string; value: string}[];
}
interface Doc {
	kind: string;
	metadata: {name: string};
	spec: {
		completionMode?: string;
		completions?: number;
		parallelism?: number;
		template: {spec: {containers: Container[]; initContainers?: Container[]}};
	};
	data?: Record<string, string>;
}

describe('docs/kubernetes/load-indexed-job.yaml', () => {
	it('runs N headless load pods as an Indexed Job, each writing its own report, then merges them', async () => {
		const docs = parseAllDocuments(await readFile(manifest, 'utf8')).map(d => {
			expect(d.errors).toEqual([]);
			return d.toJS() as Doc;
		});
		const job = docs.find(d => d.kind === 'Job' && d.metadata.name === 'drydock-load')!;
		const merge = docs.find(d => d.kind === 'Job' && d.metadata.name === 'drydock-load-merge')!;
		expect(job.spec.completionMode).toBe('Indexed');
		const script = job.spec.template.spec.containers[0]!.args!.join(' ');
		expect(script).toMatch(/^exec drydock load \/scenario\/scenario\.yaml /);
		expect(script).toContain('--headless');
		expect(script).toContain('--report-dir "/reports/pod-$JOB_COMPLETION_INDEX"');
		const expected = merge.spec.template.spec.initContainers![0]!.env!.find(e => e.name === 'EXPECTED_REPORTS')!.value;
		expect(Number(expected)).toBe(job.spec.completions);
		expect(merge.spec.template.spec.containers[0]!.args!.join(' ')).toContain(
			'drydock report merge /reports/pod-*/*/load-report.json -o /reports/merged/load-report.json',
		);

		// The scenario in the ConfigMap is one drydock load accepts.
		const config = docs.find(d => d.kind === 'ConfigMap')!;
		const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-k8s-'));
		const file = path.join(dir, 'scenario.yaml');
		await writeFile(file, config.data!['scenario.yaml']!);
		const loaded = await loadScenario(file);
		expect(loaded.scenario.tasks.map(t => t.name)).toEqual(['GET list items', 'POST create item']);
	});
});
