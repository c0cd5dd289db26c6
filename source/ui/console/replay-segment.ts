/** The header's replay segment: the replayed clock (UTC), how far through the file, speed and loops. */
import type {ReplayView} from '../../engine/replay-view.js';
import type {SegmentInput} from '../components/Line.js';

export function replaySegment(replay: ReplayView): SegmentInput {
	const clock = new Date(replay.clock).toISOString().slice(11, 19);
	const state = replay.ended ? ' ended' : replay.paused ? ' paused' : '';
	const speed = replay.speed === 'max' ? 'max' : `${replay.speed}x`;
	const loops = replay.loops > 0 ? ` loop ${replay.loops + 1}` : '';
	return {
		text: `replay ${clock} ${Math.round(replay.progress * 100)}% ${speed}${loops}${state}`,
		color: replay.ended || replay.paused ? 'yellow' : 'magenta',
	};
}
