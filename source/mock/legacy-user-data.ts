/**
 * The `legacyUserData` switch: Binance withdrew the listenKey flow (REST POST/PUT/DELETE
 * /api/v3/userDataStream, WebSocket API userDataStream.start/ping/stop) on 2026-02-20 07:00 UTC; the
 * mock refuses it unless told to keep it for a bot being migrated.
 */

/** What `drydock mock --legacy-user-data` prints on start, so nobody mistakes the mock for today's Binance. */
export const LEGACY_USER_DATA_NOTICE =
	'legacy user data: serving the listenKey flow (POST/PUT/DELETE /api/v3/userDataStream, userDataStream.start/ping/stop) that Binance withdrew on 2026-02-20 — a bot using it will fail in production';

const TRUE = new Set(['true', 'on', 'yes', '1']);
const FALSE = new Set(['false', 'off', 'no', '0']);

/**
 * Reads the switch from a profile value or flag text (`where` names it in the message):
 * true/false, or on/off, yes/no, 1/0 as text. Absent means false.
 */
export function parseLegacyUserData(value: unknown, where = 'mock.legacyUserData'): boolean {
	if (value === undefined || value === null) return false;
	if (typeof value === 'boolean') return value;
	if (typeof value === 'string') {
		const text = value.trim().toLowerCase();
		if (TRUE.has(text)) return true;
		if (FALSE.has(text)) return false;
	}
	throw new TypeError(`${where}: expected true or false, got ${JSON.stringify(value)?.slice(0, 40) ?? typeof value}`);
}
