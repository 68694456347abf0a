/**
 * The lab's TLS certificate: generated once into `<data>/tls/` with the
 * `selfsigned` library (no openssl shell-out), then reused.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import selfsigned from 'selfsigned';

export interface CertificateFiles {
  keyPath: string;
  certPath: string;
  key: string;
  cert: string;
  /** True when this call generated them. */
  created: boolean;
}

/** Loads `<folder>/key.pem` and `cert.pem`, generating a self-signed pair for `hostname` if missing. */
export async function ensureCertificate(folder: string, hostname = 'localhost'): Promise<CertificateFiles> {
  const keyPath = join(folder, 'key.pem');
  const certPath = join(folder, 'cert.pem');
  try {
    const [key, cert] = await Promise.all([fs.readFile(keyPath, 'utf8'), fs.readFile(certPath, 'utf8')]);
    return { keyPath, certPath, key, cert, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await fs.mkdir(folder, { recursive: true, mode: 0o700 });
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 5);
  const pems = await selfsigned.generate([{ name: 'commonName', value: hostname }, { name: 'organizationName', value: 'maillab teaching lab' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: hostname },
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  await fs.writeFile(keyPath, pems.private, { mode: 0o600 });
  await fs.writeFile(certPath, pems.cert, { mode: 0o644 });
  return { keyPath, certPath, key: pems.private, cert: pems.cert, created: true };
}

export function secureContextOf(files: { key: string; cert: string }): SecureContext {
  return createSecureContext({ key: files.key, cert: files.cert, minVersion: 'TLSv1.2' });
}
