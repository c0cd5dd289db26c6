/** Shared helpers for the network tests (and the gateway's TLS venue): a throwaway certificate. */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A self-signed certificate for localhost and 127.0.0.1 made with openssl, or null when this machine has none. */
export function localhostCert(): {key: Buffer; cert: Buffer} | null {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'drydock-tls-'));
	try {
		execFileSync(
			'openssl',
			[
				'req',
				'-x509',
				'-newkey',
				'ec',
				'-pkeyopt',
				'ec_paramgen_curve:prime256v1',
				'-nodes',
				'-days',
				'1',
				'-subj',
				'/CN=localhost',
				'-addext',
				'subjectAltName=DNS:localhost,IP:127.0.0.1',
				'-keyout',
				path.join(dir, 'key.pem'),
				'-out',
				path.join(dir, 'cert.pem'),
			],
			{stdio: 'ignore'},
		);
		return {key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem'))};
	} catch {
		return null;
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
}
