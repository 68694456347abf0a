/**
 * Real TLS for `lesson check` over TCP: the listeners of lessons with
 * `tls: on` get a self-signed certificate, generated once per run in a
 * temporary folder (removed again once read), and the raw client upgrades its
 * socket after the server's positive STLS/STARTTLS reply without verifying
 * the certificate: it is the lab's own, on 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type SecureContext, type TLSSocket } from 'node:tls';
import { ensureCertificate, secureContextOf } from './tls-certificate.js';
import { DEFAULT_LESSON_HOST } from '../lessons/lesson-lab.js';

let context: Promise<SecureContext> | undefined;

/** The lab's certificate for this run: made on first use, then shared by every lesson. */
export function lessonSecureContext(): Promise<SecureContext> {
  context ??= (async () => {
    const folder = await mkdtemp(join(tmpdir(), 'maillab-lesson-tls-'));
    try {
      return secureContextOf(await ensureCertificate(folder, DEFAULT_LESSON_HOST));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  })().catch((error: unknown) => {
    context = undefined;
    throw error;
  });
  return context;
}

/** The client's side of the handshake on `plain`; rejects when it fails or takes longer than `timeoutMs`. */
export function clientHandshake(plain: Socket, timeoutMs: number): Promise<TLSSocket> {
  const secure = tlsConnect({ socket: plain, rejectUnauthorized: false, servername: 'localhost' });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      secure.destroy();
      reject(error);
    };
    secure.once('error', fail);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.off('error', fail);
      resolve(secure);
    });
  });
}
