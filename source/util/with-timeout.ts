/** Resolves like `promise`, or rejects with "`what`: no answer within N ms" once `ms` have passed; the timer never outlives the race. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what?: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const message = `${what ? `${what}: ` : ''}no answer within ${ms} ms`;
	try {
		return await Promise.race([
			promise,
			new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
		]);
	} finally {
		clearTimeout(timer);
	}
}
