/** A fixed-capacity ring buffer: pushing beyond capacity drops the oldest item. */
export class RingBuffer<T> {
	private readonly items: (T | undefined)[];
	private start = 0;
	private length = 0;

	constructor(readonly capacity: number) {
		if (!Number.isInteger(capacity) || capacity < 1)
			throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
		this.items = new Array<T | undefined>(capacity);
	}

	get size(): number {
		return this.length;
	}

	push(item: T): void {
		const index = (this.start + this.length) % this.capacity;
		this.items[index] = item;
		if (this.length < this.capacity) this.length++;
		else this.start = (this.start + 1) % this.capacity;
	}

	/** Oldest first. */
	toArray(): T[] {
		const out: T[] = new Array<T>(this.length);
		for (let i = 0; i < this.length; i++) out[i] = this.items[(this.start + i) % this.capacity] as T;
		return out;
	}

	last(): T | undefined {
		return this.length === 0 ? undefined : this.items[(this.start + this.length - 1) % this.capacity];
	}

	clear(): void {
		this.items.fill(undefined);
		this.start = 0;
		this.length = 0;
	}
}
