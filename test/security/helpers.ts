/**
 * The forms a planted secret could take in output, and a search for them. Kept apart from the code
 * under test (source/util/secret-forms.ts) on purpose: the test must not trust the masker's idea of a form.
 */

/** Every form a secret could take in output. */
export function forms(secret: string): {form: string; text: string}[] {
	const out = [
		{form: 'raw', text: secret},
		{form: 'url-encoded', text: encodeURIComponent(secret)},
		{form: 'fragment', text: secret.slice(20, 44)},
	];
	// base64 at each of the three alignments inside a larger blob: the stable inner part.
	for (const pad of ['', 'x', 'xy']) {
		const b64 = Buffer.from(pad + secret).toString('base64');
		const inner = b64.slice(4, -4);
		out.push({form: `base64/${pad.length}`, text: inner});
		out.push({form: `base64url/${pad.length}`, text: inner.replace(/\+/g, '-').replace(/\//g, '_')});
	}
	out.push({form: 'hex', text: Buffer.from(secret).toString('hex')});
	return out;
}

export interface Needle {
	secret: string;
	form: string;
	text: string;
}

export function needlesFor(planted: Record<string, string>): Needle[] {
	return Object.entries(planted).flatMap(([name, value]) => forms(value).map(f => ({...f, secret: name})));
}

/** Which needles occur in `text` (as `name (form)`). */
export function leaksIn(text: string, needles: readonly Needle[]): string[] {
	return needles.filter(n => text.includes(n.text)).map(n => `${n.secret} (${n.form})`);
}
