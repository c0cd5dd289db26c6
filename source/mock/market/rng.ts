/**
 * Seeded pseudo-random numbers (sfc32). Every consumer gets its own stream, forked by label, so one
 * part of the simulator drawing more or fewer numbers never shifts another part's sequence.
 */
export class Rng {
	private a: number;
	private b: number;
	private c: number;
	private d: number;

	constructor(seed: number, label = '') {
		const h = hashString(`${seed}:${label}`);
		this.a = h[0]!;
		this.b = h[1]!;
		this.c = h[2]!;
		this.d = h[3]!;
		for (let i = 0; i < 15; i++) this.next();
	}

	/** Uniform in [0, 1). */
	next(): number {
		const t = (((this.a + this.b) | 0) + this.d) | 0;
		this.d = (this.d + 1) | 0;
		this.a = this.b ^ (this.b >>> 9);
		this.b = (this.c + (this.c << 3)) | 0;
		this.c = (this.c << 21) | (this.c >>> 11);
		this.c = (this.c + t) | 0;
		return (t >>> 0) / 4294967296;
	}

	/** Integer in [min, max] inclusive. */
	int(min: number, max: number): number {
		return min + Math.floor(this.next() * (max - min + 1));
	}

	range(min: number, max: number): number {
		return min + this.next() * (max - min);
	}

	/** Standard normal (Box-Muller). */
	normal(): number {
		let u = this.next();
		if (u < 1e-12) u = 1e-12;
		return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
	}

	/** Poisson-distributed count with mean lambda (Knuth; lambda is small here). */
	poisson(lambda: number): number {
		const limit = Math.exp(-lambda);
		let k = 0;
		let p = this.next();
		while (p > limit) {
			k++;
			p *= this.next();
		}
		return k;
	}

	/** Exponential with the given mean. */
	exponential(mean: number): number {
		return -Math.log(1 - this.next()) * mean;
	}
}

/** cyrb128: four 32-bit words from a string, used to seed sfc32. */
function hashString(text: string): [number, number, number, number] {
	let h1 = 1779033703;
	let h2 = 3144134277;
	let h3 = 1013904242;
	let h4 = 2773480762;
	for (let i = 0; i < text.length; i++) {
		const k = text.charCodeAt(i);
		h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
		h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
		h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
		h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
	}
	h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
	h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
	h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
	h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
	h1 ^= h2 ^ h3 ^ h4;
	h2 ^= h1;
	h3 ^= h1;
	h4 ^= h1;
	return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A stable hash of a string to [0, 1), for deriving per-symbol constants. */
export function unitHash(text: string): number {
	return hashString(text)[0] / 4294967296;
}
