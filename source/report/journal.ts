/**
 * events.ndjson: the run's journal, appended through a bounded write queue. When the disk can't keep up
 * the oldest queued lines are dropped and counted (memory stays bounded), and a marker line says so.
 */
import {createWriteStream, type WriteStream} from 'node:fs';

export class Journal {
	private stream: WriteStream;
	private queue: string[] = [];
	private writing = false;
	private closed = false;
	dropped = 0;
	private droppedUnmarked = 0;
	written = 0;

	constructor(
		readonly file: string,
		private readonly mask: (text: string) => string = t => t,
		private readonly maxQueued = 10_000,
	) {
		this.stream = createWriteStream(file, {flags: 'a'});
		this.stream.on('error', () => {
			// A full or vanished disk must not crash the run; the report says how much was dropped.
			this.closed = true;
		});
	}

	append(record: unknown): void {
		if (this.closed) return;
		let line: string;
		try {
			line = this.mask(JSON.stringify(record)) + '\n';
		} catch {
			return;
		}
		if (this.queue.length >= this.maxQueued) {
			this.queue.shift();
			this.dropped++;
			this.droppedUnmarked++;
		}
		this.queue.push(line);
		this.pump();
	}

	private pump(): void {
		if (this.writing || this.closed || this.queue.length === 0) return;
		let chunk =
			this.droppedUnmarked > 0 ? JSON.stringify({type: 'journal-dropped', count: this.droppedUnmarked}) + '\n' : '';
		this.droppedUnmarked = 0;
		const batch = this.queue.splice(0, 1000);
		chunk += batch.join('');
		this.writing = true;
		this.stream.write(chunk, () => {
			this.written += batch.length;
			this.writing = false;
			this.pump();
		});
	}

	async close(): Promise<void> {
		// Drain what is queued, then end.
		while ((this.writing || this.queue.length > 0) && !this.closed) {
			await new Promise(resolve => setTimeout(resolve, 5));
			this.pump();
		}
		this.closed = true;
		await new Promise<void>(resolve => this.stream.end(() => resolve()));
	}
}
