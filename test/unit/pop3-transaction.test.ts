import { describe, expect, it } from 'vitest';
import { createPop3Backend } from '../../core/store/pop3-backend.js';
import { stuffBody } from '../../core/framing/dot-stuffing.js';
import { EngineMisuse } from '../../core/errors.js';
import type { WireEvent } from '../../core/events.js';
import type { MaildropChanges } from '../../core/pop3/backend.js';
import type { Pop3Output } from '../../core/pop3/session.js';
import { MemoryStore } from '../../core/store/memory-store.js';
import { StaticUsers } from '../../core/store/user-directory.js';
import { makeHarness, messageOfSize, rfcMaildrop, type Harness } from '../helpers/pop3-harness.js';

const USERS = { mrose: 'tanstaaf', alice: 'wonderland' };
const ONE = messageOfSize(120, 'one');
const TWO = messageOfSize(200, 'two');

/** A harness for mrose with the RFC 1939 maildrop, already in TRANSACTION. */
async function loggedIn(setup: (store: MemoryStore) => void = rfcMaildrop, user = 'mrose', password = 'tanstaaf'): Promise<Harness> {
  const h = makeHarness({}, setup);
  expect(await h.send(`USER ${user}`)).toMatch(/^\+OK/);
  expect(await h.send(`PASS ${password}`)).toMatch(/^\+OK/);
  expect(h.session.state).toBe('TRANSACTION');
  return h;
}

/** A session on a store shared with other sessions. */
async function sessionOn(store: MemoryStore, user = 'mrose'): Promise<Harness> {
  const h = makeHarness({}, undefined, createPop3Backend(new StaticUsers(USERS), store));
  expect(await h.send(`USER ${user}`)).toMatch(/^\+OK/);
  expect(await h.send(`PASS ${USERS[user as keyof typeof USERS]}`)).toMatch(/^\+OK/);
  return h;
}

const errorCodes = (output: Pop3Output) => output.events.flatMap((e) => (e.kind === 'error' ? [e.code] : []));
const transitions = (output: Pop3Output) =>
  output.events.filter((e): e is Extract<WireEvent, { kind: 'transition' }> => e.kind === 'transition').map(({ from, to, rfc }) => ({ from, to, rfc }));

describe('STAT', () => {
  it('counts messages and octets', async () => {
    const h = await loggedIn();
    expect(await h.send('STAT')).toBe('+OK 2 320\r\n');
  });

  it('leaves out messages marked deleted', async () => {
    const h = await loggedIn();
    await h.send('DELE 1');
    expect(await h.send('STAT')).toBe('+OK 1 200\r\n');
    await h.send('DELE 2');
    expect(await h.send('STAT')).toBe('+OK 0 0\r\n');
  });

  it('reports an empty maildrop', async () => {
    const h = await loggedIn(() => {}, 'alice', 'wonderland');
    expect(await h.send('STAT')).toBe('+OK 0 0\r\n');
  });

  it('rejects arguments', async () => {
    const h = await loggedIn();
    const output = await h.output('STAT 1');
    expect(output.bytes.toString()).toBe('-ERR noise after STAT arguments: "1"\r\n');
    expect(errorCodes(output)).toEqual(['BAD_ARGUMENT']);
  });
});

