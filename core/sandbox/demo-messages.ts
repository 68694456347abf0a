/**
 * The demo maildrop a new data folder starts with: messages chosen to show
 * something worth teaching (a plain note, a line that needs dot-stuffing, a MIME
 * attachment, a legacy charset). They are fixed bytes, not built at run time:
 * what a learner retrieves is exactly what is written here.
 */

const GB2312_BODY_HEX =
  'c4e3bac3a3acb0aec0f6cbbfa3a10ad5e2cac7d2bbb7e2d3c32047423233313220b1e0c2ebb5c4bcf2cce5d6d0cec4d3cabcfea1a30a' +
  'd3cabcfed5fdcec4b5c4d7d6bddab2bbcac7205554462d38a3babfcdbba7b6cbb1d8d0ebb0b4d5d520436f6e74656e742d5479706520' +
  'c0efb5c4206368617273657420bde2c2eba1a30a';

/** The GB2312 body's text, for checks: what a client decoding GB2312 must show. */
export const GB2312_BODY_TEXT =
  '你好，爱丽丝！\n这是一封用 GB2312 编码的简体中文邮件。\n邮件正文的字节不是 UTF-8：客户端必须按照 Content-Type 里的 charset 解码。\n';

const ATTACHMENT_TEXT = 'Day,Event\n1,Fell down the rabbit hole\n2,Tea party with the Hatter\n3,Croquet with the Queen\n';

function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

function welcome(): Buffer {
  return Buffer.from(
    crlf(`From: Postmaster <postmaster@maillab.test>
To: Alice <alice@maillab.test>
Subject: Welcome to maillab
Date: Mon, 23 Nov 2026 09:00:00 +0000
Message-ID: <welcome.1@maillab.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello Alice,

This is your maildrop. Try STAT, LIST, RETR 1, TOP 1 0 and UIDL.
DELE marks a message deleted, but only QUIT really removes it.
`),
    'utf8',
  );
}

function dotStuffing(): Buffer {
  return Buffer.from(
    crlf(`From: Bob <bob@maillab.test>
To: Alice <alice@maillab.test>
Subject: Where does a message end?
Date: Mon, 23 Nov 2026 09:05:00 +0000
Message-ID: <dots.2@maillab.test>

A multi-line reply ends with a line holding a single dot.
So the next line, which starts with a dot, is sent with an extra one:
.this line starts with a dot
.
The line above was a lone dot in the message itself. RETR 2 shows how
the server byte-stuffed both lines (RFC 1939 section 3).
`),
    'utf8',
  );
}

function attachment(): Buffer {
  const encoded = Buffer.from(crlf(ATTACHMENT_TEXT)).toString('base64').replace(/.{1,76}/g, '$&\r\n');
  return Buffer.from(
    crlf(`From: Hatter <hatter@maillab.test>
To: Alice <alice@maillab.test>
Subject: The schedule, attached
Date: Mon, 23 Nov 2026 09:10:00 +0000
Message-ID: <attach.3@maillab.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_maillab_boundary"

This is a multi-part message in MIME format.

--=_maillab_boundary
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 7bit

The schedule is attached as a CSV file. Its bytes are base64-encoded
(RFC 2045 section 6.8) because a message body is lines of text.

--=_maillab_boundary
Content-Type: text/csv; name="schedule.csv"
Content-Disposition: attachment; filename="schedule.csv"
Content-Transfer-Encoding: base64

`) +
      encoded +
      '\r\n--=_maillab_boundary--\r\n',
    'utf8',
  );
}

function gb2312(): Buffer {
  const head = crlf(`From: Li Lei <lilei@maillab.test>
To: Alice <alice@maillab.test>
Subject: =?GB2312?B?1tDOxNPKvP6y4srU?=
Date: Mon, 23 Nov 2026 09:15:00 +0000
Message-ID: <gb2312.4@maillab.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=GB2312
Content-Transfer-Encoding: 8bit

`);
  const body = Buffer.from(GB2312_BODY_HEX, 'hex').toString('latin1').replace(/\n/g, '\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body, 'latin1')]);
}

/** Alice's demo maildrop, oldest first. */
export function demoMessages(): Buffer[] {
  return [welcome(), dotStuffing(), attachment(), gb2312()];
}

/** The attachment's content, for checks. */
export const DEMO_ATTACHMENT_TEXT = ATTACHMENT_TEXT;

/**
 * The demo logins. mrose's secret is "tanstaaf", the RFC 1939 §7 example
 * secret, so the RFC's own APOP line (digest c4c9334b…) works against the lab.
 */
export const DEMO_USERS: Readonly<Record<string, string>> = {
  alice: 'wonderland',
  bob: 'builder',
  mrose: 'tanstaaf',
};
