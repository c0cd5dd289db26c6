/**
 * Splits a byte stream into text lines. A line longer than `maxLineChars` is cut there (a SUT printing
 * megabytes without a newline must not grow drydock's memory); a partial last line comes out on flush.
 */
import {StringDecoder} from 'node:string_decoder';

export class LineSplitter {
	private partial = '';
	// A multi-byte character split across two chunks must not turn into two replacement characters.
	private readonly decoder = new StringDecoder('utf8');

	constructor(
		private readonly onLine: (line: string) => void,
		private readonly maxLineChars = 16_384,
	) {}

	push(chunk: Buffer | string): void {
		let text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
		let newline = text.indexOf('\n');
		while (newline !== -1) {
			this.emit(text.slice(0, newline));
			text = text.slice(newline + 1);
			newline = text.indexOf('\n');
		}
		while (text.length > this.maxLineChars) {
			this.emit(text.slice(0, this.maxLineChars));
			text = text.slice(this.maxLineChars);
		}
		this.partial = text;
	}

	flush(): void {
		this.partial += this.decoder.end();
		if (this.partial !== '') this.emit(this.partial);
		this.partial = '';
	}

	private emit(line: string): void {
		const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
		this.onLine(trimmed.length > this.maxLineChars ? trimmed.slice(0, this.maxLineChars) : trimmed);
	}
}
