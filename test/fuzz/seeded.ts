/**
 * Seeded fuzzing: a small PRNG (mulberry32), the case count and seed from the environment, and a
 * failure message that says how to replay. CI runs a bounded number of cases; more with
 * DRYDOCK_FUZZ_CASES=N, a fixed seed with DRYDOCK_FUZZ_SEED=S.
 */

export interface Rng {
	readonly seed: number;
	/** [0, 1) */
	next(): number;
	/** Integer in [0, n). */
	int(n: number): number;
	pick<T>(items: readonly T[]): T;
	chance(p: number): boolean;
	/** Random printable-ish text of up to `max` characters (with some control and non-ASCII characters). */
	text(max: number): string;
	bytes(n: number): Buffer;
}

export function createRng(seed: number): Rng {
	let state = seed >>> 0;
	const next = (): number => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (n: number): number => Math.floor(next() * n);
	const alphabet = 'abcXYZ019 {}[]":,.-+eE\\/@&=?%\u0000\u001f\u00e9\u4e2d\ud83d\ude00';
	return {
		seed,
		next,
		int,
		pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
		chance: (p: number) => next() < p,
		text(max) {
			const length = int(max + 1);
			let out = '';
			// Surrogate pairs may be cut in half: lone surrogates are hostile input too.
			for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)];
			return out;
		},
		bytes(n) {
			const buffer = Buffer.alloc(n);
			for (let i = 0; i < n; i++) buffer[i] = int(256);
			return buffer;
		},
	};
}

export interface FuzzConfig {
	seed: number;
	cases: number;
}

/** Cases from DRYDOCK_FUZZ_CASES (default `defaultCases`), seed from DRYDOCK_FUZZ_SEED (default: random). */
export function fuzzConfig(defaultCases: number): FuzzConfig {
	const envCases = Number(process.env['DRYDOCK_FUZZ_CASES']);
	const envSeed = process.env['DRYDOCK_FUZZ_SEED'];
	const seed = envSeed !== undefined && envSeed !== '' && Number.isFinite(Number(envSeed)) ? Number(envSeed) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
	return {seed, cases: Number.isInteger(envCases) && envCases > 0 ? envCases : defaultCases};
}

/** Runs `body` with a seeded RNG; a failure is rethrown with the seed and the case that failed. */
export async function withSeed(name: string, config: FuzzConfig, body: (rng: Rng, cases: number, note: (what: string) => void) => Promise<void>): Promise<void> {
	const rng = createRng(config.seed);
	let last = '(before the first case)';
	try {
		await body(rng, config.cases, what => {
			last = what;
		});
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		const wrapped = new Error(`${name} failed with seed ${config.seed} at ${last}; replay: DRYDOCK_FUZZ_SEED=${config.seed} DRYDOCK_FUZZ_CASES=${config.cases}\n${message}`);
		if (error instanceof Error && error.stack) wrapped.stack = `${wrapped.message}\n${error.stack}`;
		throw wrapped;
	}
}

/** Records unhandled rejections and uncaught exceptions while installed. */
export function trapProcessFailures(): {failures: unknown[]; remove(): void} {
	const failures: unknown[] = [];
	const onRejection = (reason: unknown) => failures.push(reason);
	const onException = (error: unknown) => failures.push(error);
	process.on('unhandledRejection', onRejection);
	process.on('uncaughtException', onException);
	return {
		failures,
		remove() {
			process.off('unhandledRejection', onRejection);
			process.off('uncaughtException', onException);
		},
	};
}

/** Deterministic hostile JSON-ish values. */
export function hostileNumber(rng: Rng): unknown {
	return rng.pick<unknown>([
		'NaN', 'Infinity', '-Infinity', '1e400', '-1e400', 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, '99999999999999999999999999',
		-1, 0, '', ' ', null, true, {}, [], [1, 2], '0x10', '1,5', 'abc', 1.5e-320,
	]);
}

/** Cuts a JSON text at a random point (never the whole text). */
export function truncate(rng: Rng, text: string): string {
	return text.slice(0, Math.max(0, rng.int(Math.max(1, text.length - 1))));
}

export function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}
