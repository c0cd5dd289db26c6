/**
 * The header's market segment (the mock's simulated market, engine/market-view.ts): the first symbol's
 * regime, and what outranks it when it happens — a halt (any symbol), then a shock under way. Its own
 * module so the header only splices it in.
 */
import type {MarketView} from '../../engine/market-view.js';
import type {SegmentInput} from '../components/Line.js';

const regimeColor: Record<string, string> = {trending: 'cyan', ranging: 'gray', volatile: 'yellow'};

/** The segments for the header's second line; none off the mock (no market seen). */
export function marketSegments(
	market: MarketView | null | undefined,
	options: {regime?: boolean} = {},
): SegmentInput[] {
	if (!market || market.symbols.length === 0) return [];
	const halted = market.symbols.filter(s => s.status !== 'TRADING');
	if (halted.length > 0)
		return [
			{
				text: `HALT ${halted.map(s => s.symbol).join(',')}`,
				color: 'red',
				bold: true,
				inverse: true,
			},
		];
	// A replayed market (regime: false) has halts but no simulated regime, and price shocks do not act on it.
	if (options.regime === false) return [];
	const shocked = market.symbols.find(s => s.shock !== null && s.shock.phase !== 'over');
	const first = market.symbols[0]!;
	const regime: SegmentInput = {
		text: `market ${first.regime}${first.regimeSetting === 'auto' ? '' : ' (set)'}`,
		color: regimeColor[first.regime] ?? 'gray',
	};
	if (!shocked) return [regime];
	const percent = shocked.shock!.percent;
	return [
		{
			text: `shock ${shocked.symbol} ${percent > 0 ? '+' : ''}${percent}% ${shocked.shock!.phase}`,
			color: 'magenta',
			bold: true,
		},
		regime,
	];
}
