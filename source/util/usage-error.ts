/**
 * A mistake by the user (bad flag, bad file, bad value). The CLI prints its message on one line and
 * exits with `exitCode` (2 by default) — never a stack trace.
 */
export class UsageError extends Error {
	override readonly name = 'UsageError';
	constructor(
		message: string,
		readonly exitCode = 2,
	) {
		super(message);
	}
}

export function isUsageError(error: unknown): error is UsageError {
	return error instanceof UsageError;
}