describe('LIST', () => {
  it('gives a scan listing of every message', async () => {
    const h = await loggedIn();
    expect(await h.send('LIST')).toBe('+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n');
  });

  it('leaves out messages marked deleted', async () => {
    const h = await loggedIn();
    await h.send('DELE 1');
    expect(await h.send('LIST')).toBe('+OK 1 message (200 octets)\r\n2 200\r\n.\r\n');
  });

  it('lists an empty maildrop as an empty body', async () => {
    const h = await loggedIn(() => {}, 'alice', 'wonderland');
    expect(await h.send('LIST')).toBe('+OK 0 messages (0 octets)\r\n.\r\n');
  });

  it('gives the scan line of one message', async () => {
    const h = await loggedIn();
    expect(await h.send('LIST 2')).toBe('+OK 2 200\r\n');
    expect(await h.send('LIST 1')).toBe('+OK 1 120\r\n');
  });

  it('accepts leading zeros in a message number', async () => {
    const h = await loggedIn();
    expect(await h.send('LIST 002')).toBe('+OK 2 200\r\n');
  });

  it.each([
    ['LIST 3', '-ERR no such message, only 2 messages in maildrop\r\n'],
    ['LIST 0', '-ERR no such message, only 2 messages in maildrop\r\n'],
    ['LIST 99999999999999999999999', '-ERR no such message, only 2 messages in maildrop\r\n'],
    ['LIST x', '-ERR "x" is not a message number\r\n'],
    ['LIST -1', '-ERR "-1" is not a message number\r\n'],
    ['LIST 1.0', '-ERR "1.0" is not a message number\r\n'],
    ['LIST 1 2', '-ERR noise after LIST arguments: "2"\r\n'],
  ])('%s fails', async (command, reply) => {
    const h = await loggedIn();
    expect(await h.send(command)).toBe(reply);
    expect(h.session.state).toBe('TRANSACTION');
  });

  it('says "only 1 message" in the singular', async () => {
    const h = await loggedIn((store) => store.add('mrose', ONE));
    expect(await h.send('LIST 2')).toBe('-ERR no such message, only 1 message in maildrop\r\n');
  });

  it('refuses a message marked deleted', async () => {
    const h = await loggedIn();
    await h.send('DELE 2');
    expect(await h.send('LIST 2')).toBe('-ERR message 2 already deleted\r\n');
  });
});

describe('RETR', () => {
  it('sends the whole message with its octet count', async () => {
    const h = await loggedIn();
    expect(await h.send('RETR 2')).toBe(`+OK 200 octets\r\n${TWO}.\r\n`);
    expect(await h.send('RETR 1')).toBe(`+OK 120 octets\r\n${ONE}.\r\n`);
  });

  it('may retrieve the same message twice', async () => {
    const h = await loggedIn();
    const first = await h.send('RETR 1');
    expect(await h.send('RETR 1')).toBe(first);
  });

  it.each([
    ['RETR', '-ERR RETR needs a message number\r\n', ['BAD_ARGUMENT']],
    ['RETR 3', '-ERR no such message, only 2 messages in maildrop\r\n', []],
    ['RETR 0', '-ERR no such message, only 2 messages in maildrop\r\n', []],
    ['RETR one', '-ERR "one" is not a message number\r\n', ['BAD_ARGUMENT']],
    ['RETR +1', '-ERR "+1" is not a message number\r\n', ['BAD_ARGUMENT']],
    ['RETR 1 2', '-ERR noise after RETR arguments: "2"\r\n', ['BAD_ARGUMENT']],
  ])('%s fails', async (command, reply, codes) => {
    const h = await loggedIn();
    const output = await h.output(command);
    expect(output.bytes.toString()).toBe(reply);
    expect(errorCodes(output)).toEqual(codes);
  });

  it('refuses a message marked deleted', async () => {
    const h = await loggedIn();
    await h.send('DELE 1');
    expect(await h.send('RETR 1')).toBe('-ERR message 1 already deleted\r\n');
  });

  it('summarises the body in a body event', async () => {
    const h = await loggedIn();
    const output = await h.output('RETR 1');
    expect(output.events).toContainEqual(expect.objectContaining({ kind: 'body', from: 'server', lines: ONE.split('\r\n').length - 1, octets: 120 }));
  });
});

describe('octet counts are the CRLF wire size, also for messages stored with bare LF', () => {
  const stored = 'Subject: lf\n\nline one\n.dotted\nlast line';
  const wire = 'Subject: lf\r\n\r\nline one\r\n.dotted\r\nlast line\r\n';
  const size = Buffer.byteLength(wire);
  const setup = (store: MemoryStore) => {
    store.add('alice', stored);
    store.add('alice', 'x\n');
  };

  it('STAT and LIST count CRLF', async () => {
    const h = await loggedIn(setup, 'alice', 'wonderland');
    expect(size).toBe(Buffer.byteLength(stored) + 4 + 2); // four bare LFs, and the missing final CRLF
    expect(await h.send('STAT')).toBe(`+OK 2 ${size + 3}\r\n`);
    expect(await h.send('LIST')).toBe(`+OK 2 messages (${size + 3} octets)\r\n1 ${size}\r\n2 3\r\n.\r\n`);
  });

  it('RETR sends CRLF lines, byte-stuffed, and the count matches the unstuffed body', async () => {
    const h = await loggedIn(setup, 'alice', 'wonderland');
    const reply = await h.send('RETR 1');
    expect(reply).toBe(`+OK ${size} octets\r\nSubject: lf\r\n\r\nline one\r\n..dotted\r\nlast line\r\n.\r\n`);
    const body = reply.slice(reply.indexOf('\r\n') + 2, -3).replace(/^\./gm, '');
    expect(Buffer.byteLength(body)).toBe(size);
  });
});

