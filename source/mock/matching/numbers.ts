/** Rounding helpers: balances carry 8 decimals like Binance's; prices and quantities their filter's. */

export function round8(x: number): number {
	return Math.round(x * 1e8) / 1e8;
}

export function roundTo(x: number, decimals: number): number {
	const f = 10 ** decimals;
	return Math.round(x * f) / f;
}

export function floorTo(x: number, decimals: number): number {
	const f = 10 ** decimals;
	return Math.floor(x * f + 1e-7) / f;
}

/** True when x is a whole multiple of 10^-decimals (within float noise). */
export function isMultiple(x: number, decimals: number): boolean {
	const scaled = x * 10 ** decimals;
	return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}
