#!/usr/bin/env node
// Bundles the CLI into dist/bundle/: cli.js holds everything the console's first frame needs (Ink,
// React, yoga, drydock's UI) in one file, so start-up is one parse instead of hundreds of module
// resolutions; what the first screen does not need (ccxt client, mock, phases, reports, load) stays
// behind dynamic imports as separate chunks. `tsc -p tsconfig.build.json` still emits dist/ (the
// type check, and the modules benches and tests import). Depth matters: modules find package.json
// and profiles/ at `../../` from import.meta.url, which dist/bundle/*.js keeps true.
import {build} from 'esbuild';
import {readFileSync, rmSync} from 'node:fs';
import {builtinModules} from 'node:module';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/bundle`;
rmSync(outdir, {recursive: true, force: true});

// React, its reconciler and scheduler pick their build from NODE_ENV in a small index.js. The console
// always runs the production build (source/ui/ink-env.ts), so the bundle holds only that one: the
// development reconciler alone is 600 KiB that would be parsed at every start for nothing.
const reactProduction = {
	name: 'react-production',
	setup(build) {
		build.onLoad({filter: /[\\/]node_modules[\\/](react|react-reconciler|scheduler)[\\/][^\\/]+\.js$/}, args => {
			const text = readFileSync(args.path, 'utf8');
			const production = /process\.env\.NODE_ENV === 'production'\) \{\s*module\.exports = require\(('[^']+')\);/.exec(
				text,
			);
			return production
				? {contents: `'use strict';\nmodule.exports = require(${production[1]});\n`, loader: 'js'}
				: undefined;
		});
	},
};

// Ink and wrap-ansi measure every line with string-width, whose first non-ASCII call compiles Unicode
// property regexes and a segmenter; source/ui/text-width.ts answers for ASCII, SGR codes and box
// characters first (same answers, checked by test/ui/text-width.test.ts) and hands the rest on.
const quickWidth = {
	name: 'quick-string-width',
	setup(build) {
		build.onResolve({filter: /^string-width$/}, async args => {
			if (args.pluginData === 'real') return undefined;
			const real = await build.resolve(args.path, {kind: args.kind, resolveDir: args.resolveDir, pluginData: 'real'});
			if (real.errors.length > 0) return undefined;
			return {path: real.path, namespace: 'quick-width'};
		});
		build.onLoad({filter: /.*/, namespace: 'quick-width'}, args => ({
			contents: [
				`import measure from ${JSON.stringify(args.path)};`,
				`import {withQuickWidth} from ${JSON.stringify(`${root}source/ui/text-width.ts`)};`,
				'export default withQuickWidth(measure);',
			].join('\n'),
			resolveDir: root,
			loader: 'js',
		}));
	},
};

// yoga's Emscripten loader fetches its WebAssembly from a base64 data: URL when `fetch` exists, which
// loads Node's fetch (undici) and percent-decodes 120 KB in JavaScript before the first layout. Handing
// it the bytes decoded by Buffer skips both. Left as it is (slower, still correct) if the loader changes.
const yogaBytes = {
	name: 'yoga-wasm-bytes',
	setup(build) {
		build.onLoad({filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/}, args => {
			const text = readFileSync(args.path, 'utf8');
			const from = 'function ya(){return w||';
			if (!text.includes(from)) {
				process.stderr.write("bundle: yoga-layout's loader changed; its WebAssembly is fetched from a data: URL\n");
				return undefined;
			}
			return {
				contents: text.replace(from, 'function ya(){w=w||Buffer.from(H.slice(37),"base64");return w||'),
				loader: 'js',
			};
		});
	},
};

// An ESM import of a builtin copies every export, reading lazy getters too: `import ... from
// 'node:crypto'` loads all of WebCrypto, `node:fs` its streams. Required as CommonJS, a builtin gives
// only what is used.
const builtins = new Set(builtinModules.flatMap(name => [name, `node:${name}`]));
const builtinsAsCommonJs = {
	name: 'builtins-as-commonjs',
	setup(build) {
		// A dynamic import() keeps Node's own ESM namespace (named exports); only static imports are rewritten.
		build.onResolve({filter: /^[a-z:_/]+$/}, args =>
			builtins.has(args.path) && args.kind !== 'dynamic-import'
				? {path: args.path, namespace: 'builtin-cjs'}
				: undefined,
		);
		build.onLoad({filter: /.*/, namespace: 'builtin-cjs'}, args => ({
			// Called through a variable so that esbuild leaves it to Node instead of bundling it again.
			contents: `const load = require; module.exports = load(${JSON.stringify(args.path.startsWith('node:') ? args.path : `node:${args.path}`)});`,
			loader: 'js',
		}));
	},
};

const result = await build({
	absWorkingDir: root,
	// The load worker thread is started from a file of its own (`--workers N`), beside the chunks.
	entryPoints: {cli: 'source/cli.tsx', 'worker-entry': 'source/load/worker-entry.ts'},
	outdir,
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	sourcemap: 'linked',
	// Smaller text parses faster at every start; identifiers keep their names for stack traces.
	minifyWhitespace: true,
	minifySyntax: true,
	metafile: true,
	plugins: [reactProduction, quickWidth, yogaBytes, builtinsAsCommonJs],
	logLevel: 'warning',
	chunkNames: '[name]-[hash]',
	// Loaded on demand and large, or resolved by path at run time: left in node_modules.
	external: [
		'ccxt',
		'tsx',
		'tsx/*',
		'echarts',
		'echarts/*',
		'playwright-core',
		'hdr-histogram-js',
		'react-devtools-core',
		'bufferutil',
		'utf-8-validate',
	],
	// Bundled CommonJS (React, yoga's loader) calls require(); ESM output has none of its own.
	banner: {
		js: "import {createRequire as __drydockRequire} from 'node:module'; const require = __drydockRequire(import.meta.url);",
	},
});

if (process.argv.includes('--analyze')) {
	const {analyzeMetafile} = await import('esbuild');
	process.stdout.write(await analyzeMetafile(result.metafile));
}
if (process.argv.includes('--first-paint')) {
	// What the console loads before its first frame: the entry, the console command, the UI, and
	// everything those import statically (dynamic imports are the parts deferred until after).
	const outputs = result.metafile.outputs;
	const seen = new Set();
	const visit = out => {
		if (!out || seen.has(out)) return;
		seen.add(out);
		for (const imp of outputs[out].imports) if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
	};
	for (const out of Object.keys(outputs)) {
		const inputs = Object.keys(outputs[out].inputs);
		if (
			out.endsWith('/cli.js') ||
			inputs.includes('source/commands/console.tsx') ||
			inputs.includes('source/ui/index.ts')
		)
			visit(out);
	}
	const packages = new Map();
	let bytes = 0;
	for (const out of seen) {
		bytes += outputs[out].bytes;
		for (const [input, {bytesInOutput}] of Object.entries(outputs[out].inputs)) {
			const at = input.lastIndexOf('node_modules/');
			const parts = (at >= 0 ? input.slice(at + 'node_modules/'.length) : input).split('/');
			const name = parts.slice(0, parts[0].startsWith('@') ? 2 : at >= 0 ? 1 : 2).join('/');
			packages.set(name, (packages.get(name) ?? 0) + bytesInOutput);
		}
	}
	process.stdout.write(`first paint: ${seen.size} files, ${(bytes / 1024).toFixed(0)} KiB\n`);
	for (const [name, size] of [...packages].sort((a, b) => b[1] - a[1]).slice(0, 40))
		process.stdout.write(`  ${(size / 1024).toFixed(1).padStart(8)} KiB  ${name}\n`);
}