describe('byte-stuffing of lines starting with "."', () => {
  const message = 'Subject: dots\r\n\r\n.\r\n..\r\n.leading\r\nmiddle.dot\r\n.\r\n';
  const stuffed = 'Subject: dots\r\n\r\n..\r\n...\r\n..leading\r\nmiddle.dot\r\n..\r\n.\r\n';

  it('RETR doubles a leading dot, and the size is before stuffing', async () => {
    const h = await loggedIn((store) => store.add('alice', message), 'alice', 'wonderland');
    expect(await h.send('RETR 1')).toBe(`+OK ${message.length} octets\r\n${stuffed}`);
    expect(await h.send('LIST 1')).toBe(`+OK 1 ${message.length}\r\n`);
  });

  it('TOP stuffs too', async () => {
    const h = await loggedIn((store) => store.add('alice', message), 'alice', 'wonderland');
    expect(await h.send('TOP 1 2')).toBe('+OK\r\nSubject: dots\r\n\r\n..\r\n...\r\n.\r\n');
  });

  it('matches the serialiser applied to the stored bytes', async () => {
    const h = await loggedIn((store) => store.add('alice', message), 'alice', 'wonderland');
    const reply = await h.send('RETR 1');
    expect(reply.slice(reply.indexOf('\r\n') + 2)).toBe(stuffBody(Buffer.from(message)).toString('latin1'));
  });
});

describe('DELE', () => {
  it('marks a message deleted without removing it', async () => {
    const h = await loggedIn();
    expect(await h.send('DELE 1')).toBe('+OK message 1 deleted\r\n');
    expect(h.store.messages('mrose')).toHaveLength(2);
    expect(h.session.transaction?.deleted).toEqual(new Set([0]));
  });

  it.each([
    ['DELE', '-ERR DELE needs a message number\r\n'],
    ['DELE 3', '-ERR no such message, only 2 messages in maildrop\r\n'],
    ['DELE 0', '-ERR no such message, only 2 messages in maildrop\r\n'],
    ['DELE x', '-ERR "x" is not a message number\r\n'],
    ['DELE 1 1', '-ERR noise after DELE arguments: "1"\r\n'],
  ])('%s fails and marks nothing', async (command, reply) => {
    const h = await loggedIn();
    expect(await h.send(command)).toBe(reply);
    expect(h.session.transaction?.deleted.size).toBe(0);
  });

  it('refuses a message already marked', async () => {
    const h = await loggedIn();
    await h.send('DELE 2');
    expect(await h.send('DELE 2')).toBe('-ERR message 2 already deleted\r\n');
  });
});

describe('NOOP', () => {
  it('answers +OK', async () => {
    const h = await loggedIn();
    expect(await h.send('NOOP')).toBe('+OK\r\n');
  });

  it('rejects arguments', async () => {
    const h = await loggedIn();
    expect(await h.send('NOOP now')).toBe('-ERR noise after NOOP arguments: "now"\r\n');
  });
});

describe('RSET', () => {
  it('unmarks every deleted message', async () => {
    const h = await loggedIn();
    await h.send('DELE 1');
    await h.send('DELE 2');
    expect(await h.send('RSET')).toBe('+OK maildrop has 2 messages (320 octets)\r\n');
    expect(await h.send('RETR 1')).toBe(`+OK 120 octets\r\n${ONE}.\r\n`);
    expect(await h.send('LIST')).toBe('+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n');
  });

  it('so QUIT then deletes nothing', async () => {
    const h = await loggedIn();
    await h.send('DELE 1');
    await h.send('RSET');
    expect(await h.send('QUIT')).toBe('+OK maillab POP3 server signing off (2 messages left)\r\n');
    expect(h.store.messages('mrose')).toHaveLength(2);
  });

  it('rejects arguments and unmarks nothing', async () => {
    const h = await loggedIn();
    await h.send('DELE 1');
    expect(await h.send('RSET 1')).toBe('-ERR noise after RSET arguments: "1"\r\n');
    expect(await h.send('STAT')).toBe('+OK 1 200\r\n');
  });
});

