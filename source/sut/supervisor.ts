/**
 * Supervises the SUT: spawns its command through /bin/sh in a process group of its own, reads its
 * output line by line, waits for readiness, restarts it on failure if the spec says so, and stops the
 * whole group (stop signal, wait, SIGKILL). Start-up always ends in a typed result — ready, or a failure
 * naming why with the last output lines — never a hang. drydock exiting must not leave the group behind:
 * `stop()` is idempotent and `killNow()` is synchronous, for exit handlers.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {statSync} from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {RingBuffer} from '../engine/ring.js';
import {UsageError} from '../util/usage-error.js';
import {LineSplitter} from './lines.js';
import {groupMembers} from './proc.js';
import {waitForHttp, waitForTcp} from './readiness.js';
import type {ReadyProbe, RestartPolicy, StopSignal} from './spec.js';

import type {SutState} from '../engine/sut-view.js';
export type {SutState} from '../engine/sut-view.js';
export type OutputStream = 'stdout' | 'stderr';

export interface LastLine {
	at: number;
	stream: OutputStream;
	line: string;
}

export type StartFailure =
	/** The shell could not find (127) or execute (126) the command. */
	| {kind: 'not-found'; code: number; message: string; lastLines: LastLine[]}
	| {kind: 'exited'; code: number | null; signal: NodeJS.Signals | null; message: string; lastLines: LastLine[]}
	| {kind: 'not-ready'; timeoutMs: number; message: string; lastLines: LastLine[]}
	/** spawn itself failed, e.g. the working directory does not exist. */
	| {kind: 'spawn-error'; message: string; lastLines: LastLine[]}
	/** stop() was called before the SUT became ready. */
	| {kind: 'stopped'; message: string; lastLines: LastLine[]};

export type StartResult = {ok: true; pid: number; readyAfterMs: number} | {ok: false; failure: StartFailure};

export interface StopResult {
	/** The leader's exit code and signal of the last attempt (null when nothing was running). */
	code: number | null;
	signal: NodeJS.Signals | null;
	/** The whole group was gone before stopTimeout. */
	graceful: boolean;
	/** SIGKILL was needed. */
	killed: boolean;
	/** Nothing was running when stop was asked (it had exited, failed, or never started). */
	wasRunning: boolean;
}

export type SutEvent =
	| {type: 'starting'; at: number; attempt: number; command: string}
	| {type: 'spawned'; at: number; pid: number}
	| {type: 'ready'; at: number; pid: number; afterMs: number; by: string}
	| {type: 'log'; at: number; stream: OutputStream; line: string}
	/** `expected`: drydock asked it to stop. Anything else is an unexpected exit (a crash, or quitting on its own). */
	| {
			type: 'exited';
			at: number;
			pid: number;
			code: number | null;
			signal: NodeJS.Signals | null;
			expected: boolean;
			uptimeMs: number;
	  }
	| {type: 'start-failed'; at: number; failure: StartFailure}
	| {type: 'restarting'; at: number; restart: number; max: number; delayMs: number}
	| {type: 'stopping'; at: number; signal: StopSignal}
	| {type: 'stopped'; at: number; result: StopResult};

export interface SupervisorSpec {
	command: string;
	cwd?: string | undefined;
	/** The child's complete environment (see buildSutEnv). */
	env: Record<string, string>;
	ready: ReadyProbe;
	startTimeoutMs: number;
	stopSignal: StopSignal;
	stopTimeoutMs: number;
	restart: RestartPolicy;
}

export interface SupervisorOptions {
	now?: () => number;
	/** Without a readiness probe, the SUT must stay up this long to count as started (catches a bad command). Default 1 s. */
	settleMs?: number;
	/** Lines kept for start-failure messages. Default 20. */
	lastLines?: number;
	/** Delay before the n-th restart: min(base × 2^(n-1), 10 s). Default 500 ms. */
	restartBaseDelayMs?: number;
}

interface Attempt {
	child: ChildProcess;
	/** Also the process group id (detached). */
	pid: number;
	startedAt: number;
	exited: boolean;
	/** Resolves once the leader exited and its output was read (or 200 ms after exit if a grandchild holds the pipes). */
	done: Promise<{code: number | null; signal: NodeJS.Signals | null; error?: Error}>;
}

const CLOSE_GRACE_MS = 200;
const GROUP_POLL_MS = 25;

