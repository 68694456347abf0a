/** The options each command's parser hands to its runner (bin/cli.ts builds them, the runners read them). */

/** --ca-file, --servername, --tls-min: what connect, send and tui share. */
export interface TlsCliOptions {
  caFile?: string;
  servername?: string;
  tlsMin?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

export interface ConnectCliOptions extends TlsCliOptions {
  starttls: boolean;
  insecure: boolean;
  forceAuth: boolean;
  pipeline: boolean;
  json: boolean;
  showBytes: boolean;
  save?: string;
  timeout: number;
  annotations: 'full' | 'brief' | 'off';
}

export interface SendCliOptions extends TlsCliOptions {
  from?: string;
  to?: string[];
  cc?: string[];
  subject?: string;
  body?: string;
  bodyFile?: string;
  charset: string;
  /** The Subject's charset (RFC 2047 encoded words); default the body's --charset. */
  subjectCharset?: string;
  attach?: string[];
  html?: string;
  server?: string;
  starttls: boolean;
  auth?: string;
  insecure: boolean;
  direct: boolean;
  dns?: string;
  mxPort?: number;
  helo?: string;
  timeout: number;
  transcript: boolean;
  json: boolean;
}

export interface ServeOptions {
  host: string;
  data: string;
  pop3Port: ListenerPort;
  pop3sPort: ListenerPort;
  smtpPort: ListenerPort;
  submissionPort: ListenerPort;
  smtpsPort: ListenerPort;
  domain?: string[];
  maxMessageSize: number;
  maxBytesInFlight: number;
  hostname: string;
  allowPlaintextAuth: boolean;
  /** Absent: each protocol's own default (600 s POP3, 300 s SMTP). */
  idleTimeout?: number;
  preAuthTimeout: number;
  loginDeadline: number;
  loginDelay: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  dns?: string;
  /** Run the lab's own DNS server (MX records for its domains) on this UDP port. */
  dnsPort?: number;
  mxPort: number;
  /** Outbound delivery's allow list as typed (domains, "*", addresses, ranges); absent: off. */
  deliverOutbound?: string[];
  /** Fault rules as typed; serve parses them. */
  fault?: string[];
  verbose: boolean;
  webPort: ListenerPort;
  allowRemote?: string[];
  webName?: string[];
  /** Reverse proxies trusted to name the learner's address. */
  trustProxy?: string[];
  classCode?: string;
}

/** A listener port, or "off" (commander cannot carry null through a parser). */
export type ListenerPort = number | 'off';

export interface LessonFolderOptions {
  dir?: string;
}

export interface LessonCheckOptions extends LessonFolderOptions {
  timeout: number;
}

export interface LessonPlayOptions extends LessonFolderOptions {
  mode: 'watch' | 'step' | 'practice';
  speed: number;
  /** How much to explain: full (the first time, short after), brief, off (mostly the wire). */
  annotations: 'full' | 'brief' | 'off';
}
