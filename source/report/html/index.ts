/** The HTML reports: render a report.json (or a load-report.json) to one self-contained page. */
import {LOAD_REPORT_SCHEMA} from '../../load/report.js';
import {writeFileAtomic} from '../json.js';
import {timelineFromJournal} from './journal-timeline.js';
import {renderLoadHtmlReport, type LoadHtmlInput} from './load-render.js';
import {renderHtmlReport, type HtmlReportInput} from './render.js';

export {renderHtmlReport, type HtmlReportInput, type ReportTimeline} from './render.js';
export {renderLoadHtmlReport, type LoadHtmlInput} from './load-render.js';
export {timelineFromJournal, type JournalTimelineOptions} from './journal-timeline.js';

export interface WriteHtmlOptions {
	/**
	 * The run's events.ndjson: when the report has no `timeline`, operations, latency percentiles and
	 * errors over time are rebuilt from it (a missing file just leaves those panels "no data").
	 */
	journal?: string;
}

function isLoadReport(report: HtmlReportInput | LoadHtmlInput): report is LoadHtmlInput {
	return (report as {schema: string}).schema === LOAD_REPORT_SCHEMA;
}

/** Renders a run report (`drydock.report/1`) or a load report (`drydock.load-report/1`) and writes it atomically; returns the path. */
export async function writeHtmlReport(
	path: string,
	report: HtmlReportInput | LoadHtmlInput,
	options: WriteHtmlOptions = {},
): Promise<string> {
	if (isLoadReport(report)) {
		await writeFileAtomic(path, renderLoadHtmlReport(report));
		return path;
	}
	let input = report;
	if (!report.timeline && options.journal) {
		const timeline = await timelineFromJournal(options.journal, report);
		if (timeline) input = {...report, timeline};
	}
	await writeFileAtomic(path, renderHtmlReport(input));
	return path;
}
