/**
 * What a client learns about the server's certificate, all of it at once.
 * Node's own check stops at the first problem (a self-signed certificate
 * hides a wrong name) and words a wrong name with an alt-names list that may
 * be empty; the raw client and `send` connect with `rejectUnauthorized: false`
 * and decide here instead (RFC 6125 §6 name check, RFC 8314 §4.1: a client
 * must verify before it sends credentials).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate, type SecureVersion, type TLSSocket } from 'node:tls';

import type { TlsClientSettings } from './server-url.js';

export type { TlsClientSettings };

/** The TLS versions `--tls-min` takes. */
export const TLS_VERSIONS: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** The name a certificate must carry: --servername, else the host. */
export function verificationName(host: string, settings: TlsClientSettings = {}): string {
  return settings.servername ?? host;
}

/**
 * The options for tls.connect: SNI (a host name only, never an IP address,
 * RFC 6066 §3), the CA file, the minimum version; verification left to
 * `verificationProblems`. Throws a one-line Error when the CA file cannot be read.
 */
export function tlsConnectOptions(host: string, settings: TlsClientSettings = {}): ConnectionOptions {
  const name = verificationName(host, settings);
  let ca: Buffer | undefined;
  if (settings.caFile !== undefined) {
    try {
      ca = readFileSync(settings.caFile);
    } catch (error) {
      throw new Error(`cannot read the CA file ${settings.caFile}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
  }
  return {
    rejectUnauthorized: false,
    ...(isIP(name) === 0 ? { servername: name } : {}),
    ...(ca ? { ca } : {}),
    ...(settings.minVersion ? { minVersion: settings.minVersion } : {}),
  };
}

/** Every reason the peer's certificate does not verify for `name`; empty when it does. */
export function verificationProblems(socket: TLSSocket, name: string): string[] {
  const certificate = socket.getPeerCertificate();
  if (!certificate || Object.keys(certificate).length === 0) return ['the server sent no certificate'];
  const problems: string[] = [];
  const chainError = chainProblem(socket);
  if (chainError) problems.push(chainError);
  // Node checks the name only when the chain verified: check it always, so a self-signed certificate for another host says both.
  if (checkServerIdentity(name, certificate) !== undefined) problems.push(wrongName(name, certificate));
  return problems;
}

/** True when the problems include a self-signed certificate (the only case the --insecure hint is about). */
export function isSelfSigned(socket: TLSSocket): boolean {
  const code = String(socket.authorizationError ?? '');
  return code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN';
}

function chainProblem(socket: TLSSocket): string | undefined {
  const code = socket.authorizationError === null || socket.authorizationError === undefined ? '' : String(socket.authorizationError);
  if (code === '' || code === 'ERR_TLS_CERT_ALTNAME_INVALID') return undefined;
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'the certificate is self-signed (no CA vouches for it)';
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'the certificate chain ends in a self-signed CA that is not trusted here (--ca-file FILE trusts it)';
    case 'CERT_HAS_EXPIRED':
      return 'the certificate has expired';
    case 'CERT_NOT_YET_VALID':
      return 'the certificate is not valid yet';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return 'the certificate was issued by a CA that is not trusted here, or the server did not send the intermediate certificate (--ca-file FILE trusts a CA)';
    default:
      return `the certificate did not verify (${code})`;
  }
}

/** "the certificate is for mail.example.org, *.example.org, not localhost" — never an empty list. */
function wrongName(name: string, certificate: PeerCertificate): string {
  const names = (certificate.subjectaltname ?? '')
    .split(',')
    .map((entry) => entry.trim().replace(/^(DNS|IP Address):/, ''))
    .filter((entry) => entry !== '');
  const commonName = certificate.subject?.CN;
  const listed = names.length > 0 ? names : commonName ? [`${String(commonName)} (its subject CN; it has no alternative names)`] : [];
  if (listed.length === 0) return `the certificate names no host at all (no alternative names, no CN), so it cannot be for ${name}`;
  return `the certificate is for ${listed.join(', ')}, not ${name} (--servername NAME checks another name)`;
}
