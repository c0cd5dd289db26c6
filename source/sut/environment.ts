/**
 * The SUT's environment: where the venue is and which key is its own, under fixed DRYDOCK_* names and
 * under whatever names the bot already reads (the profile's `sut.env` templates), so any bot can be
 * pointed at drydock without a code change.
 */
import {UsageError} from '../util/usage-error.js';

/** What drydock hands the SUT: its listener's URLs, its own key, the symbols and the StatsD intake. */
export interface SutVenue {
	/** `http://127.0.0.1:P` */
	rest: string;
	/** Market-stream base as `drydock mock` prints it (the client appends /ws/<stream> or /stream?streams=). */
	ws: string;
	/** `ws://127.0.0.1:P/ws-api/v3` */
	wsApi: string;
	apiKey: string;
	apiSecret: string;
	/** Exchange-native, e.g. BTCUSDT. */
	symbols: readonly string[];
	/** `host:port` of the UDP StatsD intake. */
	statsd: string;
}

export const placeholderNames = ['rest', 'ws', 'wsApi', 'apiKey', 'apiSecret', 'symbols', 'statsd'] as const;
export type PlaceholderName = (typeof placeholderNames)[number];

export interface BuildEnvOptions {
	/** Inherited environment (default process.env): PATH, HOME, locale… */
	base?: NodeJS.ProcessEnv;
	/** Inherited names to leave out, e.g. the variables holding drydock's own key and secret. */
	omit?: readonly string[];
	/** For messages (default `sut.env`). */
	where?: string;
}

/** The child's full environment: inherited, then DRYDOCK_*, then the expanded templates (which win). */
export function buildSutEnv(
	venue: SutVenue,
	templates: Readonly<Record<string, string>> = {},
	options: BuildEnvOptions = {},
): Record<string, string> {
	const where = options.where ?? 'sut.env';
	const omit = new Set(options.omit ?? []);
	const env: Record<string, string> = {};
	for (const [name, value] of Object.entries(options.base ?? process.env)) {
		if (value !== undefined && !omit.has(name)) env[name] = value;
	}
	Object.assign(env, drydockVariables(venue));
	const values = placeholderValues(venue);
	for (const [name, template] of Object.entries(templates))
		env[name] = expandTemplate(template, values, `${where}.${name}`);
	return env;
}

/** The fixed variables every SUT gets. */
export function drydockVariables(venue: SutVenue): Record<string, string> {
	return {
		DRYDOCK_REST_URL: venue.rest,
		DRYDOCK_WS_URL: venue.ws,
		DRYDOCK_WS_API_URL: venue.wsApi,
		DRYDOCK_API_KEY: venue.apiKey,
		DRYDOCK_API_SECRET: venue.apiSecret,
		DRYDOCK_SYMBOLS: venue.symbols.join(','),
		DRYDOCK_STATSD: venue.statsd,
	};
}

export function placeholderValues(venue: SutVenue): Record<PlaceholderName, string> {
	return {
		rest: venue.rest,
		ws: venue.ws,
		wsApi: venue.wsApi,
		apiKey: venue.apiKey,
		apiSecret: venue.apiSecret,
		symbols: venue.symbols.join(','),
		statsd: venue.statsd,
	};
}

/**
 * Replaces `{name}` placeholders. Only a brace around a bare identifier is a placeholder, so JSON in a
 * value (`{"a": 1}`) passes through; an unknown identifier is a mistake and is named.
 */
export function expandTemplate(template: string, values: Readonly<Record<string, string>>, where = 'template'): string {
	return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
		const value = Object.hasOwn(values, name) ? values[name] : undefined;
		if (value === undefined)
			throw new UsageError(
				`${where}: unknown placeholder {${name}} (known: ${Object.keys(values)
					.map(k => `{${k}}`)
					.join(' ')})`,
			);
		return value;
	});
}

/** Checks templates before anything starts, so a typo fails at load time, not after the venue is up. */
export function validateTemplates(templates: Readonly<Record<string, string>>, where = 'sut.env'): void {
	const dummy = Object.fromEntries(placeholderNames.map(name => [name, ''])) as Record<string, string>;
	for (const [name, template] of Object.entries(templates)) expandTemplate(template, dummy, `${where}.${name}`);
}
