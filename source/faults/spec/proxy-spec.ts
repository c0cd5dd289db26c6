/**
 * The faults the local fault proxy can apply, and the validation of their parameters (a pure leaf of the
 * fault vocabulary, shared by the proxy, the fault injector and the chaos schema, so a bad value is
 * refused before a run starts).
 * The proxy forwards opaque bytes (TLS stays end to end), so it can only shape timing and connections:
 * it can never forge a response such as a 5xx or a 429.
 */

/** Which connections a fault touches: REST (anything not a stream), streams (WebSockets), or all. */
export type ProxyScope = 'all' | 'rest' | 'streams';

export type ProxyFault =
	/** Every chunk, both directions, waits `ms` (+ uniform 0..jitterMs) before it is forwarded. */
	| {kind: 'latency'; ms: number; jitterMs?: number}
	/** Stream connections stay open but nothing is forwarded either way until the fault ends. */
	| {kind: 'stall-streams'}
	/** Stream connections are cut now (and new ones as they open, while the fault lasts). */
	| {kind: 'drop-websockets'}
	/** Connections are reset (RST → ECONNRESET in the client): per request on REST, once per connection on streams. */
	| {kind: 'reset'; probability: number; scope?: ProxyScope}
	/** Connections go silent (nothing forwarded while the fault lasts), so the client's own timeout fires. */
	| {kind: 'blackhole'; probability?: number; scope?: ProxyScope};

export type ProxyFaultKind = ProxyFault['kind'];

export const proxyFaultKinds: readonly ProxyFaultKind[] = [
	'latency',
	'stall-streams',
	'drop-websockets',
	'reset',
	'blackhole',
];

export type ProxyFaultParse = {ok: true; fault: ProxyFault} | {ok: false; message: string};

const num = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const scopes: readonly ProxyScope[] = ['all', 'rest', 'streams'];

/**
 * `params` of a chaos entry or FaultRequest for a proxy fault → ProxyFault. Messages name the field as
 * the mock's parseFaultSpec does (`"params.probability" must …`).
 */
export function parseProxyFault(kind: ProxyFaultKind, params: Record<string, unknown> = {}): ProxyFaultParse {
	switch (kind) {
		case 'latency': {
			if (params.route !== undefined)
				return {
					ok: false,
					message: '"params.route" cannot be honoured through the fault proxy: a TLS tunnel hides the request path',
				};
			if (!num(params.ms) || params.ms < 0 || params.ms > 600_000)
				return {ok: false, message: '"params.ms" must be a number of milliseconds between 0 and 600000'};
			if (params.jitterMs !== undefined && (!num(params.jitterMs) || params.jitterMs < 0 || params.jitterMs > 600_000))
				return {ok: false, message: '"params.jitterMs" must be between 0 and 600000'};
			return {
				ok: true,
				fault: {kind: 'latency', ms: params.ms, ...(params.jitterMs === undefined ? {} : {jitterMs: params.jitterMs})},
			};
		}
		case 'stall-streams':
		case 'drop-websockets':
			return {ok: true, fault: {kind}};
		case 'reset':
		case 'blackhole': {
			const {probability, scope} = params;
			if (probability !== undefined && (!num(probability) || probability < 0 || probability > 1))
				return {ok: false, message: '"params.probability" must be a number between 0 and 1'};
			if (scope !== undefined && !scopes.includes(scope as ProxyScope))
				return {ok: false, message: `"params.scope" must be one of ${scopes.join(', ')}`};
			const rest = {...(scope === undefined ? {} : {scope: scope as ProxyScope})};
			return kind === 'reset'
				? {ok: true, fault: {kind, probability: probability ?? 1, ...rest}}
				: {ok: true, fault: {kind, ...(probability === undefined ? {} : {probability}), ...rest}};
		}
	}
}

/** Whether a fault with this scope touches a connection (null: not yet known to be a stream or not). */
export function inScope(scope: ProxyScope | undefined, stream: boolean | null): boolean {
	if (scope === undefined || scope === 'all') return true;
	if (stream === null) return false;
	return scope === 'streams' ? stream : !stream;
}
