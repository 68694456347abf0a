// Maildirs full of mixed-size messages, the same for every server in a run.
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A small deterministic PRNG (mulberry32), so every run stores the same mail. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixed sizes: 70% 0.5–4 KB, 25% 4–16 KB, 5% 16–100 KB (about 7 KB on average). */
export function messageSize(next) {
  const pick = next();
  if (pick < 0.7) return 512 + Math.floor(next() * 3584);
  if (pick < 0.95) return 4096 + Math.floor(next() * 12288);
  return 16384 + Math.floor(next() * 86016);
}

const WORDS = 'the quick brown fox jumps over a lazy dog while mail servers exchange octets through carefully framed lines'.split(' ');

/** A CRLF message of about `size` octets; some body lines start with "." (dot-stuffing). */
export function message(next, size, number) {
  const lines = [`From: Bench Sender <sender@bench.test>`, `To: reader@maillab.test`, `Subject: benchmark message ${number}`, `Message-ID: <${number}@bench.test>`, `Date: Mon, 1 Jan 2024 00:00:00 +0000`, ''];
  let length = lines.join('\r\n').length + 2;
  while (length < size) {
    let line = next() < 0.03 ? '.' : '';
    while (line.length < 40 + next() * 30) line += `${WORDS[Math.floor(next() * WORDS.length)]} `;
    lines.push(line.trimEnd());
    length += line.trimEnd().length + 2;
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`);
}

/**
 * Writes `count` messages into `<mailRoot>/<user>/new/` under Maildir names in
 * maillab's own form (`<seconds>.M<µs>P<pid>Q<n>.<host>,S=<size>,W=<size>`), owned by `owner`.
 */
export function fillMaildir(mailRoot, user, count, seed, owner) {
  const next = random(seed);
  const folder = join(mailRoot, user);
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(folder, sub), { recursive: true });
  let octets = 0;
  for (let i = 0; i < count; i++) {
    const bytes = message(next, messageSize(next), i + 1);
    octets += bytes.length;
    const name = `${1700000000 + i}.M${(i * 7919) % 1000000}P4242Q${i + 1}.bench.test,S=${bytes.length},W=${bytes.length}`;
    const path = join(folder, 'new', name);
    writeFileSync(path, bytes);
    if (owner) chownSync(path, owner.uid, owner.gid);
  }
  if (owner) for (const path of [folder, ...['tmp', 'new', 'cur'].map((sub) => join(folder, sub))]) chownSync(path, owner.uid, owner.gid);
  return octets;
}
