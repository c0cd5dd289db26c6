/**
 * What the phases need besides the engine's context: the exchange client, fault injection, the
 * measured clock offset, the weight tracker, and what the composition root knows about credentials and
 * the --allow-live flag. Built once per run by createPhaseServices.
 */
import type {ExchangeClient} from '../exchange/exchange-client.js';
import type {Profile} from '../profiles/schema.js';
import {ClockOffset} from './clock.js';
import {createClientFaultInjector} from '../faults/client-injector.js';
import type {FaultInjector} from '../faults/injector.js';
import {createMockFaultInjector} from '../faults/mock-injector.js';
import {OrderTracker} from './trading/tracker.js';
import {WeightThrottle} from './weight-throttle.js';
import type {SutSoakHost} from '../sut/soak-host.js';

export interface PhaseServices {
	exchange: ExchangeClient;
	faults: FaultInjector;
	/** Server − local clock, measured by the connectivity phase (re-measured by others when empty). */
	clock: ClockOffset;
	/** Fed from every REST response's X-MBX-USED-WEIGHT-1M. */
	weights: WeightThrottle;
	/** The resolved credentials (for the config and security phases; never printed). */
	credentials: {apiKey: string | null; secret: string | null};
	/** `--allow-live` was given. */
	allowLive: boolean;
	/** One order registry for the run, so any phase's cleanup finds every order we placed. */
	orders: OrderTracker;
	/**
	 * Everything the engine would write out so far (snapshot, journal, report text), for the security
	 * phase's planted-secret check. Provided by the composition root; absent means that check is skipped.
	 */
	readOutputs?: () => string | Promise<string>;
	/** Masks a text as the engine's outputs are masked (the process masker); absent → identity. */
	mask?: (text: string) => string;
	/** Working directory for the profile's strategy file. */
	cwd: string;
	/** The user's system under test (`--sut`): the soak judges it; set by the composition root. */
	sut?: SutSoakHost;
}

export interface PhaseServicesInput {
	exchange: ExchangeClient;
	profile: Profile;
	/** The mock's admin URL (`{admin}` as the mock prints it); when given, venue-side faults are available. */
	mockAdminUrl?: string;
	credentials?: {apiKey?: string | null; secret?: string | null};
	allowLive?: boolean;
	readOutputs?: () => string | Promise<string>;
	mask?: (text: string) => string;
	cwd?: string;
}

export function createPhaseServices(input: PhaseServicesInput): PhaseServices {
	const {exchange, profile} = input;
	const weights = new WeightThrottle({
		budgetPerMinute: profile.rateLimit.weightBudgetPerMinute,
		headroom: profile.rateLimit.headroom,
	});
	exchange.onResponse(response => weights.observe(response.usedWeight1m, response.at));
	const services: PhaseServices = {
		exchange,
		faults: input.mockAdminUrl ? createMockFaultInjector(input.mockAdminUrl) : createClientFaultInjector(exchange),
		clock: new ClockOffset(),
		weights,
		credentials: {apiKey: input.credentials?.apiKey ?? null, secret: input.credentials?.secret ?? null},
		allowLive: input.allowLive ?? false,
		orders: new OrderTracker(),
		cwd: input.cwd ?? process.cwd(),
	};
	if (input.readOutputs) services.readOutputs = input.readOutputs;
	if (input.mask) services.mask = input.mask;
	return services;
}
