/**
 * The shapes a secret takes when it leaks: as is, URL-encoded (query strings), and base64/base64url at
 * each of the three alignments (a venue or proxy echoing an Authorization header or a body). The base64
 * forms drop the edge characters that depend on the neighbours, so they match inside longer encodings.
 */
export function secretForms(secret: string): string[] {
	const forms = new Set([secret, encodeURIComponent(secret)]);
	if (secret.length >= 16) {
		for (const pad of ['', 'x', 'xy']) {
			const inner = Buffer.from(pad + secret)
				.toString('base64')
				.slice(4, -4);
			forms.add(inner);
			forms.add(inner.replace(/\+/g, '-').replace(/\//g, '_'));
		}
	}
	// Longest first, so a form containing another is removed whole.
	return [...forms].sort((a, b) => b.length - a.length);
}
