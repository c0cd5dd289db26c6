/**
 * Polls the mock's market steering (GET {admin}/market) over HTTP and emits a `market` event when what
 * the console and the report show changes: a regime, a trading status, a shock's phase. Prices are left
 * out of the comparison, so a quiet market journals nothing.
 */
import type {EngineEvent} from '../engine/events.js';
import type {MarketSymbolView, MarketView} from '../engine/market-view.js';

export interface MarketWatchOptions {
	adminUrl: string;
	emit: (event: EngineEvent) => void;
	/** Default 1 s: a regime lasts at least 30 s, a chaos shock a few seconds. */
	intervalMs?: number;
	now?: () => number;
}

/** Starts polling; the returned function stops it. */
export function watchMarket(options: MarketWatchOptions): () => void {
	const base = options.adminUrl.replace(/\/+$/, '');
	const now = options.now ?? Date.now;
	let last = '';
	let busy = false;
	let stopped = false;
	const poll = async () => {
		if (busy || stopped) return;
		busy = true;
		try {
			const response = await fetch(`${base}/market`, {signal: AbortSignal.timeout(2_000)});
			if (!response.ok) return;
			const symbols = parseMarket(await response.json());
			if (symbols === null) return;
			const key = JSON.stringify(symbols);
			if (key === last || stopped) return;
			last = key;
			const view: MarketView = {at: now(), symbols};
			options.emit({type: 'market', at: view.at, view});
		} catch {
			// A mock that stopped answering shows as the last state seen; the run's own checks judge the venue.
		} finally {
			busy = false;
		}
	};
	void poll();
	const timer = setInterval(() => void poll(), options.intervalMs ?? 1_000);
	timer.unref();
	return () => {
		stopped = true;
		clearInterval(timer);
	};
}

/** The admin answer → the engine's view (null when it is not the mock's market shape). */
export function parseMarket(body: unknown): MarketSymbolView[] | null {
	const list = (body as {symbols?: unknown} | null)?.symbols;
	if (!Array.isArray(list)) return null;
	const str = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
	return list.flatMap((raw: unknown): MarketSymbolView[] => {
		if (raw === null || typeof raw !== 'object') return [];
		const s = raw as Record<string, unknown>;
		const settings = (s.settings ?? {}) as Record<string, unknown>;
		const shock = s.shock as Record<string, unknown> | undefined;
		return [
			{
				symbol: str(s.symbol, '?'),
				regime: str(s.regime, '?'),
				regimeSetting: str(settings.regime, 'auto'),
				volatility: Number(settings.volatility ?? 0),
				status: str(s.status, 'TRADING'),
				shock: shock
					? {percent: Number(shock.percent), phase: str(shock.phase, '?'), startedAt: Number(shock.startedAt)}
					: null,
				resumeAt: typeof s.resumeAt === 'number' ? s.resumeAt : null,
			},
		];
	});
}
