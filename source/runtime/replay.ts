/**
 * `--replay FILE` on run and the console: the embedded mock replays the recording (always looping, so a
 * soak outlasts the file) and the run trades the recording's symbols.
 */
import type {Profile} from '../profiles/schema.js';
import {UsageError} from '../util/usage-error.js';
import type {MockReplayOptions} from '../mock/replay/index.js';
import {splitSymbol} from '../mock/market/symbols.js';

/** Reads `--replay FILE` for a session: a bad file is a one-line usage error before anything starts. */
export async function readReplayFlag(path: string | undefined): Promise<MockReplayOptions | undefined> {
	if (path === undefined) return undefined;
	const {replayFromFlags} = await import('../mock/replay/replay-flags.js');
	return replayFromFlags({replay: path}, true);
}

/** The profile a replayed run uses: the embedded mock, trading what the recording holds. */
export function replayProfile(profile: Profile, replay: MockReplayOptions, exchangeUrl: string | undefined): Profile {
	if (profile.environment !== 'mock')
		throw new UsageError(
			`--replay: replays run on the embedded mock (profile ${profile.name} is ${profile.environment})`,
		);
	if (exchangeUrl !== undefined)
		throw new UsageError(
			'--replay: the embedded mock replays the file; give --replay to `drydock mock` instead of --exchange-url',
		);
	const symbols = replay.scan.symbols;
	const ccxt = symbols.map(s => {
		const parts = splitSymbol(s);
		return parts ? `${parts.base}/${parts.quote}` : s;
	});
	return {...profile, symbols: ccxt, mock: {...profile.mock, symbols}};
}
