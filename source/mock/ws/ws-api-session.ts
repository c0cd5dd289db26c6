import type WebSocket from 'ws';
import type {StreamObserver} from '../contracts.js';
import type {ConnectionRegistry} from './connection-registry.js';
import {rawText} from './raw-text.js';
import type {UserDataHub, UserEventSink} from './user-data-hub.js';
import {verifySignedParams, type KeyResolver, type WsApiError} from './ws-api-auth.js';
import type {MethodOutcome, WsApiGateway} from './ws-api-methods.js';
import {toMicroseconds} from '../http/time-unit.js';

export interface WsApiContext {
	registry: ConnectionRegistry;
	users: UserDataHub;
	/** API key → how to verify it and whose account it is. */
	resolve: KeyResolver;
	/** Market, trading and account methods (absent on a layer mounted without the REST context). */
	gateway?: WsApiGateway;
	/** Connected with `?timeUnit=MICROSECOND`: every time in a result in µs. */
	microseconds?: boolean;
	now(): number;
	/** A client's listener: told when the session logs on or off and about each user-data subscription. */
	observer?: StreamObserver;
}

const SESSION_SUBSCRIPTION = 'ws-api:session';
const USER_DATA_SUBSCRIPTION = 'ws-api:userData';

type RequestId = number | string | null;

interface Subscription {
	apiKey: string;
	sink: UserEventSink;
}

type Outcome = MethodOutcome;

const CLOSE_UNSUPPORTED_DATA = 1003;
const SESSION_METHODS = [
	'ping',
	'time',
	'session.logon',
	'session.status',
	'session.logout',
	'session.subscriptions',
	'userDataStream.subscribe',
	'userDataStream.subscribe.signature',
	'userDataStream.unsubscribe',
];

function badRequest(code: number, msg: string): {error: WsApiError} {
	return {error: {status: 400, code, msg}};
}

function parseRequestId(value: unknown): RequestId | undefined {
	if (value === null) return null;
	if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
	if (typeof value === 'string' && value.length <= 64) return value;
	return undefined;
}

/**
 * One connection to `/ws-api/v3`: session logon (Ed25519 keys only, as Binance), user-data subscriptions,
 * ping and time here; market, trading and account methods through the gateway (the REST handlers).
 * Answers in Binance's `{id,status,result|error,rateLimits}` shape; each subscription's events pushed as
 * `{"subscriptionId":N,"event":{...}}`.
 */
export class WsApiSession {
	private readonly connectedSince: number;
	private apiKey: string | undefined;
	/** The logged-on key's account (its primary key): what the engine and user-data hub know. */
	private account: string | undefined;
	private authorizedSince: number | undefined;
	private nextSubscriptionId = 0;
	private readonly subscriptions = new Map<number, Subscription>();

	constructor(
		private readonly ws: WebSocket,
		private readonly context: WsApiContext,
	) {
		this.connectedSince = context.now();
		ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
		ws.once('close', () => this.dispose());
	}

	private dispose(): void {
		this.unsubscribeAll();
		this.setLoggedOn(undefined);
	}

	private unsubscribeAll(): void {
		for (const subscription of this.subscriptions.values()) {
			this.context.users.remove(subscription.apiKey, subscription.sink);
			this.context.observer?.unsubscribed(USER_DATA_SUBSCRIPTION);
		}
		this.subscriptions.clear();
	}

	/** Logs the session on (a key) or off (undefined), telling the observer when that changes. */
	private setLoggedOn(apiKey: string | undefined, account?: string): void {
		if (apiKey !== undefined && this.apiKey === undefined) this.context.observer?.subscribed(SESSION_SUBSCRIPTION);
		if (apiKey === undefined && this.apiKey !== undefined) this.context.observer?.unsubscribed(SESSION_SUBSCRIPTION);
		this.apiKey = apiKey;
		this.account = account ?? apiKey;
		this.authorizedSince = apiKey === undefined ? undefined : this.context.now();
	}