describe('TOP', () => {
  const message = 'Subject: top\r\nFrom: a@example.org\r\n\r\nline 1\r\nline 2\r\nline 3\r\n';
  const headers = 'Subject: top\r\nFrom: a@example.org\r\n\r\n';
  const setup = (store: MemoryStore) => {
    store.add('alice', message);
    store.add('alice', 'Subject: headers only\n');
    store.add('alice', 'Subject: empty body\n\n');
    store.add('alice', '\nno headers, body 1\nbody 2\n');
  };
  const alice = () => loggedIn(setup, 'alice', 'wonderland');

  it('TOP n 0 sends the headers and the blank line', async () => {
    const h = await alice();
    expect(await h.send('TOP 1 0')).toBe(`+OK\r\n${headers}.\r\n`);
  });

  it('TOP n 2 adds two body lines', async () => {
    const h = await alice();
    expect(await h.send('TOP 1 2')).toBe(`+OK\r\n${headers}line 1\r\nline 2\r\n.\r\n`);
  });

  it('TOP with more lines than the body sends the whole message', async () => {
    const h = await alice();
    expect(await h.send('TOP 1 3')).toBe(`+OK\r\n${message}.\r\n`);
    expect(await h.send('TOP 1 1000')).toBe(`+OK\r\n${message}.\r\n`);
  });

  it('a message without a body: TOP sends what there is', async () => {
    const h = await alice();
    expect(await h.send('TOP 2 0')).toBe('+OK\r\nSubject: headers only\r\n.\r\n');
    expect(await h.send('TOP 3 5')).toBe('+OK\r\nSubject: empty body\r\n\r\n.\r\n');
  });

  it('a message without headers starts with the blank line: TOP n 0 sends only that', async () => {
    const h = await alice();
    expect(await h.send('TOP 4 0')).toBe('+OK\r\n\r\n.\r\n');
    expect(await h.send('TOP 4 1')).toBe('+OK\r\n\r\nno headers, body 1\r\n.\r\n');
  });

  it.each([
    ['TOP', '-ERR TOP needs a message number\r\n'],
    ['TOP 1', '-ERR TOP needs a line count: TOP msg n\r\n'],
    ['TOP 1 x', '-ERR "x" is not a non-negative line count\r\n'],
    ['TOP 1 -1', '-ERR "-1" is not a non-negative line count\r\n'],
    ['TOP x 1', '-ERR "x" is not a message number\r\n'],
    ['TOP 9 0', '-ERR no such message, only 4 messages in maildrop\r\n'],
    ['TOP 1 0 0', '-ERR noise after TOP arguments: "0"\r\n'],
  ])('%s fails', async (command, reply) => {
    const h = await alice();
    expect(await h.send(command)).toBe(reply);
  });

  it('refuses a message marked deleted', async () => {
    const h = await alice();
    await h.send('DELE 1');
    expect(await h.send('TOP 1 0')).toBe('-ERR message 1 already deleted\r\n');
  });

  it('neither counts as an access for LAST nor flags the message seen', async () => {
    const h = await alice();
    await h.send('TOP 2 0');
    expect(await h.send('LAST')).toBe('+OK 0\r\n');
    await h.send('QUIT');
    expect(h.store.messages('alice').map((m) => m.seen)).toEqual([false, false, false, false]);
  });
});

