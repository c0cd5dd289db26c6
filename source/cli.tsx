/**
 * drydock's entry point: picks the command and hands it its arguments. Each command lives in
 * source/commands/<name>.ts and returns the process exit code; loading is lazy so `drydock mock`
 * never pays for Ink or ccxt.
 */
import {processMasker} from './profiles/mask.js';
import {isUsageError} from './util/usage-error.js';

type CommandModule = {default: (argv: string[]) => Promise<number>};

const commands: Record<string, () => Promise<CommandModule>> = {
	console: async () => import('./commands/console.js'),
	run: async () => import('./commands/run.js'),
	mock: async () => import('./commands/mock.js'),
	load: async () => import('./commands/load.js'),
	report: async () => import('./commands/report.js'),
	profiles: async () => import('./commands/profiles.js'),
	record: async () => import('./commands/record.js'),
};

export const usage = `drydock — terminal test console for trading-system infrastructure

Usage:
  drydock [--profile P] [--ascii]   interactive console (default profile: mock; Q quick run, ? help)
          [--metrics-port N] [--notify URL] [--exchange-url URL] [--watch-pid N] [--report-dir DIR]
  drydock run [--profile P] [--plan quick|full] [--phases a,b] [--duration 5m|24h]
              [--rerun-failed REPORT.json] [--report-dir DIR] [--headless] [--watch-pid N]
              [--exchange-url URL] [--allow-live] [--ascii] [--metrics-port N] [--notify URL]
  drydock mock [--host 127.0.0.1] [--port N] [--seed N] [--symbols BTCUSDT,ETHUSDT]
  drydock load SCENARIO [--host URL] [--users N] [--spawn-rate R] [--run-time 60s]
              [--shape SPEC] [--arrival-rate R] [--csv PREFIX] [--threshold EXPR]… [--headless]
  drydock report REPORT.json [--html OUT] [--junit OUT]
  drydock report merge A.json B.json … -o OUT.json
  drydock report --recover RUN_DIR
  drydock profiles [list | show NAME | validate FILE]
  drydock record [--profile mainnet] [--symbols BTCUSDT,ETHUSDT] [--streams LIST] [--duration 6h] -o FILE.rec
  drydock record import trades|aggTrades|klines FILE.zip [...] -o FILE.rec

Run \`drydock <command> --help\` for a command's options.
Exit codes: 0 passed, 1 a phase failed or a threshold was missed, 2 usage or configuration error,
130/143 interrupted (the report is still written), 70 internal error or crash (an uncaught exception
during a run: kill switch engaged, open orders cancelled, the report written marked interrupted).`;

async function main(argv: string[]): Promise<number> {
	const [first, ...rest] = argv;
	if (first === '--help' || first === '-h' || first === 'help') {
		process.stdout.write(usage + '\n');
		return 0;
	}
	if (first === '--version' || first === '-v') {
		// One place knows where package.json sits (dist/ and the bundle in dist/bundle/ differ in depth).
		const {drydockVersion} = await import('./runtime/session.js');
		process.stdout.write(drydockVersion() + '\n');
		return 0;
	}
	// No command, or only flags: the interactive console.
	if (first === undefined || first.startsWith('-')) return (await commands.console!()).default(argv);
	const load = commands[first];
	if (!load) {
		process.stderr.write(`drydock: unknown command "${first}"\n\n${usage}\n`);
		return 2;
	}
	return (await load()).default(rest);
}

try {
	process.exitCode = await main(process.argv.slice(2));
} catch (error) {
	// Messages can quote a venue's answer or a config value: mask every secret resolved so far.
	if (isUsageError(error)) {
		process.stderr.write(`drydock: ${processMasker.mask(error.message)}\n`);
		process.exitCode = error.exitCode;
	} else {
		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(`drydock: internal error: ${processMasker.mask(message)}\n`);
		if (process.env.DRYDOCK_DEBUG && error instanceof Error)
			process.stderr.write(`${processMasker.mask(error.stack ?? '')}\n`);
		process.exitCode = 70;
	}
}
