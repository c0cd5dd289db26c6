/**
 * The strategy interface of the pipeline: market data in (candles, trades, a clock tick), signals out.
 * Two built-ins — a moving-average crossover and a steady "pinger" for soak runs — and user strategies
 * loaded from a file (see strategy-loader.ts).
 */

export interface StrategyCandle {
	symbol: string;
	/** Open time, ms. */
	time: number;
	open: number;
	high: number;
	low: number;
	close: number;
	volume: number;
}

export interface StrategyTrade {
	symbol: string;
	time: number;
	price: number;
	amount: number;
	side: 'buy' | 'sell' | null;
}

export interface StrategySignal {
	symbol: string;
	side: 'buy' | 'sell';
	/** Defaults to market. */
	type?: 'market' | 'limit';
	/** Limit price (limit orders). */
	price?: number;
	/** Base amount; when absent the pipeline sizes the order from the profile's notional. */
	amount?: number;
	reason?: string;
}

export type StrategyOutput = StrategySignal | readonly StrategySignal[] | null | undefined | void;

export interface Strategy {
	readonly name: string;
	onCandle?(candle: StrategyCandle): StrategyOutput;
	onTrade?(trade: StrategyTrade): StrategyOutput;
	/** Called on the pipeline's own schedule (the soak's operation rate). */
	onTick?(now: number): StrategyOutput;
}

export interface StrategyOptions {
	symbol: string;
}

export function signalsOf(output: StrategyOutput): StrategySignal[] {
	if (output === null || output === undefined) return [];
	if (Array.isArray(output)) return [...(output as readonly StrategySignal[])];
	return [output as StrategySignal];
}

/** Validates what a strategy returned; a user strategy may return anything. */
export function validSignal(value: unknown): value is StrategySignal {
	if (value === null || typeof value !== 'object') return false;
	const signal = value as Record<string, unknown>;
	if (typeof signal.symbol !== 'string' || (signal.side !== 'buy' && signal.side !== 'sell')) return false;
	if (signal.type !== undefined && signal.type !== 'market' && signal.type !== 'limit') return false;
	if (signal.price !== undefined && !(typeof signal.price === 'number' && signal.price > 0)) return false;
	if (signal.amount !== undefined && !(typeof signal.amount === 'number' && signal.amount > 0)) return false;
	return true;
}

/**
 * Fast/slow simple moving averages of closes: buy when fast crosses above slow, sell when it crosses
 * below. Emits only on a cross, and alternates so it never stacks positions.
 */
export function createMaCrossover(options: StrategyOptions & {fast?: number; slow?: number}): Strategy {
	const fast = options.fast ?? 5;
	const slow = options.slow ?? 20;
	const closes: number[] = [];
	let previous: number | null = null;
	let lastSide: 'buy' | 'sell' | null = null;
	const mean = (count: number) => closes.slice(-count).reduce((sum, value) => sum + value, 0) / count;
	return {
		name: `ma-crossover(${fast}/${slow})`,
		onCandle(candle) {
			if (candle.symbol !== options.symbol) return null;
			closes.push(candle.close);
			if (closes.length > slow) closes.shift();
			if (closes.length < slow) return null;
			const difference = mean(fast) - mean(slow);
			const before = previous;
			previous = difference;
			if (before === null) return null;
			const side = before <= 0 && difference > 0 ? 'buy' : before >= 0 && difference < 0 ? 'sell' : null;
			if (side === null || side === lastSide) return null;
			lastSide = side;
			return {
				symbol: options.symbol,
				side,
				reason: `SMA${fast} crossed ${side === 'buy' ? 'above' : 'below'} SMA${slow}`,
			};
		},
	};
}

/** A steady pinger for soak runs: one signal per tick, alternating buy and sell so the position returns to flat. */
export interface PingerOptions extends StrategyOptions {
	/**
	 * The net base position the caller holds and the band around flat it may drift in. Beyond the band
	 * the pinger trades back toward flat instead of alternating: failed or one-sided fills otherwise add
	 * up over a long soak until one balance runs dry.
	 */
	position?: () => number;
	band?: number;
}

export function createPinger(options: PingerOptions): Strategy {
	let next: 'buy' | 'sell' = 'buy';
	let count = 0;
	return {
		name: 'pinger',
		onTick() {
			const net = options.position?.() ?? 0;
			const band = options.band ?? Number.POSITIVE_INFINITY;
			const side = net > band ? 'sell' : net < -band ? 'buy' : next;
			next = side === 'buy' ? 'sell' : 'buy';
			count += 1;
			return {symbol: options.symbol, side, reason: `ping ${count}`};
		},
	};
}

export function createBuiltin(name: 'ma-crossover' | 'pinger', options: StrategyOptions): Strategy {
	return name === 'ma-crossover' ? createMaCrossover(options) : createPinger(options);
}
