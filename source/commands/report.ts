/**
 * `drydock report REPORT.json [--junit OUT] [--html OUT]`: prints the summary again, writes JUnit
 * and/or the HTML page. `drydock report merge A.json B.json … -o OUT.json` combines runs from several
 * machines (histograms merged exactly).
 */
import {readFile, stat} from 'node:fs/promises';
import path from 'node:path';
import {parseCommandArgs} from '../util/args.js';
import {UsageError} from '../util/usage-error.js';
import {REPORT_SCHEMA, type Report} from '../report/model.js';
import {formatSummary} from '../report/summary.js';
import {toJUnit} from '../report/junit.js';
import {writeFileAtomic} from '../report/json.js';
import {processMasker} from '../profiles/mask.js';
import {describeJsonError} from '../util/json-error.js';
import {helpOption, showHelp} from './flags.js';

const LOAD_REPORT_SCHEMA = 'drydock.load-report/1';

async function readJson(file: string): Promise<unknown> {
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		throw new UsageError(
			`report ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
		);
	}
	try {
		return JSON.parse(text);
	} catch (error) {
		throw new UsageError(`report ${file}: not valid JSON: ${describeJsonError(error, text)}`);
	}
}

/** `drydock report DIR`: a run's folder stands for its report.json. */
export async function resolveReportFile(file: string): Promise<string> {
	const found = await stat(file).catch(() => null);
	if (!found?.isDirectory()) return file;
	const inside = path.join(file, 'report.json');
	if (
		await stat(inside).then(
			s => s.isFile(),
			() => false,
		)
	)
		return inside;
	throw new UsageError(
		`report ${file}: a folder with no report.json in it (give REPORT.json or a run's folder, e.g. reports/<run-id>)`,
	);
}

export async function readReport(file: string): Promise<Report> {
	const report = await readJson(file);
	const schema = (report as {schema?: unknown} | null)?.schema;
	if (schema !== REPORT_SCHEMA)
		throw new UsageError(`report ${file}: schema is ${JSON.stringify(schema)}, expected "${REPORT_SCHEMA}"`);
	if (!Array.isArray((report as {phases?: unknown}).phases))
		throw new UsageError(`report ${file}: phases: expected an array`);
	return report as Report;
}

/** `--recover DIR`: the final report of a killed run, rebuilt from its checkpoint and journal. */
async function recover(dir: string, junit: string | undefined): Promise<number> {
	const {recoverRun} = await import('../report/recover.js');
	const {drydockVersion} = await import('../runtime/session.js');
	const recovered = await recoverRun(dir, {version: drydockVersion(), mask: text => processMasker.mask(text)});
	const file = path.join(dir, 'report.json');
	await writeFileAtomic(file, JSON.stringify(recovered.report, null, '\t') + '\n');
	await writeFileAtomic(
		junit ?? path.join(dir, 'junit.xml'),
		toJUnit(recovered.report, text => processMasker.mask(text)),
	);
	process.stdout.write(processMasker.mask(formatSummary(recovered.report, file)));
	process.stdout.write(
		`recovered from ${recovered.replayed} journal events${recovered.skipped ? ` (${recovered.skipped} unreadable lines skipped)` : ''}${recovered.fromCheckpoint ? ' and the last checkpoint' : ' (no checkpoint found)'}\n`,
	);
	return recovered.report.exit_code ?? 1;
}

async function merge(argv: string[]): Promise<number> {
	const {values, positionals} = parseCommandArgs('report merge', argv, {out: {type: 'string', short: 'o'}});
	if (!values.out) throw new UsageError('report merge: where to? (-o OUT.json)');
	const {mergeReportFiles, isMergedRunReport} = await import('../report/merge/index.js');
	const merged = await mergeReportFiles(positionals, values.out);
	if (isMergedRunReport(merged)) process.stdout.write(processMasker.mask(formatSummary(merged, values.out)));
	process.stdout.write(`merged ${positionals.length} reports into ${values.out}\n`);
	return 0;
}

export default async function report(argv: string[]): Promise<number> {
	if (argv[0] === 'merge') return merge(argv.slice(1));
	const {values, positionals} = parseCommandArgs('report', argv, {
		junit: {type: 'string'},
		html: {type: 'string'},
		recover: {type: 'string'},
		...helpOption,
	});
	if (values.recover !== undefined) return recover(values.recover, values.junit);
	if (
		showHelp(
			values,
			'Usage: drydock report REPORT.json|RUN_DIR [--junit OUT] [--html OUT]\n       drydock report merge A.json B.json … -o OUT.json\n       drydock report --recover RUN_DIR   (after a crash: final report from the checkpoint + journal)\n',
		)
	)
		return 0;
	const [given, ...extra] = positionals;
	if (!given) throw new UsageError('report: which report? (e.g. drydock report reports/<run-id>/report.json)');
	if (extra.length > 0) throw new UsageError(`report: unexpected argument "${extra[0]}"`);
	const file = await resolveReportFile(given);
	const raw = await readJson(file);
	if ((raw as {schema?: unknown} | null)?.schema === LOAD_REPORT_SCHEMA) {
		// A load test's report: only the HTML page applies.
		if (values.html === undefined) throw new UsageError(`report ${file}: a load report — use --html OUT to render it`);
		const {writeHtmlReport} = await import('../report/html/index.js');
		await writeHtmlReport(values.html, raw as Parameters<typeof writeHtmlReport>[1]);
		process.stdout.write(`html written to ${values.html}\n`);
		return 0;
	}
	const data = await readReport(file);
	process.stdout.write(processMasker.mask(formatSummary(data, file)));
	if (values.junit !== undefined) {
		await writeFileAtomic(
			values.junit,
			toJUnit(data, text => processMasker.mask(text)),
		);
		process.stdout.write(`junit written to ${values.junit}\n`);
	}
	if (values.html !== undefined) {
		const {writeHtmlReport} = await import('../report/html/index.js');
		try {
			await writeHtmlReport(values.html, data, {journal: path.join(path.dirname(file), 'events.ndjson')});
		} catch (error) {
			// A hand-edited or truncated report: say which file could not be rendered, in one line.
			throw new UsageError(
				`report ${file}: cannot render HTML: ${error instanceof Error ? error.message : String(error)}`,
			);
		}
		process.stdout.write(`html written to ${values.html}\n`);
	}
	return data.exit_code ?? (data.success ? 0 : 1);
}
