import {gzipSync} from 'node:zlib';

/**
 * One serialised response body shared by every request that asks for the same thing while it is
 * current (a depth snapshot of one book version, a klines page whose live candle has not moved):
 * UTF-8 bytes made once, the gzip form made once on first demand, the text decoded only when a
 * caller needs a string (the WebSocket API parses it; REST sends the bytes). A 320 KB depth body
 * asked for thousands of times a second must not be re-encoded or re-compressed per request.
 */
export class SharedBody {
	private textValue: string | undefined;
	private gzipped: Buffer | undefined;

	private constructor(
		readonly bytes: Buffer,
		text: string | undefined,
	) {
		this.textValue = text;
	}

	static fromText(text: string): SharedBody {
		return new SharedBody(Buffer.from(text, 'utf8'), text);
	}

	/** From bytes already encoded (e.g. a cached prefix joined to a fresh tail). */
	static fromBytes(bytes: Buffer): SharedBody {
		return new SharedBody(bytes, undefined);
	}

	get text(): string {
		return (this.textValue ??= this.bytes.toString('utf8'));
	}

	/** gzip at level 1: these bodies change ten times a second, so compressing fast beats compressing small. */
	gzip(): Buffer {
		return (this.gzipped ??= gzipSync(this.bytes, {level: 1}));
	}
}

/**
 * A small registry of shared bodies by key, each valid for one version of whatever it was built
 * from (a book's update id): `get` answers the cached body while the version matches and builds
 * (once) otherwise. Bounded, oldest key out first, so odd parameter values cannot grow it.
 */
export class SharedBodies<K> {
	private readonly entries = new Map<K, {version: number; body: SharedBody}>();

	constructor(private readonly capacity = 16) {}

	get(key: K, version: number, build: () => string): SharedBody {
		const hit = this.entries.get(key);
		if (hit && hit.version === version) return hit.body;
		const body = SharedBody.fromText(build());
		if (!hit && this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
		this.entries.set(key, {version, body});
		return body;
	}

	/** Forgets every body: for a change that does not move the version (a replayed book keeps the recording's ids). */
	clear(): void {
		this.entries.clear();
	}
}