describe('UIDL', () => {
  it('lists the unique ids', async () => {
    const h = await loggedIn();
    expect(await h.send('UIDL')).toBe('+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n');
  });

  it('gives one id', async () => {
    const h = await loggedIn();
    expect(await h.send('UIDL 2')).toBe('+OK 2 QhdPYR:00WBw1Ph7x7\r\n');
  });

  it('leaves out messages marked deleted, keeping the others\' numbers', async () => {
    const h = await loggedIn();
    await h.send('DELE 1');
    expect(await h.send('UIDL')).toBe('+OK\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n');
    expect(await h.send('UIDL 1')).toBe('-ERR message 1 already deleted\r\n');
  });

  it.each([
    ['UIDL 3', '-ERR no such message, only 2 messages in maildrop\r\n'],
    ['UIDL x', '-ERR "x" is not a message number\r\n'],
    ['UIDL 1 2', '-ERR noise after UIDL arguments: "2"\r\n'],
  ])('%s fails', async (command, reply) => {
    const h = await loggedIn();
    expect(await h.send(command)).toBe(reply);
  });

  it('ids are stable across sessions while numbers shift', async () => {
    const store = new MemoryStore();
    rfcMaildrop(store);
    const first = await sessionOn(store);
    await first.send('DELE 1');
    await first.send('QUIT');
    const second = await sessionOn(store);
    expect(await second.send('UIDL')).toBe('+OK\r\n1 QhdPYR:00WBw1Ph7x7\r\n.\r\n');
  });
});

describe('LAST (RFC 1460 §5, historic)', () => {
  // RFC 1460's example: 4 messages, 320 octets, message 1 seen earlier, message 3 of 120 octets.
  const setup = (store: MemoryStore) => {
    store.add('mrose', messageOfSize(50, 'm1'), { seen: true });
    store.add('mrose', messageOfSize(70, 'm2'));
    store.add('mrose', messageOfSize(120, 'm3'));
    store.add('mrose', messageOfSize(80, 'm4'));
  };

  it('replays the RFC 1460 example sequence', async () => {
    const h = await loggedIn(setup);
    expect(await h.send('STAT')).toBe('+OK 4 320\r\n');
    expect(await h.send('LAST')).toBe('+OK 1\r\n');
    expect(await h.send('RETR 3')).toBe(`+OK 120 octets\r\n${messageOfSize(120, 'm3')}.\r\n`);
    expect(await h.send('LAST')).toBe('+OK 3\r\n');
    expect(await h.send('DELE 2')).toBe('+OK message 2 deleted\r\n');
    expect(await h.send('LAST')).toBe('+OK 3\r\n');
    expect(await h.send('RSET')).toMatch(/^\+OK/);
    expect(await h.send('LAST')).toBe('+OK 0\r\n');
  });

  it('is 0 when nothing was accessed before', async () => {
    const h = await loggedIn();
    expect(await h.send('LAST')).toBe('+OK 0\r\n');
  });

  it('DELE of a higher message raises it; a lower one does not lower it', async () => {
    const h = await loggedIn(setup);
    expect(await h.send('DELE 4')).toBe('+OK message 4 deleted\r\n');
    expect(await h.send('LAST')).toBe('+OK 4\r\n');
    await h.send('RETR 2');
    expect(await h.send('LAST')).toBe('+OK 4\r\n');
  });

  it('rejects arguments', async () => {
    const h = await loggedIn();
    expect(await h.send('LAST 1')).toBe('-ERR noise after LAST arguments: "1"\r\n');
  });

  it('the command table marks it historic, with its RFC', async () => {
    const h = await loggedIn();
    const output = await h.output('LAST');
    expect(output.events).toContainEqual({ kind: 'annotation', about: 'command', key: 'pop3.command.LAST', rfc: 'RFC 1460 §5' });
  });
});

