/** The HTML report: render a report.json to one self-contained page, or write it next to the JSON. */
import {writeFileAtomic} from '../json.js';
import {renderHtmlReport, type HtmlReportInput} from './render.js';

export {renderHtmlReport, type HtmlReportInput, type ReportTimeline} from './render.js';

/** Renders and writes atomically (temp + rename); returns the path. */
export async function writeHtmlReport(path: string, report: HtmlReportInput): Promise<string> {
	await writeFileAtomic(path, renderHtmlReport(report));
	return path;
}
