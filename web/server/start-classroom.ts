/**
 * `maillab serve`'s web part: the classroom page and bridge next to a running
 * lab, its lessons listed, its own listeners reachable from the page, and the
 * lines `serve` prints about it (the URL; with --host 0.0.0.0, what that exposes).
 */
import { hostname as machineName, networkInterfaces } from 'node:os';
import { defaultLessonFolder, loadLessons } from '../../core/lab/lesson-folder.js';
import type { ListenerInfo } from '../../core/lab/lab-server.js';
import type { OwnConnections } from '../../core/net/own-connections.js';
import type { LessonSummary } from '../protocol/messages.js';
import { isLoopback } from '../../core/net/connection-limiter.js';
import { classroomOpener } from './classroom-opener.js';
import { badProxyAddress } from './client-address.js';
import { formatAllowed, parseAllowlist } from './remote-allowlist.js';
import { DEFAULT_BRIDGE_LIMITS, startWebServer, type BridgeLimits, type LabListenerRef, type RunningWebServer } from './web-server.js';

export interface ClassroomConfig {
  host: string;
  port: number;
  listeners: readonly ListenerInfo[];
  allowRemote: readonly string[];
  webNames: readonly string[];
  logins: readonly { user: string; password: string }[];
  hostname?: string;
  domains?: readonly string[];
  lessonsDir?: string;
  limits?: Partial<BridgeLimits>;
  log?: (text: string) => void;
  /** Shared with the lab (LabConfig.ownConnections): the tabs' lab connections count against its global cap, not its per-address one. */
  ownConnections?: OwnConnections;
  /** The lab's global connection cap (--max-connections): the bridge keeps its own sessions below it. */
  labMaxConnections?: number;
  /** Reverse proxies trusted to name the learner's address (--trust-proxy). */
  trustProxy?: readonly string[];
  /** The code a page must send before anything is opened (--class-code). */
  classCode?: string;
  /** Refusal lines, written even without --verbose. */
  warn?: (text: string) => void;
}

/**
 * The bridge's session budget under a lab cap of `labMax`: a quarter of the
 * lab's connections (at least one) always stays free of tabs, so outside
 * clients find room however many tabs are open.
 */
export function bridgeBudget(labMax: number): number {
  return Math.max(1, labMax - Math.max(1, Math.ceil(labMax / 4)));
}

export interface RunningClassroom {
  readonly server: RunningWebServer;
  /** What to print: the URL and, for a server open to the network, what that exposes. */
  readonly lines: string[];
}

export async function startClassroom(config: ClassroomConfig): Promise<RunningClassroom> {
  const allow = parseAllowlist(config.allowRemote);
  if (!allow.ok) throw new Error(`--allow-remote: ${allow.reason}`);
  const problem = classroomOptionProblem(config);
  if (problem) throw new Error(problem);
  const lessonsDir = config.lessonsDir ?? defaultLessonFolder();
  const collection = await loadLessons(lessonsDir);
  const lessons: LessonSummary[] = collection.lessons.map((lesson) => ({ id: lesson.id, title: lesson.title, protocol: lesson.protocol, rfc: lesson.rfc, watchOnly: lesson.mode === 'watch-only' }));
  const everywhere = config.host === '0.0.0.0' || config.host === '::';
  const lab: LabListenerRef[] = config.listeners
    .filter((listener): listener is ListenerInfo & { name: 'pop3' | 'smtp' | 'submission' } => listener.name === 'pop3' || listener.name === 'smtp' || listener.name === 'submission')
    .map((listener) => ({ name: listener.name, url: everywhere ? `${listener.url.split('://')[0]}://127.0.0.1:${listener.port}` : listener.url }));
  const hostNames = [...config.webNames, ...(everywhere ? machineAddresses() : [])];
  const limits: Partial<BridgeLimits> = { ...config.limits };
  if (config.labMaxConnections !== undefined && limits.maxSessions === undefined) limits.maxSessions = Math.min(DEFAULT_BRIDGE_LIMITS.maxSessions, bridgeBudget(config.labMaxConnections));
  const server = await startWebServer({
    host: config.host,
    port: config.port,
    openerForTab: classroomOpener({ lessonsDir, clock: Date.now, ...(config.hostname ? { hostname: config.hostname } : {}), ...(config.domains ? { domains: config.domains } : {}), ...(config.ownConnections ? { ownConnections: config.ownConnections } : {}) }),
    lab,
    allowRemote: allow.entries,
    lessons,
    logins: config.logins,
    hostNames,
    limits,
    ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}),
    ...(config.classCode !== undefined ? { classCode: config.classCode } : {}),
    ...(config.log ? { log: config.log } : {}),
    ...(config.warn ? { warn: config.warn } : {}),
  });
  const lines = [`ready: ${server.url} — the browser classroom (open it in a browser; each tab is its own session)`];
  if (everywhere) {
    const urls = machineAddresses()
      .filter((address) => !address.includes(':') && address !== '127.0.0.1')
      .map((address) => `http://${address}:${server.port}/`);
    lines.push(
      `exposed: --host ${config.host} listens on every interface: anyone who can reach this machine can open the classroom${urls.length ? ` (${urls.join(', ')})` : ''},`,
      `  log in to the lab with the demo logins, and send mail into it; the page connects only to the lab's own listeners` +
        (allow.entries.length ? ` and to ${allow.entries.map(formatAllowed).join(', ')} (--allow-remote)` : ' (no --allow-remote)'),
      `  learners reach it by an address above${config.webNames.length ? ` or ${config.webNames.join(', ')}` : '; another name (a DNS name) needs --web-name NAME'}`,
    );
  } else if (allow.entries.length) {
    lines.push(`the web page may also connect to ${allow.entries.map(formatAllowed).join(', ')} (--allow-remote)`);
  }
  const code = classCodeLine(config.host, config.classCode);
  if (code) lines.push(code);
  if (config.trustProxy?.length) lines.push(`  the learner's address comes from X-Forwarded-For / Forwarded on connections from ${config.trustProxy.join(', ')} (--trust-proxy)`);
  return { server, lines };
}

/** What is wrong with --trust-proxy or --class-code, as a one-line message; undefined when nothing is. */
export function classroomOptionProblem(options: { trustProxy?: readonly string[] | undefined; classCode?: string | undefined }): string | undefined {
  const badProxy = badProxyAddress(options.trustProxy ?? []);
  if (badProxy !== undefined) return `--trust-proxy: "${badProxy}" is not an IP address (name the proxy by the address its connections come from)`;
  if (options.classCode !== undefined && !/^\S{4,200}$/.test(options.classCode)) return '--class-code: 4 to 200 characters, no spaces';
  return undefined;
}

/** What `serve` says about the class code when the page is reachable from other machines (any bind but loopback); undefined otherwise. */
export function classCodeLine(host: string, classCode: string | undefined): string | undefined {
  if (isLoopback(host) || host === 'localhost') return undefined;
  return classCode !== undefined
    ? '  the page asks each learner for the class code (--class-code) before it opens anything'
    : `  no class code: the page is reachable from other machines (--host ${host}) and opens for anyone; --class-code CODE makes it ask for one`;
}

/** This machine's addresses and name: the Host headers learners on the network send. */
function machineAddresses(): string[] {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .flatMap((entry) => (entry ? [entry.address] : []));
  return [...new Set([...addresses, machineName().toLowerCase()])];
}
