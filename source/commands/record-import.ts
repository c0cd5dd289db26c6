/**
 * `drydock record import trades|aggTrades|klines FILE.zip [...] -o FILE.rec`: Binance's public daily or
 * monthly dumps as a trade-driven recording. Exit 0 written, 2 bad input (kind, file, row, -o).
 */
import {parseCommandArgs} from '../util/args.js';
import {UsageError} from '../util/usage-error.js';
import {helpOption, showHelp} from './flags.js';
import {outputProblem} from '../recording/recording-output.js';
import {parseSymbolList} from '../recording/stream-names.js';

export const recordImportHelp = `drydock record import — Binance public data dumps (data.binance.vision) as a recording

Usage:
  drydock record import trades|aggTrades|klines FILE.zip [FILE.zip ...] -o FILE.rec [--force]

Options:
  --symbol S           the symbol, when the file names do not start with it (BTCUSDT-trades-2026-11-30.zip)
  --interval I         klines: the interval, when the file names do not say it (BTCUSDT-1m-2026-11-30.zip)
  -o, --output FILE    the recording to write (refused if it exists, unless --force)
  --force              overwrite FILE
  -h, --help           this text

Rows of all files are merged in time order; each row becomes the frame Binance would have pushed
(<symbol>@trade, @aggTrade, @kline_<interval>) with its trade or close time as receive time. Files with or
without a header row, and the microsecond timestamps of 2025+ dumps, are read alike. Missing ids between
files are written as gaps.`;

export default async function command(argv: string[]): Promise<number> {
	const {values, positionals} = parseCommandArgs('record import', argv, {
		output: {type: 'string', short: 'o'},
		force: {type: 'boolean'},
		symbol: {type: 'string'},
		interval: {type: 'string'},
		...helpOption,
	});
	if (showHelp(values, recordImportHelp)) return 0;
	const {DUMP_KINDS, DumpFormatError, describeDumpName} = await import('../recording/import/dump-rows.js');
	const [kindText, ...paths] = positionals;
	const kind = DUMP_KINDS.find(k => k === kindText);
	if (kind === undefined)
		throw new UsageError(
			`record import: ${kindText === undefined ? 'say what the dumps hold' : `"${kindText}" is not a dump kind`} (trades, aggTrades or klines)`,
		);
	if (paths.length === 0) throw new UsageError(`record import ${kind}: give at least one FILE.zip`);
	const output = values.output;
	if (output === undefined) throw new UsageError('-o: say where the recording goes, e.g. -o btc.rec');
	const problem = outputProblem(output, values.force === true);
	if (problem !== undefined) throw new UsageError(`-o: ${problem}`);
	let symbolFlag: string | undefined;
	if (values.symbol !== undefined) {
		const parsed = parseSymbolList(values.symbol);
		if (!parsed.ok || parsed.values.length !== 1)
			throw new UsageError(`--symbol: ${parsed.ok ? 'one symbol only' : parsed.message}`);
		symbolFlag = parsed.values[0];
	}
	if (values.interval !== undefined && !/^\d+[smhdwM]$/.test(values.interval))
		throw new UsageError(`--interval: "${values.interval}" is not a kline interval like 1m or 1h`);
	const {existsSync} = await import('node:fs');
	const files = paths.map(path => {
		if (!existsSync(path)) throw new UsageError(`record import: ${path} does not exist`);
		const named = describeDumpName(path);
		const symbol = symbolFlag ?? named.symbol;
		if (symbol === undefined)
			throw new UsageError(`record import: cannot tell the symbol from "${path}"; add --symbol BTCUSDT`);
		const interval = values.interval ?? named.interval;
		if (kind === 'klines' && interval === undefined)
			throw new UsageError(`record import: cannot tell the kline interval from "${path}"; add --interval 1m`);
		return {path, symbol, ...(kind === 'klines' ? {interval} : {})};
	});

	const {importDumps} = await import('../recording/import/dump-import.js');
	const {ZipFormatError} = await import('../recording/import/zip-reader.js');
	const {formatBytes} = await import('../recording/record-progress.js');
	const {drydockVersion} = await import('../runtime/session.js');
	const started = performance.now();
	let result;
	try {
		result = await importDumps({kind, files, output, tool: `drydock ${drydockVersion()}`});
	} catch (error) {
		if (error instanceof DumpFormatError || error instanceof ZipFormatError) throw new UsageError(error.message);
		const e = error as NodeJS.ErrnoException;
		if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR')
			throw new UsageError(`record import: a file does not inflate (${e.message}); is the archive damaged?`);
		throw error;
	}
	if (result.frames === 0) {
		const {unlinkSync} = await import('node:fs');
		unlinkSync(output);
		throw new UsageError(`record import: ${paths.join(', ')} hold no ${kind} rows`);
	}
	const seconds = (performance.now() - started) / 1000;
	const span =
		result.firstT !== null && result.lastT !== null
			? ` ${new Date(result.firstT).toISOString()} → ${new Date(result.lastT).toISOString()},`
			: '';
	process.stderr.write(
		`drydock record import: ${output}: ${result.frames} frames (${result.symbols.join(',')} ${result.streams.join(',')}),${span} ` +
			`${result.gaps} gaps, ${result.duplicates} duplicate rows skipped, ${formatBytes(result.bytesWritten)}; ` +
			`${Math.round(result.rows / Math.max(seconds, 1e-3))} rows/s\n`,
	);
	return 0;
}
