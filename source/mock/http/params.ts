import {ApiError, errors} from './errors.js';

const DECIMAL = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;
const INTEGER = /^-?[0-9]{1,20}$/;
const SYMBOL = /^[A-Z0-9-_.]{1,20}$/;
const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/**
 * A request's parameters (query merged over form body), with Binance's validation on read. Each
 * getter marks the name as read so the route can reject parameters it never looked at (-1104).
 */
export class Params {
	private readonly values = new Map<string, string>();
	private readonly read = new Set<string>();

	/** `body` first, then `query` overriding it (query wins). Throws -1101 on a repeated name within one source. */
	constructor(query: string, body: string) {
		for (const source of [body, query]) {
			if (source === '') continue;
			const seen = new Set<string>();
			for (const [key, value] of new URLSearchParams(source)) {
				if (key === '') continue;
				if (seen.has(key)) throw errors.duplicate();
				seen.add(key);
				this.values.set(key, value);
			}
		}
	}

	get size(): number {
		return this.values.size;
	}

	has(name: string): boolean {
		return this.values.has(name);
	}

	/** The raw string; an empty value counts as absent, as Binance treats it. */
	raw(name: string): string | undefined {
		this.read.add(name);
		const v = this.values.get(name);
		return v === undefined || v === '' ? undefined : v;
	}

	string(name: string): string | undefined {
		const v = this.raw(name);
		if (v !== undefined && v.length > 1024) throw errors.outOfRange(name);
		return v;
	}

	requiredString(name: string): string {
		const v = this.string(name);
		if (v === undefined) throw errors.missing(name);
		return v;
	}

	symbol(name = 'symbol'): string | undefined {
		const v = this.raw(name);
		if (v === undefined) return undefined;
		if (!SYMBOL.test(v)) throw errors.illegal(name, '^[A-Z0-9-_.]{1,20}$');
		return v;
	}

	requiredSymbol(name = 'symbol'): string {
		const v = this.symbol(name);
		if (v === undefined) throw errors.missing(name);
		return v;
	}

	decimal(name: string): number | undefined {
		const v = this.raw(name);
		if (v === undefined) return undefined;
		if (!DECIMAL.test(v)) throw errors.illegal(name, '^([0-9]{1,20})(\\.[0-9]{1,20})?$');
		const n = Number(v);
		if (!Number.isFinite(n)) throw errors.outOfRange(name);
		return n;
	}

	integer(name: string, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
		const v = this.raw(name);
		if (v === undefined) return undefined;
		if (!INTEGER.test(v)) throw errors.illegal(name, '^-?[0-9]{1,20}$');
		const n = Number(v);
		if (!Number.isSafeInteger(n) || n < min || n > max) throw errors.outOfRange(name);
		return n;
	}

	requiredInteger(name: string, min?: number, max?: number): number {
		const v = this.integer(name, min, max);
		if (v === undefined) throw errors.missing(name);
		return v;
	}

	clientId(name: string): string | undefined {
		const v = this.raw(name);
		if (v === undefined) return undefined;
		if (!CLIENT_ID.test(v)) throw errors.illegal(name, '^[\\.A-Z\\:/a-z0-9_-]{1,36}$');
		return v;
	}

	/** -1104 when the request carried parameters the endpoint never read. */
	checkAllRead(): void {
		if (this.values.size === 0) return;
		let unread = 0;
		for (const key of this.values.keys()) if (!this.read.has(key)) unread++;
		if (unread > 0) throw errors.notAllRead(this.values.size - unread, this.values.size);
	}
}

export {ApiError};
