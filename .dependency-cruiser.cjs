/**
 * The layer rules of DESIGN.md as a test (test/architecture/layers.test.ts runs this on source/):
 *
 *     ui → engine ← phases → exchange → ccxt        mock stands alone (reached over the wire)
 *     report, monitor: used by the engine           commands/, runtime/, cli.tsx: the composition root
 *
 * Paths are matched on both `node_modules/x/` and a bare `x` so a package resolves the same way in a
 * checkout and in a worktree whose node_modules is a symlink (its real path is then `../../…/node_modules`).
 * docs/ARCHITECTURE.md explains the picture; change both together.
 */

/** A package, resolved (…/node_modules/name/…) or not (name, name/sub). */
const pkg = (...names) => `(^|/)node_modules/(${names.join('|')})/|^(${names.join('|')})(/|$)`;
const layer = (...folders) => `^source/(${folders.join('|')})/`;

const CCXT = pkg('ccxt');
const UI_FRAMEWORKS = pkg('react', 'ink', 'ink-[^/]+');
/** The pure fault vocabulary (what a fault is, where it can be injected): a leaf the mock may share. */
const FAULT_SPEC = '^source/faults/spec(/|[^/]*\\.ts$)';
/** The recording file format (what a recording holds, how it is read and written): a leaf the mock's replay shares. */
const RECORDING_FORMAT = '^source/recording/format/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
	forbidden: [
		{
			name: 'no-circular',
			severity: 'error',
			comment: 'A cycle makes two modules one: neither can be read, tested or moved alone.',
			from: {},
			to: {circular: true},
		},
		{
			name: 'ccxt-only-in-exchange',
			severity: 'error',
			comment: 'source/exchange is the only code that imports ccxt; everything else talks to its client interface.',
			from: {path: '^source/', pathNot: layer('exchange')},
			to: {path: CCXT},
		},
		{
			name: 'engine-no-frameworks',
			severity: 'error',
			comment: 'The engine runs headless and in tests: no React, no Ink, no ccxt.',
			from: {path: layer('engine')},
			to: {path: [UI_FRAMEWORKS, CCXT]},
		},
		{
			name: 'engine-no-outer-layers',
			severity: 'error',
			comment: 'Arrows point into the engine (ui → engine ← phases); it never reaches back out.',
			from: {path: layer('engine')},
			to: {path: [layer('ui', 'phases', 'exchange', 'commands', 'runtime', 'mock'), '^source/cli\\.tsx$']},
		},
		{
			name: 'ui-reads-snapshots-only',
			severity: 'error',
			comment:
				'The UI reads engine snapshots and dispatches named commands; exchange, phases, mock and the ' +
				'composition root (commands/, runtime/) are wired by commands/, never imported by ui/.',
			from: {path: layer('ui')},
			to: {path: [CCXT, layer('exchange', 'phases', 'mock', 'net', 'commands', 'runtime'), '^source/cli\\.tsx$']},
		},
		{
			name: 'mock-stands-alone',
			severity: 'error',
			comment:
				'The embedded exchange is a separate server: it imports only itself and pure leaves ' +
				'(source/util, the fault vocabulary in source/faults/spec, the recording format it replays).',
			from: {path: layer('mock')},
			to: {path: '^source/', pathNot: [layer('mock', 'util'), FAULT_SPEC, RECORDING_FORMAT]},
		},
		{
			name: 'mock-reached-over-the-wire',
			severity: 'error',
			comment:
				'Only the composition root (runtime/, commands/) starts the embedded mock; everything else ' +
				'talks to it over HTTP/WS like to a real exchange.',
			from: {path: '^source/', pathNot: [layer('mock', 'runtime', 'commands')]},
			to: {path: layer('mock'), pathNot: layer('mock/matching')},
		},
		{
			name: 'matching-engine-only-for-paper-broker',
			severity: 'error',
			comment: 'DESIGN.md: the matching engine is a pure module that the paper broker (in exchange/) may reuse.',
			from: {path: '^source/', pathNot: [layer('mock', 'runtime', 'commands', 'exchange')]},
			to: {path: layer('mock/matching')},
		},
		{
			name: 'fault-spec-is-a-leaf',
			severity: 'error',
			comment: 'The fault vocabulary is shared by mock, proxy, phases and profiles, so it may depend on none of them.',
			from: {path: FAULT_SPEC},
			to: {path: '^source/', pathNot: ['^source/faults/spec/', layer('util')]},
		},
		{
			name: 'recording-format-is-a-leaf',
			severity: 'error',
			comment:
				'The recording format is read by the mock (replay) and written by the recorder, so it depends on neither.',
			from: {path: RECORDING_FORMAT},
			to: {path: '^source/', pathNot: [RECORDING_FORMAT, layer('util')]},
		},
		{
			name: 'recorder-stands-apart',
			severity: 'error',
			comment:
				'The recorder (source/recording/) is a venue client over the wire (ws + fetch): no mock, engine, ui, ' +
				'phases, ccxt client or composition root, so recording a market never drags the test console in.',
			from: {path: '^source/recording/', pathNot: RECORDING_FORMAT},
			to: {path: [CCXT, UI_FRAMEWORKS, layer('mock', 'engine', 'ui', 'phases', 'exchange', 'commands', 'runtime')]},
		},
		{
			name: 'report-monitor-below-engine',
			severity: 'error',
			comment: 'report/ and monitor/ are used by the engine; they read run views, never the layers above.',
			from: {path: layer('report', 'monitor')},
			to: {path: [CCXT, UI_FRAMEWORKS, layer('ui', 'phases', 'exchange', 'commands', 'runtime', 'mock')]},
		},
		{
			name: 'phases-no-ui-no-root',
			severity: 'error',
			comment: 'A phase gets everything through its context; it knows nothing of the screen or of how it was wired.',
			from: {path: layer('phases')},
			to: {path: [UI_FRAMEWORKS, layer('ui', 'commands', 'runtime')]},
		},
		{
			name: 'exchange-below-phases',
			severity: 'error',
			comment: 'exchange → ccxt is the end of the arrow: the client layer knows no engine, phase or screen.',
			from: {path: layer('exchange')},
			to: {path: [UI_FRAMEWORKS, layer('engine', 'phases', 'ui', 'commands', 'runtime')]},
		},
		{
			name: 'sut-boundary',
			severity: 'error',
			comment:
				'The system under test is watched from outside: engine types, util and monitor are fine; the ' +
				'screen, the ccxt client and the mock (it sees the venue over the mock admin wire) are not.',
			from: {path: layer('sut')},
			to: {path: [CCXT, UI_FRAMEWORKS, layer('ui', 'exchange', 'mock', 'commands')]},
		},
		{
			name: 'composition-root-not-imported',
			severity: 'error',
			comment: 'commands/ and runtime/ wire everything together; nothing below may depend on how it was wired.',
			from: {path: '^source/', pathNot: [layer('commands', 'runtime'), '^source/cli\\.tsx$']},
			to: {path: layer('commands', 'runtime')},
		},
		{
			name: 'no-dev-deps-in-source',
			severity: 'error',
			comment: 'devDependencies are not installed with the package; shipped code cannot use them.',
			from: {path: '^source/'},
			to: {dependencyTypes: ['npm-dev']},
		},
	],
	options: {
		doNotFollow: {path: 'node_modules'},
		// Type-only imports are arrows too: a type from the UI in the engine is still the engine knowing the UI.
		tsPreCompilationDeps: true,
		tsConfig: {fileName: 'tsconfig.json'},
		enhancedResolveOptions: {
			exportsFields: ['exports'],
			conditionNames: ['import', 'require', 'node', 'default', 'types'],
			mainFields: ['module', 'main', 'types'],
		},
	},
};
