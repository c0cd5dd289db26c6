/**
 * One JSON request to a drydock admin API (the mock's, or the gateway's in front of a real venue): the
 * injectors speak to both over the wire, and a failure is a FaultError naming the side, method and path.
 */
import {FaultError} from './injector.js';

export type AdminSend = (method: string, path: string, body?: unknown) => Promise<unknown>;

/** `label` names the side in errors ("mock admin", "gateway admin"); the answer is parsed JSON, text, or null. */
export function adminSender(adminUrl: string, label: string, timeoutMs: number): AdminSend {
	const base = adminUrl.replace(/\/+$/, '');
	return async (method, path, body) => {
		let response: Response;
		try {
			response = await fetch(`${base}${path}`, {
				method,
				headers: body === undefined ? {} : {'content-type': 'application/json'},
				body: body === undefined ? null : JSON.stringify(body),
				signal: AbortSignal.timeout(timeoutMs),
			});
		} catch (error) {
			throw new FaultError(
				`${label} ${method} ${path} unreachable: ${error instanceof Error ? error.message : String(error)}`,
			);
		}
		const text = await response.text();
		if (!response.ok)
			throw new FaultError(`${label} ${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
		if (text === '') return null;
		try {
			return JSON.parse(text) as unknown;
		} catch {
			return text;
		}
	};
}
