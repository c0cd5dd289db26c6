import {UsageError} from '../util/usage-error.js';

// Placeholder until the owning module lands; replaced by its command implementation.
export default async function command(_argv: string[]): Promise<number> {
	throw new UsageError('the "report" command is not built yet');
}
