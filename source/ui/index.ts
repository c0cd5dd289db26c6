/**
 * The UI's face to the composition roots in source/commands: mount the console (`drydock`, `drydock
 * run` on a TTY) or the Load screen (`drydock load` on a TTY). Both mount modules import ink-env
 * first, so NODE_ENV and CI are set as Ink and React must see them; this file imports nothing before
 * ink-env either (and has no JSX, whose runtime import would come first).
 */
import './ink-env.js';

export {mountConsole, maxConsoleFps, type ConsoleOptions, type MountedConsole} from './console/mount-console.js';
export {mountLoadScreen, type LoadScreenOptions, type MountedLoadScreen} from './load/mount-load-screen.js';
export {shouldUseAscii} from './glyphs.js';
export {createRuntimeStatus, followRuntime, type RuntimeStatusSource} from './console/runtime-status.js';
