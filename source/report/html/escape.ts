/** HTML escaping for text and attribute values: every string from a report is untrusted. */
const entities: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};

export function escapeHtml(value: unknown): string {
	return String(value).replace(/[&<>"']/g, ch => entities[ch]!);
}
