import {parseStreamName, type StreamSpec} from './stream-names.js';

export type UpgradeRoute =
	| {kind: 'market'; combined: boolean; streams: StreamSpec[]}
	| {kind: 'listenKey'; listenKey: string; apiKey: string}
	| {kind: 'wsApi'}
	| {kind: 'reject'; status: 400 | 404; message: string};

export interface RouteContext {
	hasSymbol(symbol: string): boolean;
	apiKeyForListenKey(listenKey: string): string | undefined;
	maxStreams: number;
}

function parseAll(names: string[], context: RouteContext): {streams: StreamSpec[]} | {error: string} {
	if (names.length > context.maxStreams)
		return {error: `too many streams: ${names.length} (at most ${context.maxStreams} per connection)`};
	const streams: StreamSpec[] = [];
	for (const name of names) {
		const parsed = parseStreamName(name, symbol => context.hasSymbol(symbol));
		if (!parsed.ok) return {error: parsed.error};
		if (!streams.some(stream => stream.name === parsed.spec.name)) streams.push(parsed.spec);
	}
	return {streams};
}

/**
 * Which WebSocket endpoint an upgrade request addresses: `/ws` and `/ws/<n>` (bare, subscribe by control
 * frames), `/ws/<stream>` (raw), `/ws/<listenKey>` (legacy user data), `/stream?streams=a/b` (combined),
 * `/ws-api/v3` (WebSocket API).
 */
export function routeUpgrade(rawUrl: string, context: RouteContext): UpgradeRoute {
	let url: URL;
	try {
		url = new URL(rawUrl, 'http://mock.invalid');
	} catch {
		return {kind: 'reject', status: 400, message: 'Malformed request URL'};
	}
	const path = url.pathname.replace(/\/+$/, '');
	if (path === '/ws-api/v3') return {kind: 'wsApi'};
	if (path === '/stream') {
		const names = (url.searchParams.get('streams') ?? '').split('/').filter(name => name !== '');
		const parsed = parseAll(names, context);
		if ('error' in parsed)
			return {kind: 'reject', status: 400, message: `Invalid combined stream request: ${parsed.error}`};
		return {kind: 'market', combined: true, streams: parsed.streams};
	}
	if (path === '/ws') return {kind: 'market', combined: false, streams: []};
	if (!path.startsWith('/ws/'))
		return {kind: 'reject', status: 404, message: `No WebSocket endpoint at ${path || '/'}`};
	const segments = path.slice('/ws/'.length).split('/');
	const [segment] = segments;
	if (segment === undefined || segments.length > 1) {
		return {
			kind: 'reject',
			status: 400,
			message: 'A raw stream path carries one stream (/ws/<stream>); use /stream?streams=a/b for several',
		};
	}
	if (/^\d+$/.test(segment)) return {kind: 'market', combined: false, streams: []};
	if (segment.includes('@')) {
		let name: string;
		try {
			name = decodeURIComponent(segment);
		} catch {
			return {kind: 'reject', status: 400, message: 'Malformed stream name in the URL'};
		}
		const parsed = parseAll([name], context);
		if ('error' in parsed) return {kind: 'reject', status: 400, message: `Invalid raw stream request: ${parsed.error}`};
		return {kind: 'market', combined: false, streams: parsed.streams};
	}
	const apiKey = context.apiKeyForListenKey(segment);
	if (apiKey !== undefined) return {kind: 'listenKey', listenKey: segment, apiKey};
	return {
		kind: 'reject',
		status: 404,
		message: 'Unknown or expired listenKey, and not a stream name (stream names contain @)',
	};
}
