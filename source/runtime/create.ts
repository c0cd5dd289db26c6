/**
 * The composition root's heavy half: profile → embedded mock or URL → ExchangeTarget → exchange client
 * → phase services → EngineRuntime (phases + services + hooks). Everything that loads ccxt or the mock
 * is imported dynamically, so the console can paint its first frame before this starts.
 */
import type {Profile} from '../profiles/schema.js';
import type {EngineHooks, EngineRuntime} from '../engine/engine.js';
import type {ExchangeClient, ExchangeTarget} from '../exchange/exchange-client.js';
import type {PhaseServices} from '../phases/index.js';
import {UsageError} from '../util/usage-error.js';
import {processMasker} from '../profiles/mask.js';
import {resolveCredentials} from './credentials.js';
import {streamHostsOf} from '../exchange/venues.js';
import {
	endpointsFromUrl,
	faultProxyWanted,
	venueEndpoints,
	venueBasesFor,
	type RunEndpoints,
	type FaultProxySetting,
} from './target.js';
import type {FaultProxy} from '../net/fault-proxy.js';
import type {TargetAllowlist} from '../net/target-allowlist.js';
import type {OrderFateObserver} from '../faults/chaos/order-fate.js';
import {withTimeout} from '../util/with-timeout.js';
import {breakerBurst} from '../faults/breaker-burst.js';
import type {MockReplayOptions} from '../mock/replay/index.js';
import type {FaultInjector} from '../faults/injector.js';

export interface BuildOptions {
	profile: Profile;
	exchangeUrl?: string;
	/** The embedded mock replays this recording. */
	replay?: MockReplayOptions;
	allowLive?: boolean;
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	/** Everything written so far, for the security phase's planted-secret check. */
	readOutputs?: () => string | Promise<string>;
	/** Check the venue answers (and the keys work) before the run: unreachable/invalid → UsageError. Default true. */
	preflight?: boolean;
	/** Told once endpoints are known (e.g. to print them). */
	onEndpoints?: (endpoints: RunEndpoints) => void;
	/** Watches order placement for unknown fates (the chaos timeline's accounting). */
	orderFates?: OrderFateObserver;
	/** The local fault proxy in front of the venue (default: DRYDOCK_FAULT_PROXY, else auto: testnet/mainnet, or a mock whose chaos timeline has connection-reset/timeout). */
	faultProxy?: FaultProxySetting;
}

export interface BuiltRuntime<S> extends EngineRuntime<S, Profile> {
	endpoints: RunEndpoints;
	exchange: ExchangeClient;
	/** The local fault proxy every exchange connection goes through; null when off. */
	faultProxy: FaultProxy | null;
}

/** The services bag the phases get; `orders` is the phases' order tracker (if present) for the cancel-all hook. */
interface ServicesShape {
	orders?: {owns?(clientOrderId: string | null): boolean};
	faults: FaultInjector;
}

