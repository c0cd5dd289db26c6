/**
 * Secret masking: every string that leaves the process (report, junit, ndjson, console) goes through a
 * Masker. Secrets are registered as they are resolved; a long-lived process-wide masker lets code far
 * from the profile (the error log, the journal) mask without being handed the secrets.
 */

import {secretForms} from '../util/secret-forms.js';

export interface Masker {
	/** Registers a secret; values shorter than 6 characters are ignored (they would mask ordinary text). */
	add(secret: string | undefined | null): void;
	mask(text: string): string;
	/** Deep-masks every string in a JSON-like value (keys and values). */
	maskValue<T>(value: T): T;
	readonly size: number;
}

const MIN_SECRET_LENGTH = 6;

/** `abcdef123456` → `ab…56`: enough to recognise which key, not enough to use it. */
export function redact(secret: string): string {
	if (secret.length < 12) return '****';
	return `${secret.slice(0, 2)}****${secret.slice(-2)}`;
}

export function createMasker(initial: readonly (string | undefined | null)[] = []): Masker {
	const secrets = new Set<string>();
	let pattern: RegExp | null = null;
	const rebuild = () => {
		// Longest first so a secret containing another is masked whole.
		const sorted = [...secrets].sort((a, b) => b.length - a.length);
		pattern = sorted.length === 0 ? null : new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
	};
	const masker: Masker = {
		add(secret) {
			if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH || secrets.has(secret)) return;
			// URL-encoded and base64 forms too: secrets leak through query strings and echoed headers.
			for (const form of secretForms(secret)) secrets.add(form);
			rebuild();
		},
		mask(text) {
			if (pattern === null || typeof text !== 'string') return text;
			return text.replace(pattern, match => redact(match));
		},
		maskValue<T>(value: T): T {
			if (pattern === null) return value;
			return deepMask(value, masker.mask) as T;
		},
		get size() {
			return secrets.size;
		},
	};
	for (const secret of initial) masker.add(secret);
	return masker;
}

function deepMask(value: unknown, mask: (text: string) => string): unknown {
	if (typeof value === 'string') return mask(value);
	if (Array.isArray(value)) return value.map(item => deepMask(item, mask));
	if (value !== null && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [key, item] of Object.entries(value)) out[mask(key)] = deepMask(item, mask);
		return out;
	}
	return value;
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The process-wide masker: secrets resolved anywhere are registered here. */
export const processMasker: Masker = createMasker();