export class SutSupervisor {
	private stateValue: SutState = 'idle';
	private readonly listeners = new Set<(event: SutEvent) => void>();
	private readonly recent: RingBuffer<LastLine>;
	private readonly now: () => number;
	private current: Attempt | null = null;
	private startPromise: Promise<StartResult> | null = null;
	private stopPromise: Promise<StopResult> | null = null;
	/** Aborted by stop(): ends readiness waits and restart delays at once. */
	private readonly stopController = new AbortController();
	private outputWaiter: ((line: string) => void) | null = null;
	/** The attempt (initial or restart) currently spawning or waiting for readiness. */
	private inflight: Promise<StartResult> | null = null;
	private restartsValue = 0;
	private unexpectedExitsValue = 0;
	private lastUnexpected: {at: number; code: number | null; signal: NodeJS.Signals | null} | null = null;
	private attempts = 0;

	constructor(
		private readonly spec: SupervisorSpec,
		private readonly options: SupervisorOptions = {},
	) {
		this.now = options.now ?? Date.now;
		this.recent = new RingBuffer(options.lastLines ?? 20);
	}

	get state(): SutState {
		return this.stateValue;
	}

	/** The running leader's pid (also its process group id), or null. */
	get pid(): number | null {
		return this.current && !this.current.exited ? this.current.pid : null;
	}

	/** When the current attempt was spawned. */
	get startedAt(): number | null {
		return this.current?.startedAt ?? null;
	}

	get restarts(): number {
		return this.restartsValue;
	}

	/** Exits drydock did not ask for, after the SUT had become ready (start-up failures are reported by start()). */
	get unexpectedExits(): number {
		return this.unexpectedExitsValue;
	}

	/** The last exit drydock did not ask for (a crash after readiness, or a restart that failed to start). */
	get lastUnexpectedExit(): {at: number; code: number | null; signal: NodeJS.Signals | null} | null {
		return this.lastUnexpected;
	}

	lastLines(): LastLine[] {
		return this.recent.toArray();
	}