export async function buildRuntime(options: BuildOptions): Promise<BuiltRuntime<PhaseServices>> {
	const {profile} = options;
	const env = options.env ?? process.env;
	const closers: (() => Promise<void>)[] = [];
	// Idempotent: the engine and the session may both close the runtime.
	const closeAll = async () => {
		const pending = closers.splice(0).reverse();
		for (const close of pending) await close().catch(() => {});
	};
	try {
		let endpoints: RunEndpoints;
		let credentials = resolveCredentials(profile, env, options.cwd);
		const url = options.exchangeUrl ?? profile.urls?.rest;
		if (profile.environment === 'mock') {
			if (url !== undefined) {
				endpoints = endpointsFromUrl(
					url,
					options.exchangeUrl !== undefined ? '--exchange-url' : `profile ${profile.name}: urls.rest`,
					options.exchangeUrl === undefined ? profile.urls?.ws : undefined,
				);
				if (!credentials.apiKey || !credentials.secret) {
					const mock = await import('../mock/index.js');
					credentials = {
						apiKey: mock.DEFAULT_API_KEY,
						secret: mock.DEFAULT_API_SECRET,
						source: "the mock's default credentials",
					};
				}
			} else {
				const mock = await import('../mock/index.js');
				// The embedded mock is ours: it takes the key the profile resolves (else the client would sign with a key it never heard of: -2015).
				const keys = embeddedMockKeys(credentials, profile);
				const started = await mock.startMockExchange({
					host: '127.0.0.1',
					port: 0,
					seed: profile.mock.seed,
					symbols: profile.mock.symbols ?? profile.symbols.map(s => s.replace('/', '')),
					...(profile.mock.balances ? {balances: profile.mock.balances} : {}),
					...(profile.mock.market ? {market: profile.mock.market} : {}),
					...venueLimits(profile),
					...keys,
					...(options.replay ? {replay: options.replay} : {}),
					quiet: true,
				});
				closers.push(() => started.close());
				endpoints = {rest: started.rest, ws: started.ws, admin: started.admin, embedded: true};
				if (!credentials.apiKey || !credentials.secret)
					credentials = {apiKey: started.apiKey, secret: started.apiSecret, source: 'the embedded mock'};
			}
		} else {
			endpoints = venueEndpoints(profile.environment, venueBasesFor({...profile, environment: profile.environment}));
			if (profile.execution === 'exchange' && (!credentials.apiKey || !credentials.secret)) {
				throw new UsageError(
					`profile ${profile.name}: no API key — set ${profile.credentials.apiKeyEnv} and ${profile.credentials.apiSecretEnv}${profile.credentials.keyFile ? ` or fill ${profile.credentials.keyFile}` : ''}`,
				);
			}
		}
		processMasker.add(credentials.apiKey);
		processMasker.add(credentials.secret);
		let faultProxy: FaultProxy | null = null;
		let proxyTargets: TargetAllowlist | null = null;
		if (
			faultProxyWanted(
				profile.environment,
				options.faultProxy,
				env,
				(profile.chaos ?? []).map(entry => entry.fault),
			)
		) {
			const {startFaultProxy} = await import('../net/fault-proxy.js');
			const {targetAllowlist} = await import('../net/target-allowlist.js');
			// Only the venue's own hosts (its REST, WS and WS-API once the client names them below): not an open relay.
			proxyTargets = targetAllowlist([endpoints.rest, endpoints.ws]);
			faultProxy = await startFaultProxy({host: '127.0.0.1', port: 0, allowTarget: proxyTargets.allow});
			closers.push(() => faultProxy!.close());
			endpoints = {...endpoints, faultProxy: faultProxy.url};
		}
		options.onEndpoints?.(endpoints);

		const exchangeModule = await import('../exchange/index.js');
		const target: ExchangeTarget = {
			environment: profile.environment,
			...(profile.environment === 'mock' ? {restUrl: endpoints.rest, wsUrl: endpoints.ws} : {}),
			...(profile.environment !== 'mock' && profile.urls?.rest !== undefined
				? {venueUrls: venueBasesFor({...profile, environment: profile.environment})}
				: {}),
			...(credentials.apiKey ? {apiKey: credentials.apiKey} : {}),
			...(credentials.secret ? {secret: credentials.secret} : {}),
			enableRateLimit: profile.rateLimit.enableRateLimit,
			timeoutMs: profile.timeouts.requestMs,
			symbols: [...profile.symbols],
			...(faultProxy ? {proxyUrl: faultProxy.url} : {}),
		};
		const venue = await exchangeModule.createExchange(target);
		closers.push(() => venue.close());
		// Stream connections are told by their host on a venue (TLS hides the upgrade); by the upgrade on the mock.
		proxyTargets?.add([venue.endpoints.rest, venue.endpoints.sapi, venue.endpoints.ws, venue.endpoints.wsApi]);
		faultProxy?.setStreamHosts(streamHostsOf(venue.endpoints.rest, [venue.endpoints.ws, venue.endpoints.wsApi]));
		let exchange: ExchangeClient =
			profile.execution === 'paper'
				? exchangeModule.createPaperBroker(venue, profile.mock.balances ? {balances: profile.mock.balances} : {})
				: venue;
		if (profile.environment === 'mainnet' && profile.execution === 'exchange') {
			const {capOrders} = await import('./live-caps.js');
			exchange = capOrders(exchange, profile.live);
		}

		if (options.orderFates) exchange = options.orderFates.wrap(exchange);
		if (options.preflight !== false) await preflight(exchange, endpoints, profile, credentials.apiKey !== null);

		const phasesModule = await import('../phases/index.js');
		const phases = phasesModule.phases;
		const serviceInput = {
			exchange,
			profile,
			...(endpoints.admin ? {mockAdminUrl: endpoints.admin} : {}),
			credentials: {apiKey: credentials.apiKey, secret: credentials.secret},
			allowLive: options.allowLive ?? false,
			...(options.readOutputs ? {readOutputs: options.readOutputs} : {}),
			mask: (text: string) => processMasker.mask(text),
			cwd: options.cwd ?? process.cwd(),
		};
		const services = phasesModule.createPhaseServices(serviceInput);
		if (faultProxy) {
			const {createProxyFaultInjector} = await import('../faults/proxy-injector.js');
			// On the mock its own controls keep every kind they have; the proxy adds resets and timeouts.
			services.faults = createProxyFaultInjector(faultProxy, exchange, endpoints.admin ? {venue: services.faults} : {});
		}
		const hooks = makeHooks(exchange, profile, services, endpoints);
		// The kill switch's "also close positions": drydock's own net position per symbol traded back,
		// each order within the profile's notional caps (phases/trading/flatten-positions.ts).
		hooks.flattenPositions = async () => {
			const report = await phasesModule.flattenPositions(exchange, profile, services.orders);
			const traded = report.symbols.map(s => `${s.side} ${s.filled} ${s.symbol}${s.left ? ` (${s.left})` : ''}`);
			const detail = [...traded, ...report.failed].join('; ') || 'no position to close';
			return {closed: report.orders, detail};
		};
		return {phases, services, hooks, endpoints, exchange, faultProxy, close: closeAll};
	} catch (error) {
		await closeAll();
		throw error;
	}
}

