/** `drydock report REPORT.json [--junit OUT] [--html OUT]`: prints the summary again, writes JUnit. */
import {readFile} from 'node:fs/promises';
import {parseCommandArgs} from '../util/args.js';
import {UsageError} from '../util/usage-error.js';
import {REPORT_SCHEMA, type Report} from '../report/model.js';
import {formatSummary} from '../report/summary.js';
import {toJUnit} from '../report/junit.js';
import {writeFileAtomic} from '../report/json.js';
import {processMasker} from '../profiles/mask.js';

export async function readReport(file: string): Promise<Report> {
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		throw new UsageError(`report ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
	}
	let report: unknown;
	try {
		report = JSON.parse(text);
	} catch (error) {
		throw new UsageError(`report ${file}: not valid JSON: ${(error as Error).message}`);
	}
	const schema = (report as {schema?: unknown} | null)?.schema;
	if (schema !== REPORT_SCHEMA) throw new UsageError(`report ${file}: schema is ${JSON.stringify(schema)}, expected "${REPORT_SCHEMA}"`);
	if (!Array.isArray((report as {phases?: unknown}).phases)) throw new UsageError(`report ${file}: phases: expected an array`);
	return report as Report;
}

export default async function report(argv: string[]): Promise<number> {
	const {values, positionals} = parseCommandArgs('report', argv, {junit: {type: 'string'}, html: {type: 'string'}, help: {type: 'boolean', short: 'h'}});
	if (values.help) {
		process.stdout.write('Usage: drydock report REPORT.json [--junit OUT] [--html OUT]\n');
		return 0;
	}
	const [file, ...extra] = positionals;
	if (!file) throw new UsageError('report: which report? (e.g. drydock report reports/<run-id>/report.json)');
	if (extra.length > 0) throw new UsageError(`report: unexpected argument "${extra[0]}"`);
	if (values.html !== undefined) throw new UsageError('report --html: the HTML report is not built yet');
	const data = await readReport(file);
	process.stdout.write(processMasker.mask(formatSummary(data, file)));
	if (values.junit !== undefined) {
		await writeFileAtomic(values.junit, toJUnit(data, text => processMasker.mask(text)));
		process.stdout.write(`junit written to ${values.junit}\n`);
	}
	return data.exit_code ?? (data.success ? 0 : 1);
}
