/**
 * The soak when a system under test is in the dock (`--sut`, the profile's `sut` section): drydock's
 * own trading loop stands aside and the soak judges the SUT. Its operations (its StatsD timer when it
 * reports one, else its order placements as the venue served them) go through ctx.operation, so the
 * progress blocks, the report's figures and the grade are the SUT's; at the end the SUT is stopped and
 * the eight `sut-*` checks are recorded in this phase. The SUT's life is the soak's: it starts here
 * (after the venue and every earlier phase) and stops here, whether the soak ran out or was aborted
 * (Ctrl-C, `q`, SIGTERM, SIGHUP all abort the phase). The host is the runtime's SUT session.
 */
import {isTransientError} from '../exchange/errors.js';
import {errorMessage, pause} from './abort.js';
import type {PhaseCtx} from './phase-contract.js';
import {SoakStreams, type BackfillTotals} from './soak-streams.js';
import type {SutOperation, SutSoakHost} from '../sut/soak-host.js';

export type {SutOperation, SutSoakHost} from '../sut/soak-host.js';

/** The soak's stream-backfill check (soak.ts), recorded when drydock's own streams were watched. */
export type BackfillCheck = (ctx: PhaseCtx, totals: BackfillTotals, streams: number) => void;

/**
 * drydock's own market streams for the SUT soak, as in its own soak: the stream checks (stability, gaps,
 * backfill) stay meaningful, and a drop has drydock's side to be measured by too. null when they can't start.
 */
async function watchOwnStreams(ctx: PhaseCtx): Promise<{streams: SoakStreams; ids: string[]} | null> {
	try {
		const {exchange} = ctx.services;
		await ctx.call('loadMarkets', () => exchange.loadMarkets(), {isTransient: isTransientError});
		const streams = new SoakStreams(ctx, ctx.profile.symbols);
		return {streams, ids: streams.start()};
	} catch (error) {
		ctx.log('warn', `drydock's own market streams not watched during the SUT soak: ${errorMessage(error)}`);
		return null;
	}
}

export async function runSutSoak(ctx: PhaseCtx, host: SutSoakHost, backfillCheck?: BackfillCheck): Promise<void> {
	const startedAt = Date.now();
	let failing = 0;
	const onOperation = (op: SutOperation) => {
		// A count without a time (a StatsD counter) still counts; it adds nothing to the latency.
		const latencyMs = op.latencyMs ?? 0;
		if (op.ok) {
			ctx.operation({kind: 'sut-operation', ok: true, latencyMs});
			return;
		}
		failing++;
		const message =
			op.source === 'venue'
				? `order placement rejected${op.code !== undefined && op.code !== null ? ` (${op.code})` : ''}`
				: 'operation reported failed';
		ctx.operation({
			kind: 'sut-operation',
			ok: false,
			latencyMs,
			error: {kind: op.source === 'venue' ? 'sut-order-rejected' : 'sut-operation-failed', message},
		});
	};
	ctx.log('info', `system under test: ${host.command}`);
	const own = await watchOwnStreams(ctx);
	try {
		const started = await host.begin(onOperation);
		if (!started.ok) {
			ctx.log('error', started.message);
			return;
		}
		await pause(ctx.soakDurationMs, ctx.signal);
	} finally {
		const checks = await host.finish(startedAt);
		for (const check of checks) ctx.check(check);
		if (own) {
			await own.streams.stop();
			backfillCheck?.(ctx, own.streams.totals, own.ids.length);
		}
		if (failing > 0) ctx.log('info', `${failing} of the SUT's operations failed`);
	}
}
