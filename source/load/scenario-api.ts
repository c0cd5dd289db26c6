/**
 * The public shape of a load scenario and of the virtual user it drives. A scenario file's default
 * export is a plain object of type `Scenario`; nothing here needs importing for a scenario to work.
 */

/** How long a user waits between two tasks (seconds). */
export type WaitSpec =
	| {between: [number, number]}
	| {constant: number}
	/** One task start every `pacing` seconds (the wait shrinks by the task's own duration). */
	| {pacing: number};

/** Which statuses count as success: one status, a list, or a predicate. Default: 2xx. */
export type Expectation = number | readonly number[] | ((status: number) => boolean);

export interface RequestOptions {
	/** Sent as a JSON body with `content-type: application/json`. */
	json?: unknown;
	/** A raw body; `json` wins when both are given. */
	body?: string | Uint8Array;
	headers?: Record<string, string>;
	/** The name the request is counted under; default `METHOD path`-less: the path, with type METHOD. */
	name?: string;
	expect?: Expectation;
}

export interface LoadResponse {
	status: number;
	/** Lower-case header names; built lazily from the raw headers. */
	readonly headers: Record<string, string>;
	json<T = unknown>(): T;
	text(): string;
	/** Whether the status met the request's expectation. */
	ok: boolean;
}

export interface LoadUser<S extends Record<string, unknown> = Record<string, unknown>> {
	/** 0..N-1, stable for the user's life; a user added later takes the next free id. */
	readonly id: number;
	/** Per-user scratch space the scenario owns (tokens, ids seen...). */
	state: S;
	get(path: string, options?: RequestOptions): Promise<LoadResponse>;
	post(path: string, options?: RequestOptions): Promise<LoadResponse>;
	put(path: string, options?: RequestOptions): Promise<LoadResponse>;
	patch(path: string, options?: RequestOptions): Promise<LoadResponse>;
	delete(path: string, options?: RequestOptions): Promise<LoadResponse>;
	request(method: string, path: string, options?: RequestOptions): Promise<LoadResponse>;
	/** Marks the user's most recent request as failed with `reason` (e.g. a wrong body). */
	fail(reason: string): void;
}

export interface Task<S extends Record<string, unknown> = Record<string, unknown>> {
	name: string;
	/** Relative frequency; default 1. */
	weight?: number;
	/** May return a promise; the user waits for it before the next task. */
	run(user: LoadUser<S>): unknown;
}

/** What a shape asks for at a moment of the run; `null` ends the run. */
export interface ShapeTarget {
	users: number;
	/** Users started (or stopped) per second while moving toward `users`. */
	spawnRate: number;
}

export type ShapeFunction = (elapsedSeconds: number) => ShapeTarget | null;

export interface Stage {
	/** `30s`, `2m` or seconds. */
	duration: string | number;
	target: number;
}

export interface Scenario<S extends Record<string, unknown> = Record<string, unknown>> {
	host?: string;
	wait?: WaitSpec;
	/** onStart and onStop may return a promise; it is awaited. */
	onStart?(user: LoadUser<S>): unknown;
	onStop?(user: LoadUser<S>): unknown;
	tasks: Array<Task<S>>;
	/** Custom load shape, called every second with the elapsed seconds. */
	shape?: ShapeFunction;
	/** k6-style ramping stages (used when no --shape is given). */
	stages?: Stage[];
}
