/**
 * A JSON.parse failure as one short line: V8 quotes the text around the error, newlines included,
 * which would spread a one-line CLI error over several lines.
 */
export function describeJsonError(error: unknown, text: string): string {
	const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
	const position = /at position (\d+)/.exec(message);
	const where =
		position && !/\(line \d+/.test(message) ? ` (line ${text.slice(0, Number(position[1])).split('\n').length})` : '';
	const short = message.length > 200 ? `${message.slice(0, 200)}…` : message;
	return short + where;
}
