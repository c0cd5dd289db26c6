import {createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject} from 'node:crypto';

/** Binance's SIGNED-endpoint signature: HMAC-SHA256 of the payload as sent, lowercase hex. */
export function hmacHex(secret: string, payload: string): string {
	return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Constant-time comparison of a received signature against the expected one (HMAC is not case-sensitive). */
export function signatureMatches(secret: string, payload: string, signature: string): boolean {
	const expected = Buffer.from(hmacHex(secret, payload), 'utf8');
	const received = Buffer.from(signature.toLowerCase(), 'utf8');
	return expected.length === received.length && timingSafeEqual(expected, received);
}

/** The three kinds of API key Binance issues. */
export type ApiKeyType = 'HMAC' | 'RSA' | 'ED25519';

/** What verifies a key's signatures: the shared secret (HMAC) or the registered public key. */
export type SigningCredential = {type: 'HMAC'; secret: string} | {type: 'RSA' | 'ED25519'; publicKey: KeyObject};

/**
 * Reads a PEM public key and tells its type: Ed25519 or RSA (Binance's asymmetric key types).
 * Throws a one-line message for anything else.
 */
export function parsePublicKey(pem: string): {type: 'RSA' | 'ED25519'; publicKey: KeyObject} {
	let publicKey: KeyObject;
	try {
		publicKey = createPublicKey(pem);
	} catch (error) {
		throw new TypeError(`public key is not a PEM public key (${(error as Error).message})`);
	}
	if (publicKey.asymmetricKeyType === 'ed25519') return {type: 'ED25519', publicKey};
	if (publicKey.asymmetricKeyType === 'rsa') return {type: 'RSA', publicKey};
	throw new TypeError(
		`public key type ${publicKey.asymmetricKeyType ?? 'unknown'} is not supported: use Ed25519 or RSA`,
	);
}

/**
 * Checks a signature as Binance does per key type: HMAC-SHA256 hex (any case); RSA (PKCS#1 v1.5,
 * SHA-256) and Ed25519 as base64 of the raw signature, case-sensitive.
 */
export function verifySignature(credential: SigningCredential, payload: string, signature: string): boolean {
	if (credential.type === 'HMAC')
		return /^[0-9a-fA-F]{64}$/.test(signature) && signatureMatches(credential.secret, payload, signature);
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature) || signature.length > 1024) return false;
	const raw = Buffer.from(signature, 'base64');
	try {
		return verify(credential.type === 'RSA' ? 'sha256' : null, Buffer.from(payload, 'utf8'), credential.publicKey, raw);
	} catch {
		return false;
	}
}
