/** Where a replayed market stands (`--replay FILE`), as the console header and reports read it. */
export interface ReplayView {
	file: string;
	/** The replay's clock as subscribers see it (Unix ms, shifted to now unless --keep-time). */
	clock: number;
	/** 0..1 through the replayed range. */
	progress: number;
	speed: number | 'max';
	paused: boolean;
	loops: number;
	ended: boolean;
}
