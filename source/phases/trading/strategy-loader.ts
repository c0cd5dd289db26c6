/**
 * Loads a user strategy from the file named in profile.strategy.file. The module's default export (or
 * a `createStrategy` export) is either a Strategy object or a factory `(options) => Strategy`.
 * JavaScript loads with a plain dynamic import; TypeScript loads through tsx (a dependency).
 */
import path from 'node:path';
import {existsSync} from 'node:fs';
import {pathToFileURL} from 'node:url';
import type {Strategy, StrategyOptions} from './strategy.js';

export class StrategyLoadError extends Error {
	override readonly name = 'StrategyLoadError';
}

function isStrategy(value: unknown): value is Strategy {
	if (value === null || typeof value !== 'object') return false;
	const candidate = value as Record<string, unknown>;
	const hooks = ['onCandle', 'onTrade', 'onTick'].filter(hook => typeof candidate[hook] === 'function');
	return hooks.length > 0;
}

export async function loadStrategyFile(file: string, options: StrategyOptions, cwd = process.cwd()): Promise<Strategy> {
	const absolute = path.resolve(cwd, file);
	if (!existsSync(absolute)) throw new StrategyLoadError(`strategy file ${file}: not found (resolved to ${absolute})`);
	let module: Record<string, unknown>;
	try {
		if (/\.(c|m)?tsx?$/.test(absolute)) {
			const {tsImport} = await import('tsx/esm/api');
			module = (await tsImport(pathToFileURL(absolute).href, import.meta.url)) as Record<string, unknown>;
		} else {
			module = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
		}
	} catch (error) {
		const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
		throw new StrategyLoadError(`strategy file ${file}: cannot load: ${message}`);
	}
	// tsx wraps a CommonJS-shaped default once more.
	const exported = module.default ?? module.createStrategy ?? module.strategy;
	const unwrapped =
		exported !== null && typeof exported === 'object' && 'default' in exported && !isStrategy(exported)
			? exported.default
			: exported;
	let strategy: unknown = unwrapped;
	if (typeof unwrapped === 'function') {
		try {
			strategy = await (unwrapped as (options: StrategyOptions) => unknown)(options);
		} catch (error) {
			throw new StrategyLoadError(
				`strategy file ${file}: its factory threw: ${error instanceof Error ? error.message : String(error)}`,
			);
		}
	}
	if (!isStrategy(strategy)) {
		throw new StrategyLoadError(
			`strategy file ${file}: the default export must be a strategy ({onCandle?, onTrade?, onTick?}) or a function returning one`,
		);
	}
	const named = strategy as Strategy & {name?: unknown};
	return typeof named.name === 'string' && named.name !== '' ? named : {...named, name: path.basename(file)};
}
