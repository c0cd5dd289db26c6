/**
 * Reading Linux's process table from /proc: parent, process group and state of every process, and the
 * pure walks over it (a process tree, a process group's live members). Elsewhere /proc is absent and
 * callers fall back (the leader alone, kill(-pgid, 0)).
 */
import {readdirSync, readFileSync} from 'node:fs';

export interface ProcStat {
	pid: number;
	ppid: number;
	pgrp: number;
	/** R, S, D, Z (zombie), T… */
	state: string;
}

/** Parses /proc/PID/stat; the command name may hold spaces and parentheses, so fields are read after the last ')'. */
export function parseProcStat(text: string): ProcStat | null {
	const close = text.lastIndexOf(')');
	if (close === -1) return null;
	const pid = Number.parseInt(text, 10);
	const fields = text
		.slice(close + 2)
		.trim()
		.split(' ');
	const ppid = Number(fields[1]);
	const pgrp = Number(fields[2]);
	if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isInteger(pgrp)) return null;
	return {pid, ppid, pgrp, state: fields[0] ?? '?'};
}

/** Every process visible in /proc (empty where there is no /proc). */
export function readProcTable(procDir = '/proc'): ProcStat[] {
	let names: string[];
	try {
		names = readdirSync(procDir);
	} catch {
		return [];
	}
	const out: ProcStat[] = [];
	for (const name of names) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = parseProcStat(readFileSync(`${procDir}/${name}/stat`, 'utf8'));
			if (stat) out.push(stat);
		} catch {
			// Gone between readdir and read.
		}
	}
	return out;
}

/** The live (non-zombie) pids of `root`'s tree and of its process group, root first when alive. Pure over a table. */
export function treePids(table: readonly ProcStat[], root: number, pgid = root): number[] {
	const children = new Map<number, number[]>();
	for (const p of table) {
		const list = children.get(p.ppid);
		if (list) list.push(p.pid);
		else children.set(p.ppid, [p.pid]);
	}
	const byPid = new Map(table.map(p => [p.pid, p]));
	const seen = new Set<number>();
	const queue = byPid.has(root) ? [root] : [];
	for (const p of table) if (p.pgrp === pgid && p.pid !== root) queue.push(p.pid);
	while (queue.length > 0) {
		const pid = queue.shift()!;
		if (seen.has(pid)) continue;
		seen.add(pid);
		for (const child of children.get(pid) ?? []) queue.push(child);
	}
	return [...seen].filter(pid => byPid.get(pid)?.state !== 'Z');
}

/** Live (non-zombie) members of process group `pgid`; null where /proc cannot be read. */
export function groupMembers(pgid: number, procDir = '/proc'): number[] | null {
	const table = readProcTable(procDir);
	if (table.length === 0) return null;
	return table.filter(p => p.pgrp === pgid && p.state !== 'Z').map(p => p.pid);
}