describe('QUIT from TRANSACTION (the UPDATE state)', () => {
  it('deletes only the marked messages and reports how many are left', async () => {
    const h = await loggedIn((store) => {
      store.add('mrose', ONE, { uid: 'a' });
      store.add('mrose', TWO, { uid: 'b' });
      store.add('mrose', ONE, { uid: 'c' });
    });
    await h.send('DELE 2');
    const output = await h.output('QUIT');
    expect(output.bytes.toString()).toBe('+OK maillab POP3 server signing off (2 messages left)\r\n');
    expect(output.close).toBe(true);
    expect(h.store.messages('mrose').map((m) => m.uid)).toEqual(['a', 'c']);
    expect(h.store.isLocked('mrose')).toBe(false);
    expect(h.session.state).toBe('CLOSED');
  });

  it('says "1 message left" in the singular', async () => {
    const h = await loggedIn();
    await h.send('DELE 1');
    expect(await h.send('QUIT')).toBe('+OK maillab POP3 server signing off (1 message left)\r\n');
    expect(h.store.messages('mrose').map((m) => m.uid)).toEqual(['QhdPYR:00WBw1Ph7x7']);
  });

  it('deletes nothing when nothing is marked', async () => {
    const h = await loggedIn();
    expect(await h.send('QUIT')).toBe('+OK maillab POP3 server signing off (2 messages left)\r\n');
    expect(h.store.messages('mrose')).toHaveLength(2);
  });

  it('passes through UPDATE to CLOSED, with RFC sections', async () => {
    const h = await loggedIn();
    await h.send('DELE 1');
    const output = await h.output('QUIT');
    expect(transitions(output)).toEqual([
      { from: 'TRANSACTION', to: 'UPDATE', rfc: 'RFC 1939 §6' },
      { from: 'UPDATE', to: 'CLOSED', rfc: 'RFC 1939 §6' },
    ]);
  });

  it('leaves a message delivered during the session alone', async () => {
    const h = await loggedIn();
    h.store.add('mrose', 'Subject: new\n\narrived meanwhile\n', { uid: 'new' });
    expect(await h.send('STAT')).toBe('+OK 2 320\r\n');
    await h.send('DELE 1');
    await h.send('DELE 2');
    // "Messages left" is what is really in the maildrop, the newcomer included.
    expect(await h.send('QUIT')).toBe('+OK maillab POP3 server signing off (1 message left)\r\n');
    expect(h.store.messages('mrose').map((m) => m.uid)).toEqual(['new']);
  });

  it('QUIT with an argument is refused and the session goes on', async () => {
    const h = await loggedIn();
    await h.send('DELE 1');
    const output = await h.output('QUIT now');
    expect(output.bytes.toString()).toBe('-ERR QUIT takes no arguments\r\n');
    expect(output.close).toBe(false);
    expect(h.session.state).toBe('TRANSACTION');
    expect(h.store.messages('mrose')).toHaveLength(2);
  });

  it('hands UPDATE the marked messages by position, and flags seen only retrieved messages that survive', async () => {
    const changes: MaildropChanges[] = [];
    const h = makeHarness({}, undefined, {
      secretOf: async () => 'secret',
      openMaildrop: async () => ({
        ok: true,
        maildrop: {
          messages: [
            { uid: 'a', size: 10, seen: false },
            { uid: 'b', size: 10, seen: false },
            { uid: 'c', size: 10, seen: false },
          ],
          read: async () => Buffer.from('x\r\n'),
          update: async (change) => {
            changes.push(change);
            return { deleted: change.deleted.length, failed: [], remaining: 3 - change.deleted.length };
          },
          release: async () => {},
        },
      }),
    });
    await h.send('USER anyone');
    await h.send('PASS secret');
    await h.send('RETR 1');
    await h.send('RETR 2');
    await h.send('TOP 3 0');
    await h.send('DELE 1');
    expect(await h.send('QUIT')).toBe('+OK maillab POP3 server signing off (2 messages left)\r\n');
    expect(changes).toEqual([{ deleted: [0], seen: [1] }]);
  });

  it('reports -ERR [SYS/TEMP] when the store cannot apply the deletions, and still releases the lock', async () => {
    const store = new MemoryStore();
    rfcMaildrop(store);
    const base = createPop3Backend(new StaticUsers(USERS), store);
    let released = 0;
    const h = makeHarness({}, undefined, {
      secretOf: (user) => base.secretOf(user),
      async openMaildrop(user) {
        const opened = await base.openMaildrop(user);
        if (!opened.ok) return opened;
        const maildrop = opened.maildrop;
        return {
          ok: true,
          maildrop: {
            messages: maildrop.messages,
            read: (index) => maildrop.read(index),
            update: async () => {
              throw new Error('disk full');
            },
            release: async () => {
              released++;
              await maildrop.release();
            },
          },
        };
      },
    });
    await h.send('APOP mrose c4c9334bac560ecc979e58001b3e22fb');
    await h.send('DELE 1');
    const output = await h.output('QUIT');
    expect(output.bytes.toString()).toBe('-ERR [SYS/TEMP] some deleted messages not removed (1 of 1)\r\n');
    expect(errorCodes(output)).toContain('STORE_FAILED');
    expect(output.close).toBe(true);
    expect(released).toBe(1);
    expect(store.messages('mrose')).toHaveLength(2);
  });
});

