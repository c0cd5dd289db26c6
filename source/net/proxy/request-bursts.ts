/**
 * Where requests start in what a client sends on one connection, so a per-request fault (reset) rolls
 * once per request rather than once per chunk. A request is a burst: the client's bytes after the
 * venue last sent something. Inside TLS the handshake is not a request: a burst counts only when it
 * carries an application-data record, and in TLS 1.3 (the server's first flight already holds
 * application-data records) the client's first such record is its encrypted Finished, not a request.
 */

/** TLS record types (RFC 8446 §5.1). */
const handshake = 0x16;
const applicationData = 0x17;

/** Record boundaries in one direction of a TLS connection, across chunk boundaries. */
class RecordScanner {
	private skip = 0;
	private header: number[] = [];

	/** The types of the records whose header completes in this chunk. */
	scan(chunk: Buffer): number[] {
		const types: number[] = [];
		let i = 0;
		while (i < chunk.length) {
			if (this.skip > 0) {
				const n = Math.min(this.skip, chunk.length - i);
				this.skip -= n;
				i += n;
				continue;
			}
			this.header.push(chunk[i]!);
			i++;
			if (this.header.length === 5) {
				types.push(this.header[0]!);
				this.skip = (this.header[3]! << 8) | this.header[4]!;
				this.header = [];
			}
		}
		return types;
	}
}

export class RequestBursts {
	/** The first bytes up start a burst. */
	private downSinceUp = true;
	private rolled = false;
	/** null until the first bytes up tell (a TLS ClientHello record or not). */
	private tls: boolean | null = null;
	private readonly upRecords = new RecordScanner();
	private readonly downRecords = new RecordScanner();
	private clientAppRecords = 0;
	/** The server sent application data before the client did: TLS 1.3 (its encrypted handshake). */
	private serverAppFirst = false;

	/** Bytes from the client: true when they start a request not yet judged (roll for it now). */
	up(chunk: Buffer): boolean {
		if (chunk.length === 0) return false;
		if (this.tls === null) this.tls = chunk[0] === handshake && chunk[1] === 0x03;
		if (this.downSinceUp) {
			this.downSinceUp = false;
			this.rolled = false;
		}
		let request = !this.tls;
		if (this.tls) {
			for (const type of this.upRecords.scan(chunk)) {
				if (type !== applicationData) continue;
				this.clientAppRecords++;
				if (this.clientAppRecords === 1 && this.serverAppFirst) continue; // TLS 1.3 client Finished
				request = true;
			}
		}
		if (!request || this.rolled) return false;
		this.rolled = true;
		return true;
	}

	/** Bytes from the venue: the next bytes up start a new burst. */
	down(chunk: Buffer): void {
		if (chunk.length === 0) return;
		this.downSinceUp = true;
		// Only the start of the handshake needs the server's records; after it, only burst boundaries matter.
		if (!this.tls || this.clientAppRecords > 0 || this.serverAppFirst) return;
		if (this.downRecords.scan(chunk).includes(applicationData)) this.serverAppFirst = true;
	}
}