	private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
		if (isBinary) {
			this.ws.close(CLOSE_UNSUPPORTED_DATA, 'Binary frames are not supported: send JSON text frames');
			return;
		}
		let request: unknown;
		try {
			request = JSON.parse(rawText(data));
		} catch (error) {
			this.respond(null, badRequest(-1102, `Malformed request: invalid JSON (${(error as Error).message}).`));
			return;
		}
		if (typeof request !== 'object' || request === null || Array.isArray(request)) {
			this.respond(null, badRequest(-1102, 'Malformed request: expected a JSON object with id, method and params.'));
			return;
		}
		const record = request as Record<string, unknown>;
		const id = parseRequestId(record['id']);
		if (id === undefined) {
			this.respond(null, badRequest(-1102, "Mandatory parameter 'id' was not sent, was empty/null, or malformed."));
			return;
		}
		const method = record['method'];
		if (typeof method !== 'string' || method === '') {
			this.respond(id, badRequest(-1102, "Mandatory parameter 'method' was not sent, was empty/null, or malformed."));
			return;
		}
		const params = record['params'] ?? {};
		if (typeof params !== 'object' || params === null || Array.isArray(params)) {
			this.respond(id, badRequest(-1102, "Parameter 'params' must be a JSON object."));
			return;
		}
		let outcome: Outcome;
		try {
			outcome = this.handle(method.replace(/^v3\//, ''), params as Record<string, unknown>);
		} catch (error) {
			// A failure behind one request is that request's 500, never the server's crash.
			outcome = {
				error: {
					status: 500,
					code: -1000,
					msg: `An unknown error occurred while processing the request: ${(error as Error).message}`,
				},
			};
		}
		if (this.context.microseconds && 'result' in outcome)
			outcome = {...outcome, result: toMicroseconds(outcome.result, method.replace(/^v3\//, ''))};
		this.respond(id, outcome);
	}

	private handle(method: string, params: Record<string, unknown>): Outcome {
		switch (method) {
			case 'ping':
				return {result: {}};
			case 'time':
				return {result: {serverTime: this.context.now()}};
			case 'session.logon': {
				const auth = verifySignedParams(params, this.context.resolve, this.context.now());
				if (!auth.ok) return {error: auth.error};
				// Binance: "Only Ed25519 keys are supported for this feature."
				if (auth.keyType !== 'ED25519')
					return {error: {status: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.'}};
				this.setLoggedOn(auth.apiKey, auth.account);
				return {result: this.status()};
			}
			case 'session.status':
				return {result: this.status()};
			case 'session.logout':
				this.setLoggedOn(undefined);
				return {result: this.status()};
			case 'session.subscriptions':
				return {result: [...this.subscriptions.keys()].map(subscriptionId => ({subscriptionId}))};
			case 'userDataStream.subscribe':
				if (this.apiKey === undefined) {
					return {
						error: {
							status: 401,
							code: -1002,
							msg: 'You are not authorized to execute this request: call session.logon first, or use userDataStream.subscribe.signature.',
						},
					};
				}
				return this.subscribe(this.account!);
			case 'userDataStream.subscribe.signature': {
				const auth = verifySignedParams(params, this.context.resolve, this.context.now());
				if (!auth.ok) return {error: auth.error};
				return this.subscribe(auth.account);
			}
			case 'userDataStream.unsubscribe':
				return this.unsubscribe(params['subscriptionId']);
			default: {
				const gateway = this.context.gateway;
				if (gateway?.routeKeyFor(method) !== undefined) return gateway.call(method, params, this.account);
				const served = [...SESSION_METHODS, ...(gateway?.methods() ?? [])].join(', ');
				return badRequest(
					-1102,
					`Unknown method '${method.slice(0, 60)}'. This mock's WebSocket API serves: ${served}.`,
				);
			}
		}
	}

	private subscribe(apiKey: string): Outcome {
		for (const subscription of this.subscriptions.values()) {
			if (subscription.apiKey === apiKey) return badRequest(-2035, 'User Data Stream subscription already active.');
		}
		const subscriptionId = this.nextSubscriptionId++;
		// The wrapper's prefix is built once; each event only appends its JSON.
		const prefix = `{"subscriptionId":${subscriptionId},"event":`;
		const sink: UserEventSink = eventJson => this.context.registry.send(this.ws, `${prefix}${eventJson}}`);
		this.subscriptions.set(subscriptionId, {apiKey, sink});
		this.context.users.add(apiKey, sink);
		this.context.observer?.subscribed(USER_DATA_SUBSCRIPTION);
		return {result: {subscriptionId}};
	}

	private unsubscribe(rawId: unknown): Outcome {
		if (rawId === undefined) {
			this.unsubscribeAll();
			return {result: {}};
		}
		const subscriptionId = typeof rawId === 'string' && /^\d+$/.test(rawId) ? Number(rawId) : rawId;
		const subscription = typeof subscriptionId === 'number' ? this.subscriptions.get(subscriptionId) : undefined;
		if (!subscription) return badRequest(-2036, `Unknown subscriptionId ${JSON.stringify(rawId)}.`);
		this.context.users.remove(subscription.apiKey, subscription.sink);
		this.subscriptions.delete(subscriptionId as number);
		this.context.observer?.unsubscribed(USER_DATA_SUBSCRIPTION);
		return {result: {}};
	}

	private status(): Record<string, unknown> {
		return {
			apiKey: this.apiKey ?? null,
			authorizedSince: this.authorizedSince ?? null,
			connectedSince: this.connectedSince,
			returnRateLimits: false,
			serverTime: this.context.now(),
			userDataStream: this.subscriptions.size > 0,
		};
	}

	private respond(id: RequestId, outcome: Outcome): void {
		const message: Record<string, unknown> =
			'result' in outcome
				? {id, status: 200, result: outcome.result}
				: {
						id,
						status: outcome.error.status,
						error: {
							code: outcome.error.code,
							msg: outcome.error.msg,
							...(outcome.error.data === undefined ? {} : {data: outcome.error.data}),
						},
					};
		if (outcome.rateLimits) message['rateLimits'] = outcome.rateLimits;
		this.context.registry.send(this.ws, JSON.stringify(message));
	}
}
