/** The HTML report: render a report.json to one self-contained page, or write it next to the JSON. */
import {writeFileAtomic} from '../json.js';
import {timelineFromJournal} from './journal-timeline.js';
import {renderHtmlReport, type HtmlReportInput} from './render.js';

export {renderHtmlReport, type HtmlReportInput, type ReportTimeline} from './render.js';
export {timelineFromJournal, type JournalTimelineOptions} from './journal-timeline.js';

export interface WriteHtmlOptions {
	/**
	 * The run's events.ndjson: when the report has no `timeline`, operations, latency percentiles and
	 * errors over time are rebuilt from it (a missing file just leaves those panels "no data").
	 */
	journal?: string;
}

/** Renders and writes atomically (temp + rename); returns the path. */
export async function writeHtmlReport(path: string, report: HtmlReportInput, options: WriteHtmlOptions = {}): Promise<string> {
	let input = report;
	if (!report.timeline && options.journal) {
		const timeline = await timelineFromJournal(options.journal, report);
		if (timeline) input = {...report, timeline};
	}
	await writeFileAtomic(path, renderHtmlReport(input));
	return path;
}