	on(listener: (event: SutEvent) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** Spawns and waits for readiness. Called again, returns the first call's result. */
	start(): Promise<StartResult> {
		this.startPromise ??= this.launch();
		return this.startPromise;
	}

	/** Stop signal to the whole group, wait stopTimeout, then SIGKILL. Idempotent: every call gets the same result. */
	stop(): Promise<StopResult> {
		this.stopPromise ??= this.shutdown();
		return this.stopPromise;
	}

	/** SIGKILL to the whole group, synchronously: for `process.on('exit')` and crash handlers. */
	killNow(): void {
		if (this.stateValue !== 'stopped') this.stateValue = 'stopping';
		this.stopController.abort();
		if (this.current) killGroup(this.current.pid, 'SIGKILL');
	}

	/** Kills the group if drydock's process exits without stopping it (crash, process.exit). Returns the remover. */
	installExitGuard(): () => void {
		const guard = () => this.killNow();
		process.on('exit', guard);
		return () => process.off('exit', guard);
	}

	private emit(event: SutEvent): void {
		for (const listener of this.listeners) {
			try {
				listener(event);
			} catch {
				// A listener's bug must not take supervision down.
			}
		}
	}

	private stopping(): boolean {
		return this.stopController.signal.aborted;
	}

	private async launch(): Promise<StartResult> {
		const result = await this.attempt();
		if (result.ok) this.watch();
		else {
			if (!this.stopping()) this.stateValue = 'failed';
			this.emit({type: 'start-failed', at: this.now(), failure: result.failure});
		}
		return result;
	}

	/** One spawn plus readiness. On failure the group is gone when this resolves. */
	private attempt(): Promise<StartResult> {
		const run = this.attemptOnce().finally(() => {
			if (this.inflight === run) this.inflight = null;
		});
		this.inflight = run;
		return run;
	}

	private async attemptOnce(): Promise<StartResult> {
		this.attempts++;
		const startedAt = this.now();
		this.stateValue = 'starting';
		this.emit({type: 'starting', at: startedAt, attempt: this.attempts, command: this.spec.command});
		if (this.stopping())
			return {ok: false, failure: {kind: 'stopped', message: 'the SUT was stopped before it started', lastLines: []}};
		const spawned = await this.spawnAttempt(startedAt);
		if (!spawned.ok)
			return {
				ok: false,
				failure: {kind: 'spawn-error', message: `cannot start the SUT: ${spawned.error}`, lastLines: []},
			};
		const attempt = spawned.attempt;
		const ready = await this.awaitReady(attempt);
		if (ready.ok) {
			this.stateValue = 'running';
			this.emit({type: 'ready', at: this.now(), pid: attempt.pid, afterMs: ready.afterMs, by: ready.by});
			return {ok: true, pid: attempt.pid, readyAfterMs: ready.afterMs};
		}
		// Not ready (or stopped while starting): nothing of this attempt survives the report.
		if (!attempt.exited) await this.terminate(attempt, this.spec.stopSignal, this.spec.stopTimeoutMs);
		killGroup(attempt.pid, 'SIGKILL');
		return {ok: false, failure: ready.failure};
	}

	private async spawnAttempt(startedAt: number): Promise<{ok: true; attempt: Attempt} | {ok: false; error: string}> {
		if (this.spec.cwd !== undefined && !isDirectory(this.spec.cwd))
			return {ok: false, error: `the working directory ${this.spec.cwd} does not exist`};
		let child: ChildProcess;
		try {
			child = spawn('/bin/sh', ['-c', this.spec.command], {
				cwd: this.spec.cwd,
				env: this.spec.env,
				detached: true,
				stdio: ['ignore', 'pipe', 'pipe'],
			});
		} catch (error) {
			return {ok: false, error: (error as Error).message};
		}
		const stdout = new LineSplitter(line => this.line('stdout', line));
		const stderr = new LineSplitter(line => this.line('stderr', line));
		child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
		child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
		const done = new Promise<{code: number | null; signal: NodeJS.Signals | null; error?: Error}>(resolve => {
			let exit: {code: number | null; signal: NodeJS.Signals | null} | null = null;
			let settled = false;
			const finish = (value: {code: number | null; signal: NodeJS.Signals | null; error?: Error}) => {
				if (settled) return;
				settled = true;
				stdout.flush();
				stderr.flush();
				resolve(value);
			};
			child.once('exit', (code, signal) => {
				exit = {code, signal};
				// A grandchild holding the pipes open must not keep the exit from being seen.
				setTimeout(() => finish(exit!), CLOSE_GRACE_MS).unref();
			});
			child.once('close', (code: number | null, signal: NodeJS.Signals | null) => finish(exit ?? {code, signal}));
			child.once('error', error => {
				if (child.pid === undefined) finish({code: null, signal: null, error});
			});
		});
		if (child.pid === undefined) {
			const failed = await done;
			return {ok: false, error: failed.error?.message ?? 'spawn failed'};
		}
		const attempt: Attempt = {child, pid: child.pid, startedAt, exited: false, done};
		void done.then(() => (attempt.exited = true));
		this.current = attempt;
		this.emit({type: 'spawned', at: this.now(), pid: attempt.pid});
		return {ok: true, attempt};
	}

	private line(stream: OutputStream, line: string): void {
		const at = this.now();
		this.recent.push({at, stream, line});
		this.emit({type: 'log', at, stream, line});
		this.outputWaiter?.(line);
	}

	private async awaitReady(
		attempt: Attempt,
	): Promise<{ok: true; afterMs: number; by: string} | {ok: false; failure: StartFailure}> {
		const probe = this.spec.ready;
		const local = new AbortController();
		const signal = AbortSignal.any([local.signal, this.stopController.signal]);
		const timeoutMs = this.spec.startTimeoutMs;
		type Outcome =
			| {kind: 'ready'; by: string}
			| {kind: 'exit'; code: number | null; signal: NodeJS.Signals | null}
			| {kind: 'timeout'}
			| {kind: 'stopped'};
		const races: Promise<Outcome>[] = [
			attempt.done.then(exit => ({kind: 'exit' as const, code: exit.code, signal: exit.signal})),
			new Promise<Outcome>(resolve => {
				const timer = setTimeout(() => resolve({kind: 'timeout'}), timeoutMs);
				signal.addEventListener('abort', () => clearTimeout(timer), {once: true});
			}),
			new Promise<Outcome>(resolve => {
				if (this.stopController.signal.aborted) resolve({kind: 'stopped'});
				else this.stopController.signal.addEventListener('abort', () => resolve({kind: 'stopped'}), {once: true});
			}),
		];
		if (probe.kind === 'none') {
			const settle = Math.min(this.options.settleMs ?? 1_000, timeoutMs);
			races.push(
				sleep(settle, undefined, {signal}).then(
					() => ({kind: 'ready' as const, by: `still running after ${settle} ms`}),
					() => ({kind: 'stopped' as const}),
				),
			);
		} else if (probe.kind === 'output') {
			races.push(
				new Promise<Outcome>(resolve => {
					// Lines printed before this waiter was set (same tick as spawn) are in the ring.
					if (this.recent.toArray().some(l => l.at >= attempt.startedAt && probe.pattern.test(l.line)))
						resolve({kind: 'ready', by: `output matched /${probe.source}/`});
					this.outputWaiter = line => {
						if (probe.pattern.test(line)) resolve({kind: 'ready', by: `output matched /${probe.source}/`});
					};
				}),
			);
		} else if (probe.kind === 'tcp') {
			races.push(
				waitForTcp(probe.host, probe.port, signal).then(ok =>
					ok ? {kind: 'ready' as const, by: `tcp ${probe.host}:${probe.port} accepted`} : {kind: 'stopped' as const},
				),
			);
		} else {
			races.push(
				waitForHttp(probe.url, signal).then(ok =>
					ok ? {kind: 'ready' as const, by: `${probe.url} answered`} : {kind: 'stopped' as const},
				),
			);
		}
		const outcome = await Promise.race(races);
		local.abort();
		this.outputWaiter = null;
		const afterMs = this.now() - attempt.startedAt;
		if (outcome.kind === 'ready') return {ok: true, afterMs, by: outcome.by};
		if (outcome.kind === 'exit') {
			// Read what it printed on the way out before quoting it.
			await attempt.done;
			this.emit({
				type: 'exited',
				at: this.now(),
				pid: attempt.pid,
				code: outcome.code,
				signal: outcome.signal,
				expected: this.stopping(),
				uptimeMs: afterMs,
			});
			const lastLines = this.lastLines().filter(l => l.at >= attempt.startedAt);
			const tail = describeTail(lastLines);
			if (outcome.code === 127 || outcome.code === 126) {
				return {
					ok: false,
					failure: {
						kind: 'not-found',
						code: outcome.code,
						message: `the SUT command ${outcome.code === 127 ? 'was not found' : 'could not be executed'} (exit ${outcome.code}): ${this.spec.command}${tail}`,
						lastLines,
					},
				};
			}
			const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
			return {
				ok: false,
				failure: {
					kind: 'exited',
					code: outcome.code,
					signal: outcome.signal,
					message: `the SUT ${how} during start-up, after ${afterMs} ms${tail}`,
					lastLines,
				},
			};
		}
		const lastLines = this.lastLines().filter(l => l.at >= attempt.startedAt);
		if (outcome.kind === 'timeout') {
			return {
				ok: false,
				failure: {
					kind: 'not-ready',
					timeoutMs,
					message: `the SUT was not ready within ${timeoutMs} ms (${describeProbe(probe)})${describeTail(lastLines)}`,
					lastLines,
				},
			};
		}
		return {ok: false, failure: {kind: 'stopped', message: 'the SUT was stopped before it became ready', lastLines}};
	}

	/** After readiness: an exit drydock did not ask for is unexpected; restart it if the policy allows. */
	private watch(): void {
		const attempt = this.current;
		if (!attempt) return;
		void attempt.done.then(async exit => {
			if (this.stopping() || this.current !== attempt) return;
			this.unexpectedExitsValue++;
			this.lastUnexpected = {at: this.now(), code: exit.code, signal: exit.signal};
			this.emit({
				type: 'exited',
				at: this.now(),
				pid: attempt.pid,
				code: exit.code,
				signal: exit.signal,
				expected: false,
				uptimeMs: this.now() - attempt.startedAt,
			});
			// Whatever it left in its group (workers, a shell's children) goes with it.
			killGroup(attempt.pid, 'SIGKILL');
			const policy = this.spec.restart;
			const failed = exit.code !== 0 || exit.signal !== null;
			if (policy.policy !== 'on-failure' || !failed || this.restartsValue >= policy.max) {
				this.stateValue = failed ? 'failed' : 'exited';
				return;
			}
			await this.restartLoop(policy.max);
		});
	}

	private async restartLoop(max: number): Promise<void> {
		while (!this.stopping() && this.restartsValue < max) {
			this.restartsValue++;
			const delayMs = Math.min((this.options.restartBaseDelayMs ?? 500) * 2 ** (this.restartsValue - 1), 10_000);
			this.stateValue = 'restarting';
			this.emit({type: 'restarting', at: this.now(), restart: this.restartsValue, max, delayMs});
			const waited = await sleep(delayMs, true, {signal: this.stopController.signal}).catch(() => false);
			if (!waited || this.stopping()) return;
			const result = await this.attempt();
			if (result.ok) {
				this.watch();
				return;
			}
			if (this.stopping()) return;
			this.unexpectedExitsValue++;
			const failure = result.failure;
			this.lastUnexpected = {
				at: this.now(),
				code: failure.kind === 'exited' || failure.kind === 'not-found' ? failure.code : null,
				signal: failure.kind === 'exited' ? failure.signal : null,
			};
			this.emit({type: 'start-failed', at: this.now(), failure});
		}
		if (!this.stopping()) this.stateValue = 'failed';
	}

	private async shutdown(): Promise<StopResult> {
		const inflight = this.inflight;
		this.stopController.abort();
		if (this.stateValue !== 'stopped') this.stateValue = 'stopping';
		// A start in progress unwinds first and terminates its own attempt; if it became ready meanwhile, it is running and ours.
		if (inflight) await inflight;
		const attempt = this.current;
		let result: StopResult;
		if (!attempt || attempt.exited) {
			if (attempt) killGroup(attempt.pid, 'SIGKILL');
			const last = attempt ? await attempt.done : null;
			result = {
				code: last?.code ?? null,
				signal: last?.signal ?? null,
				graceful: true,
				killed: false,
				wasRunning: inflight !== null && attempt !== null,
			};
		} else {
			this.emit({type: 'stopping', at: this.now(), signal: this.spec.stopSignal});
			const outcome = await this.terminate(attempt, this.spec.stopSignal, this.spec.stopTimeoutMs);
			const exit = await attempt.done;
			this.emit({
				type: 'exited',
				at: this.now(),
				pid: attempt.pid,
				code: exit.code,
				signal: exit.signal,
				expected: true,
				uptimeMs: this.now() - attempt.startedAt,
			});
			result = {
				code: exit.code,
				signal: exit.signal,
				graceful: !outcome.killed,
				killed: outcome.killed,
				wasRunning: true,
			};
		}
		this.stateValue = 'stopped';
		this.emit({type: 'stopped', at: this.now(), result});
		return result;
	}

	/** Signal to the group, wait for the leader and every member to be gone, SIGKILL the group at the deadline. */
	private async terminate(attempt: Attempt, signal: StopSignal, timeoutMs: number): Promise<{killed: boolean}> {
		const deadline = this.now() + timeoutMs;
		killGroup(attempt.pid, signal);
		const leaderGone = await raceTimeout(
			attempt.done.then(() => true),
			timeoutMs,
			false,
		);
		if (leaderGone) {
			while (groupAlive(attempt.pid) && this.now() < deadline) await sleep(GROUP_POLL_MS);
			if (!groupAlive(attempt.pid)) return {killed: false};
		}
		killGroup(attempt.pid, 'SIGKILL');
		await raceTimeout(attempt.done, 2_000, null);
		for (let i = 0; i < 40 && groupAlive(attempt.pid); i++) await sleep(GROUP_POLL_MS);
		return {killed: true};
	}
}

/** A start failure as the CLI reports it: exit 2, the message naming why with the SUT's last output lines. */
export function startFailureError(failure: StartFailure): UsageError {
	return new UsageError(failure.message, 2);
}

/** Sends `signal` to every process in the group led by `pgid`; a group already gone is fine. */
export function killGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
	try {
		process.kill(-pgid, signal);
		return true;
	} catch {
		return false;
	}
}

