#!/usr/bin/env node
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

// The bundle (scripts/bundle.js) starts the console far faster than the module tree tsc emits.
const cli = new URL('../dist/bundle/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
	process.stderr.write('drydock: not built yet — run `npm install` (or `npm run build`) in the checkout first.\n');
	process.exit(2);
}
await import(cli.href);
