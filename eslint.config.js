// ESLint flat config: typescript-eslint's type-checked rules (the floating/misused promise rules above
// all) on source/, test/ and bench/. Layer rules are not here: .dependency-cruiser.cjs holds them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The Node globals the plain-JS scripts (bench/*.js, bin/) use; TypeScript files get theirs from @types/node. */
const nodeGlobals = Object.fromEntries(
	[
		...['process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'fetch', 'performance', 'structuredClone'],
		...['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'queueMicrotask'],
		...['AbortController', 'AbortSignal', 'TextEncoder', 'TextDecoder'],
		...['module', 'require', '__dirname'],
	].map(name => [name, 'readonly']),
);

export default tseslint.config(
	{ignores: ['dist/', 'reports/', 'bench/results/', 'coverage/', 'examples/']},
	js.configs.recommended,
	tseslint.configs.recommendedTypeChecked,
	{
		// A disable comment that no longer silences anything is itself an error, so they cannot pile up.
		linterOptions: {reportUnusedDisableDirectives: 'error'},
		languageOptions: {
			parserOptions: {
				// Root config files sit outside tsconfig's include; they get a default project.
				projectService: {allowDefaultProject: ['*.ts']},
				tsconfigRootDir: import.meta.dirname,
			},
		},
		rules: {
			// Off: the engine's and stores' handles (EngineHandle, SnapshotSource, the screens) are
			// interfaces written with method syntax but implemented with bound or arrow members, and are
			// passed as callbacks by design (useSyncExternalStore takes getSnapshot); the rule cannot see the
			// implementations and flagged only those hand-overs.
			'@typescript-eslint/unbound-method': 'off',
			// `_name` marks a deliberately unused binding; `{dropped, ...rest}` is how a field is left out.
			'@typescript-eslint/no-unused-vars': [
				'error',
				{
					argsIgnorePattern: '^_',
					varsIgnorePattern: '^_',
					caughtErrorsIgnorePattern: '^_',
					destructuredArrayIgnorePattern: '^_',
					ignoreRestSiblings: true,
				},
			],
		},
	},
	{
		files: ['test/**'],
		rules: {
			// Fakes implement the clients' async interfaces with synchronous bodies; that is not a bug there.
			'@typescript-eslint/require-await': 'off',
			// Tests parse wire bodies (JSON, frames) and assert on their shape field by field: an `any` there is
			// the point of the test, not a leak of untyped data into code. source/ keeps the whole family.
			'@typescript-eslint/no-unsafe-assignment': 'off',
			'@typescript-eslint/no-unsafe-member-access': 'off',
			'@typescript-eslint/no-unsafe-return': 'off',
			'@typescript-eslint/no-unsafe-argument': 'off',
			'@typescript-eslint/no-unsafe-call': 'off',
			// expect(x).toBe(...) chains and `expect(obj.method)` references are how vitest reads.
			'@typescript-eslint/unbound-method': 'off',
		},
	},
	{
		// bench/*.js, bin/ and config files are plain JS outside tsconfig: the untyped rules only.
		files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
		extends: [tseslint.configs.disableTypeChecked],
		languageOptions: {globals: nodeGlobals},
	},
);