/** True while any live process of the group exists (zombies waiting for a reaper do not count). */
export function groupAlive(pgid: number): boolean {
	const members = groupMembers(pgid);
	if (members !== null) return members.length > 0;
	try {
		process.kill(-pgid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** `promise`, or `fallback` after `ms`; the timer is cleared either way so it never holds drydock's exit. */
async function raceTimeout<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([promise, new Promise<F>(resolve => (timer = setTimeout(() => resolve(fallback), ms)))]);
	} finally {
		clearTimeout(timer);
	}
}

function describeProbe(probe: ReadyProbe): string {
	switch (probe.kind) {
		case 'none':
			return 'no readiness probe';
		case 'output':
			return `no output line matched /${probe.source}/`;
		case 'tcp':
			return `nothing accepted on tcp ${probe.host}:${probe.port}`;
		case 'http':
			return `${probe.url} never answered 2xx/3xx`;
	}
}

function describeTail(lines: readonly LastLine[]): string {
	if (lines.length === 0) return '; it printed nothing';
	return `; last output:\n${lines
		.slice(-10)
		.map(l => `  ${l.line}`)
		.join('\n')}`;
}

function isDirectory(path: string): boolean {
	try {
		return statSync(path).isDirectory();
	} catch {
		return false;
	}
}