/** Unreachable venue or rejected keys are configuration errors: one line, exit 2, before any phase runs. */
async function preflight(
	exchange: ExchangeClient,
	endpoints: RunEndpoints,
	profile: Profile,
	hasKeys: boolean,
): Promise<void> {
	try {
		await withTimeout(exchange.ping(), profile.timeouts.requestMs, 'ping');
	} catch (error) {
		throw new UsageError(`exchange at ${endpoints.rest} is unreachable: ${message(error)}`);
	}
	if (hasKeys && profile.execution === 'exchange') {
		try {
			await withTimeout(exchange.fetchBalance(), profile.timeouts.requestMs, 'account read');
		} catch (error) {
			if ((error as {kind?: string}).kind === 'auth')
				throw new UsageError(
					`exchange at ${endpoints.rest} rejected the API key (${profile.credentials.apiKeyEnv}): ${message(error)}`,
				);
			// Anything else is for the connectivity phase to report.
		}
	}
}

function makeHooks(
	exchange: ExchangeClient,
	profile: Profile,
	services: ServicesShape,
	endpoints: RunEndpoints,
): EngineHooks {
	const hooks: EngineHooks = {
		async cancelAllOrders() {
			let cancelled = 0;
			const owns = services.orders?.owns?.bind(services.orders);
			for (const symbol of profile.symbols) {
				let open;
				try {
					open = await exchange.fetchOpenOrders(symbol);
				} catch {
					continue;
				}
				for (const order of open) {
					// Only what drydock placed, unless we own the whole (embedded) venue.
					if (!endpoints.embedded && owns && !owns(order.clientOrderId)) continue;
					try {
						await exchange.cancelOrder(symbol, {id: order.id});
						cancelled++;
					} catch {
						// Already filled or gone: nothing left open either way.
					}
				}
			}
			return cancelled;
		},
		forceReconnect: () => exchange.dropConnections(),
		probe: async () => {
			await exchange.ping();
		},
	};
	const burst = breakerBurst(
		services.faults,
		Math.max(2_000, profile.breaker.openMs, profile.breaker.failureThreshold * 300),
	);
	if (burst) hooks.breakerTest = burst;
	return hooks;
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** The resolved key and secret for the embedded mock, when both are set; a key the mock cannot take is a usage error. */
export function embeddedMockKeys(
	credentials: {apiKey: string | null; secret: string | null},
	profile: Profile,
): {apiKey?: string; apiSecret?: string} {
	if (!credentials.apiKey || !credentials.secret) return {};
	if (!/^[A-Za-z0-9]{1,128}$/.test(credentials.apiKey))
		throw new UsageError(
			`profile ${profile.name}: ${profile.credentials.apiKeyEnv}: the embedded mock takes 1–128 letters and digits as an API key`,
		);
	return {apiKey: credentials.apiKey, apiSecret: credentials.secret};
}

/** The embedded mock's venue limits a profile raised (only those it set: the rest stay Binance's). */
function venueLimits(profile: Profile): {ordersPer10s?: number; ordersPerDay?: number; weightLimitPerMinute?: number} {
	const {ordersPer10s, ordersPerDay, weightLimitPerMinute} = profile.mock;
	return {
		...(ordersPer10s !== undefined ? {ordersPer10s} : {}),
		...(ordersPerDay !== undefined ? {ordersPerDay} : {}),
		...(weightLimitPerMinute !== undefined ? {weightLimitPerMinute} : {}),
	};
}
