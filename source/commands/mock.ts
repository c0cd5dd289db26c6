import {numberOption, parseCommandArgs} from '../util/args.js';
import {UsageError} from '../util/usage-error.js';
import {helpOption, portOption, showHelp} from './flags.js';
import {marketFlagOptions, marketFlagsHelp, marketSettingsFromFlags} from '../mock/market/market-settings.js';
import {describeReplay, replayFlagOptions, replayFlagsHelp, replayFromFlags} from '../mock/replay/replay-flags.js';

const help = (
	apiKey: string,
	apiSecret: string,
) => `drydock mock — the embedded Binance-compatible spot exchange (REST + WebSocket on one port)

Usage:
  drydock mock [--host 127.0.0.1] [--port N] [--seed N] [--symbols BTCUSDT,ETHUSDT]
               [--api-key K] [--api-secret S] [--weight-limit N] [--legacy-user-data]
               [--volatility X] [--drift X] [--regime R] [--trade-rate N] [--spread BPS]
  drydock mock --replay FILE [--speed 1|10|max] [--from T] [--to T] [--loop] [--keep-time] [--paused]

Options:
  --host HOST         interface to listen on (default 127.0.0.1)
  --port N            port; 0 picks a free one (default 0)
  --seed N            market seed: same seed, same prices (default 1)
  --symbols LIST      comma-separated symbols (default BTCUSDT,ETHUSDT)
  --api-key K         API key the mock accepts (default below)
  --api-secret S      its HMAC secret (default below)
  --weight-limit N    request weight per IP per minute before 429 (default 6000, as Binance);
                      raise it to load-test the mock itself
  --legacy-user-data  also serve the listenKey user-data flow Binance withdrew on 2026-02-20
                      (for bots being migrated; says so on start)
${marketFlagsHelp}${replayFlagsHelp}  -h, --help          this text

Default credentials (loopback only, not secret):
  api key     ${apiKey}
  api secret  ${apiSecret}

When ready it prints one JSON line on stdout:
  {"rest":"http://127.0.0.1:PORT","ws":"ws://127.0.0.1:PORT","admin":"http://127.0.0.1:PORT/__drydock"}
and runs until SIGINT/SIGTERM. Faults: POST {admin}/faults {"fault":"latency","params":{"ms":200},"durationMs":10000};
DELETE {admin}/faults clears them; GET {admin}/stats counts requests, orders and WebSocket traffic.
`;

export default async function command(argv: string[]): Promise<number> {
	const {values, positionals} = parseCommandArgs(
		'mock',
		argv,
		{
			host: {type: 'string'},
			port: {type: 'string'},
			seed: {type: 'string'},
			symbols: {type: 'string'},
			'api-key': {type: 'string'},
			'api-secret': {type: 'string'},
			'weight-limit': {type: 'string'},
			'legacy-user-data': {type: 'boolean'},
			...marketFlagOptions,
			...replayFlagOptions,
			...helpOption,
		},
		false,
	);
	void positionals;
	const {startMockExchange, DEFAULT_API_KEY, DEFAULT_API_SECRET, LEGACY_USER_DATA_NOTICE} =
		await import('../mock/index.js');
	if (showHelp(values, help(DEFAULT_API_KEY, DEFAULT_API_SECRET))) return 0;
	const port = portOption(values.port, '--port');
	const seed = numberOption(values.seed, '--seed', {integer: true});
	const weightLimit = numberOption(values['weight-limit'], '--weight-limit', {min: 1, max: 1e12, integer: true});
	const symbols = values.symbols
		?.split(',')
		.map(s => s.trim().toUpperCase())
		.filter(s => s !== '');
	if (symbols !== undefined && symbols.length === 0)
		throw new UsageError('--symbols: give at least one symbol, e.g. BTCUSDT,ETHUSDT');
	const {splitSymbol} = await import('../mock/market/symbols.js');
	for (const s of symbols ?? []) {
		if (!splitSymbol(s))
			throw new UsageError(
				`--symbols: "${s}" is not a symbol like BTCUSDT (base + a known quote asset such as USDT, BTC, ETH)`,
			);
	}
	const apiKey = values['api-key'];
	if (apiKey !== undefined && !/^[A-Za-z0-9]{1,128}$/.test(apiKey))
		throw new UsageError('--api-key: use 1–128 letters and digits, as Binance keys are');
	const apiSecret = values['api-secret'];
	if (apiSecret !== undefined && apiSecret === '') throw new UsageError('--api-secret: must not be empty');

	const market = marketSettingsFromFlags(values);
	if (!market.ok) throw new UsageError(market.message);
	const legacyUserData = values['legacy-user-data'] === true;
	const replay = await replayFromFlags(values);
	if (replay && symbols !== undefined) throw new UsageError('--symbols: a replay takes its symbols from the recording');

	let mock;
	try {
		mock = await startMockExchange({
			host: values.host ?? '127.0.0.1',
			port: port ?? 0,
			...(seed === undefined ? {} : {seed}),
			...(symbols === undefined ? {} : {symbols}),
			...(apiKey === undefined ? {} : {apiKey}),
			...(apiSecret === undefined ? {} : {apiSecret}),
			...(weightLimit === undefined ? {} : {weightLimitPerMinute: weightLimit}),
			...(Object.keys(market.settings).length > 0 ? {market: market.settings} : {}),
			...(legacyUserData ? {legacyUserData: true} : {}),
			...(replay ? {replay} : {}),
		});
	} catch (error) {
		const e = error as NodeJS.ErrnoException;
		if (e.code === 'EADDRINUSE')
			throw new UsageError(`--port: ${port} is already in use on ${values.host ?? '127.0.0.1'}`);
		if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
			throw new UsageError(`--host: cannot listen on "${values.host}"`);
		throw error;
	}
	// Handlers go in before the ready line: a supervisor may signal the moment it reads it.
	const stopped = new Promise<NodeJS.Signals>(resolve => {
		const stop = (s: NodeJS.Signals) => resolve(s);
		process.once('SIGINT', stop);
		process.once('SIGTERM', stop);
	});
	process.stdout.write(`${JSON.stringify({rest: mock.rest, ws: mock.ws, admin: mock.admin})}\n`);
	process.stderr.write(`drydock mock: serving ${mock.rest} (Ctrl-C to stop)\n`);
	if (legacyUserData) process.stderr.write(`drydock mock: ${LEGACY_USER_DATA_NOTICE}\n`);
	if (replay) process.stderr.write(`drydock mock: ${describeReplay(replay)}\n`);
	const signal = await stopped;
	process.stderr.write(`drydock mock: ${signal}, closing\n`);
	await mock.close();
	return 0;
}
