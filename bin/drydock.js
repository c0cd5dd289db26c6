#!/usr/bin/env node
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
	process.stderr.write('drydock: not built yet — run `npm install` (or `npm run build`) in the checkout first.\n');
	process.exit(2);
}
await import(cli.href);