describe('QUIT in AUTHORIZATION', () => {
  it('closes without UPDATE and deletes nothing', async () => {
    const h = makeHarness({}, rfcMaildrop);
    await h.send('USER mrose');
    const output = await h.output('QUIT');
    expect(output.bytes.toString()).toBe('+OK maillab POP3 server signing off\r\n');
    expect(output.close).toBe(true);
    expect(transitions(output)).toEqual([{ from: 'AUTHORIZATION', to: 'CLOSED', rfc: 'RFC 1939 §4' }]);
    expect(h.store.messages('mrose')).toHaveLength(2);
    expect(h.store.isLocked('mrose')).toBe(false);
  });

  it('names the server from the options (RFC 1939 example "dewey")', async () => {
    const h = makeHarness({ serverName: 'dewey' });
    expect(await h.send('QUIT')).toBe('+OK dewey POP3 server signing off\r\n');
  });
});

describe('the session ends without QUIT', () => {
  it('end() after DELE deletes nothing and releases the lock', async () => {
    const h = await loggedIn();
    expect(h.store.isLocked('mrose')).toBe(true);
    await h.send('DELE 1');
    await h.send('DELE 2');
    const output = await h.session.end('connection reset');
    expect(output.events).toContainEqual({
      kind: 'transition',
      protocol: 'pop3',
      from: 'TRANSACTION',
      to: 'CLOSED',
      cause: 'connection reset',
      rfc: 'RFC 1939 §6',
    });
    expect(h.store.messages('mrose')).toHaveLength(2);
    expect(h.store.isLocked('mrose')).toBe(false);
    expect(h.session.state).toBe('CLOSED');
  });

  it('a new session can log in at once and still sees every message', async () => {
    const store = new MemoryStore();
    rfcMaildrop(store);
    const first = await sessionOn(store);
    await first.send('DELE 1');
    await first.session.end('dropped');
    const second = await sessionOn(store);
    expect(await second.send('STAT')).toBe('+OK 2 320\r\n');
  });

  it('end() does not flag retrieved messages seen', async () => {
    const h = await loggedIn();
    await h.send('RETR 2');
    await h.session.end('dropped');
    expect(h.store.messages('mrose').map((m) => m.seen)).toEqual([false, false]);
  });

  it('end() twice, or after QUIT, does nothing more', async () => {
    const h = await loggedIn();
    await h.send('QUIT');
    const after = await h.session.end('socket closed');
    expect(after.events).toEqual([]);
    expect(after.bytes.length).toBe(0);
  });

  it('receive() after the session closed is an engine misuse', async () => {
    const h = await loggedIn();
    await h.session.end('dropped');
    await expect(h.output('NOOP')).rejects.toBeInstanceOf(EngineMisuse);
  });
});

describe('seen flags and LAST across sessions', () => {
  it('RETR then QUIT flags the message seen, so LAST starts higher next time', async () => {
    const store = new MemoryStore();
    store.add('mrose', ONE, { uid: 'a' });
    store.add('mrose', TWO, { uid: 'b' });
    store.add('mrose', ONE, { uid: 'c' });

    const first = await sessionOn(store);
    expect(await first.send('LAST')).toBe('+OK 0\r\n');
    await first.send('RETR 2');
    await first.send('QUIT');
    expect(store.messages('mrose').map((m) => m.seen)).toEqual([false, true, false]);

    const second = await sessionOn(store);
    expect(await second.send('LAST')).toBe('+OK 2\r\n');
    await second.send('RETR 3');
    await second.send('QUIT');

    const third = await sessionOn(store);
    expect(await third.send('LAST')).toBe('+OK 3\r\n');
  });

  it('a message retrieved and deleted is removed, not flagged', async () => {
    const store = new MemoryStore();
    store.add('mrose', ONE, { uid: 'a' });
    store.add('mrose', TWO, { uid: 'b' });
    const first = await sessionOn(store);
    await first.send('RETR 1');
    await first.send('DELE 1');
    await first.send('QUIT');
    expect(store.messages('mrose')).toEqual([expect.objectContaining({ uid: 'b', seen: false })]);
    const second = await sessionOn(store);
    expect(await second.send('LAST')).toBe('+OK 0\r\n');
  });
});
