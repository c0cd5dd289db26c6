import {parseArgs, type ParseArgsConfig} from 'node:util';
import {UsageError} from './usage-error.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/**
 * `util.parseArgs` with drydock's error style: an unknown or malformed flag becomes a UsageError that
 * names the command and the flag, so the CLI prints one line and exits 2.
 */
export function parseCommandArgs<O extends OptionSpec>(
	command: string,
	argv: string[],
	options: O,
	allowPositionals = true,
) {
	try {
		return parseArgs({args: argv, options, allowPositionals, strict: true});
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		throw new UsageError(`${command}: ${message.replace(/^TypeError \[[A-Z_]+\]: /, '')}`);
	}
}

/** Reads a flag as a finite number within [min, max], naming the flag when it is not. */
export function numberOption(
	value: string | undefined,
	flag: string,
	{min = -Infinity, max = Infinity, integer = false} = {},
): number | undefined {
	if (value === undefined) return undefined;
	const n = Number(value);
	if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
		const kind = integer ? 'an integer' : 'a number';
		const range = min > -Infinity && max < Infinity ? ` between ${min} and ${max}` : min > -Infinity ? ` ≥ ${min}` : '';
		throw new UsageError(`${flag}: "${value}" is not ${kind}${range}`);
	}
	return n;
}
