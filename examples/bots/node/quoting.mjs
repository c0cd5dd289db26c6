/**
 * What to quote: a small mean-reversion market maker. Sell just above the ask when the mid is above its
 * trade-price average, buy just below the bid otherwise; size is a fixed quote notional, rounded to the
 * symbol's filters so the venue accepts it.
 */

/** tick, step and minNotional per symbol, from exchangeInfo. */
export function rulesFrom(exchangeInfo) {
	const rules = new Map();
	for (const entry of exchangeInfo?.symbols ?? []) {
		const filters = Object.fromEntries((entry.filters ?? []).map(f => [f.filterType, f]));
		rules.set(entry.symbol, {
			tick: decimals(filters.PRICE_FILTER?.tickSize ?? '0.01'),
			step: decimals(filters.LOT_SIZE?.stepSize ?? '0.00001'),
			minNotional: Number((filters.NOTIONAL ?? filters.MIN_NOTIONAL)?.minNotional ?? 5),
		});
	}
	return rules;
}

/** "0.01000000" → 2: the number of decimals a power-of-ten size allows. */
function decimals(size) {
	const trimmed = String(size).replace(/0+$/, '');
	const dot = trimmed.indexOf('.');
	return dot < 0 ? 0 : trimmed.length - dot - 1;
}

export function quote({bid, ask, average}, rule, offsetBps, notional) {
	const mid = (bid + ask) / 2;
	const offset = offsetBps / 10_000;
	const tick = 10 ** -rule.tick;
	const sell = average !== undefined && mid > average;
	const price = sell ? Math.ceil((ask * (1 + offset)) / tick) * tick : Math.floor((bid * (1 - offset)) / tick) * tick;
	const step = 10 ** -rule.step;
	const wanted = Math.max(notional, rule.minNotional * 1.1);
	const quantity = Math.ceil(wanted / price / step) * step;
	return {side: sell ? 'SELL' : 'BUY', price: price.toFixed(rule.tick), quantity: quantity.toFixed(rule.step)};
}
