/** Market-stream control frames (SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY), validated as Binance does. */

export type RequestId = number | string | null;

export type ControlFrame =
	| {method: 'SUBSCRIBE' | 'UNSUBSCRIBE'; id: RequestId; streams: string[]}
	| {method: 'LIST_SUBSCRIPTIONS'; id: RequestId}
	| {method: 'SET_PROPERTY'; id: RequestId; property: 'combined'; value: boolean}
	| {method: 'GET_PROPERTY'; id: RequestId; property: 'combined'};

/** Binance's control-frame error codes: 0 unknown property, 1 bad value type, 2 invalid request, 3 invalid JSON. */
export interface ControlError {
	code: 0 | 1 | 2 | 3;
	msg: string;
	id: RequestId;
}

export type ParsedControlFrame = {ok: true; frame: ControlFrame} | {ok: false; error: ControlError};

const METHODS = ['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'] as const;

function fail(code: ControlError['code'], msg: string, id: RequestId = null): ParsedControlFrame {
	return {ok: false, error: {code, msg, id}};
}

function parseId(value: unknown): RequestId | undefined {
	if (value === null) return null;
	if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
	if (typeof value === 'string' && /^[A-Za-z0-9_-]{1,36}$/.test(value)) return value;
	return undefined;
}

export function parseControlFrame(text: string): ParsedControlFrame {
	let message: unknown;
	try {
		message = JSON.parse(text);
	} catch (error) {
		return fail(3, `Invalid JSON: ${(error as Error).message}`);
	}
	if (typeof message !== 'object' || message === null || Array.isArray(message)) {
		return fail(2, 'Invalid request: expected a JSON object with `method`, `params` and `id`');
	}
	const record = message as Record<string, unknown>;
	if (!('id' in record)) return fail(2, 'Invalid request: missing field `id`');
	const id = parseId(record['id']);
	if (id === undefined) {
		return fail(
			2,
			'Invalid request: request ID must be an unsigned integer or an alphanumeric string of at most 36 characters',
		);
	}
	const method = record['method'];
	if (method === undefined) return fail(2, 'Invalid request: missing field `method`', id);
	if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
		const shown = typeof method === 'string' ? method.slice(0, 40) : typeof method;
		return fail(
			2,
			`Invalid request: unknown variant \`${shown}\`, expected one of ${METHODS.map(name => `\`${name}\``).join(', ')}`,
			id,
		);
	}
	const params = record['params'];
	switch (method) {
		case 'SUBSCRIBE':
		case 'UNSUBSCRIBE': {
			if (!Array.isArray(params) || params.length === 0 || !params.every(param => typeof param === 'string')) {
				return fail(2, `Invalid request: ${method} needs \`params\` as a non-empty array of stream names`, id);
			}
			return {ok: true, frame: {method, id, streams: params}};
		}
		case 'LIST_SUBSCRIPTIONS':
			if (params !== undefined && !(Array.isArray(params) && params.length === 0)) {
				return fail(2, 'Invalid request: too many parameters', id);
			}
			return {ok: true, frame: {method, id}};
		case 'SET_PROPERTY':
		case 'GET_PROPERTY': {
			if (!Array.isArray(params) || params.length === 0 || typeof params[0] !== 'string') {
				return fail(2, 'Invalid request: property name must be a string', id);
			}
			if (params[0] !== 'combined') return fail(0, 'Unknown property', id);
			if (method === 'GET_PROPERTY') {
				if (params.length > 1) return fail(2, 'Invalid request: too many parameters', id);
				return {ok: true, frame: {method, id, property: 'combined'}};
			}
			if (params.length > 2) return fail(2, 'Invalid request: too many parameters', id);
			if (typeof params[1] !== 'boolean') return fail(1, 'Invalid value type: expected Boolean', id);
			return {ok: true, frame: {method, id, property: 'combined', value: params[1]}};
		}
		default:
			return fail(2, 'Invalid request: unsupported method', id);
	}
}
