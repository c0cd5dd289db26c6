/**
 * Notification bodies: a generic JSON document, a Slack incoming-webhook message, or a Telegram
 * `sendMessage` call. Built only from the event (never from the webhook URL, which may hold a token).
 */
import type {NotifyEvent} from './events.js';

export type NotifyFormat = 'generic' | 'slack' | 'telegram';
export const notifyFormats: readonly NotifyFormat[] = ['generic', 'slack', 'telegram'];

export function isNotifyFormat(value: string): value is NotifyFormat {
	return (notifyFormats as readonly string[]).includes(value);
}

function pct(rate: number | null): string {
	return rate === null ? '—' : `${(rate * 100).toFixed(2)}%`;
}

function duration(ms: number): string {
	const s = Math.round(ms / 1000);
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** One-line headline plus detail lines, plain text. */
export function describe(event: NotifyEvent): {title: string; lines: string[]} {
	const where = `run ${event.runId} (profile ${event.profile}, ${event.environment})`;
	switch (event.type) {
		case 'phase-failed':
			return {
				title: `drydock: phase ${event.phase} FAILED — ${where}`,
				lines: [
					...(event.reason ? [`reason: ${event.reason}`] : []),
					...event.failedChecks.map(
						c =>
							`✗ ${c.title}: ${c.measured}${c.threshold ? ` (threshold ${c.threshold})` : ''}${c.reason ? ` — ${c.reason}` : ''}`,
					),
				],
			};
		case 'anomaly':
			return {title: `drydock: anomaly — ${event.detail}`, lines: [where]};
		case 'run-end': {
			const verdict = event.state === 'interrupted' ? 'INTERRUPTED' : event.exitCode === 0 ? 'passed' : 'FAILED';
			return {
				title: `drydock: ${where} ${verdict} (exit ${event.exitCode ?? '—'})`,
				lines: [
					`phases: ${event.phases.passed}/${event.phases.total} passed${event.failedPhases.length > 0 ? `; failed: ${event.failedPhases.join(', ')}` : ''}`,
					`operations: ${event.operations}, success ${pct(event.successRate)}${event.grade ? `, grade ${event.grade}` : ''}, took ${duration(event.elapsedMs)}`,
					...(event.reportDir ? [`report: ${event.reportDir}`] : []),
				],
			};
		}
	}
}

/** Slack mrkdwn treats &, < and > as control characters. */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface FormatOptions {
	/** Telegram's chat id (required for the telegram format). */
	telegramChatId?: string;
}

export function formatBody(
	event: NotifyEvent,
	format: NotifyFormat,
	options: FormatOptions = {},
): Record<string, unknown> {
	const {title, lines} = describe(event);
	const text = [title, ...lines].join('\n');
	switch (format) {
		case 'generic':
			return {
				source: 'drydock',
				schema: 'drydock.notification/1',
				event: event.type,
				at: new Date(event.at).toISOString(),
				run_id: event.runId,
				profile: event.profile,
				environment: event.environment,
				text,
				data: event,
			};
		case 'slack':
			return {
				text: slackEscape(title),
				blocks: [
					{
						type: 'section',
						text: {
							type: 'mrkdwn',
							text: `*${slackEscape(title)}*${lines.length > 0 ? '\n' + lines.map(slackEscape).join('\n') : ''}`,
						},
					},
				],
			};
		case 'telegram':
			// Plain text (no parse_mode): nothing in a reason can break Telegram's markup parser.
			return {chat_id: options.telegramChatId, text: text.slice(0, 4000), disable_web_page_preview: true};
	}
}
