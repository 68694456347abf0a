/**
 * The layering of docs/ARCHITECTURE.md, enforced: the pure layers (engines,
 * framing, protocol data, catalogue, trackers, models, lesson engine, …)
 * reach no sockets, files, DNS, processes or timers, however deep; nothing in
 * core imports a front end; and no module imports itself back through others.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Folders and files whose code must stay free of I/O (the sans-I/O layers). */
const PURE = [
  'core/engine',
  'core/framing',
  'core/protocols',
  'core/annotations',
  'core/client',
  'core/lessons',
  'core/models',
  'core/pop3',
  'core/smtp',
  'core/sasl',
  'core/faults',
  'core/render',
  'core/sandbox',
  // The memory side of the stores and the port adapters over any store: what the sandbox and the lesson lab run on.
  'core/store/mail-store.ts',
  'core/store/memory-store.ts',
  'core/store/user-directory.ts',
  'core/store/pop3-backend.ts',
  'core/store/memory-smtp-backend.ts',
  'core/store/recipient-policy.ts',
  // The delivery reports (RFC 3464) and bounces are built in memory (nodemailer's MimeNode over buffers), for the lab and the lessons alike.
  'core/send/queue-types.ts',
  'core/send/bounce.ts',
  'core/send/dsn-report.ts',
  // Pure files in adapter folders that the browser entry reaches: the classroom's meta-command parse and target syntax.
  'core/classroom/classroom-commands.ts',
  'core/classroom/target.ts',
  'core/net/server-url.ts',
  'core/events.ts',
  'core/errors.ts',
  'core/masking.ts',
  'core/text-bytes.ts',
  'core/host-port.ts',
  'core/browser.ts',
];

/** The I/O wiring and socket/file adapters: a pure layer imports none of them, not even a type (an arrow up the layers). */
const WIRING = /^core\/(lab|net|send|classroom)\//;

/** Node modules that do I/O: sockets, files, DNS, processes, the terminal. */
const IO_MODULES = /^(node:)?(net|tls|fs|fs\/promises|dns|dns\/promises|child_process|os|readline|dgram|http|https|worker_threads|cluster|timers|timers\/promises)$/;
/** Globals that do I/O or read the clock: timers and the process. */
const IO_GLOBALS = /\b(setTimeout|setInterval|setImmediate|process\.(?!env\b))/;

interface Module {
  file: string;
  /** Imports of other project files (type-only ones included: a cycle of types is a cycle of ideas). */
  local: string[];
  /** Node built-ins imported for their values. */
  builtins: string[];
  source: string;
}

function walk(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function readModule(file: string): Module {
  const source = withoutComments(readFileSync(file, 'utf8'));
  const local: string[] = [];
  const builtins: string[] = [];
  const specifiers = [...source.matchAll(/(?:^|\n)\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/g)].map((match) => ({ spec: match[3]!, typeOnly: match[2] !== undefined }));
  specifiers.push(...[...source.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((match) => ({ spec: match[1]!, typeOnly: false })));
  for (const { spec, typeOnly } of specifiers) {
    if (spec.startsWith('.')) {
      if (spec.endsWith('.json')) continue;
      const base = join(dirname(file), spec.replace(/\.js$/, ''));
      const target = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
      if (target) local.push(target);
    } else if (!typeOnly && IO_MODULES.test(spec)) builtins.push(spec);
  }
  return { file, local, builtins, source };
}

const files = ['core', 'bin', 'tui', 'web'].filter((folder) => existsSync(join(ROOT, folder))).flatMap((folder) => walk(join(ROOT, folder)));
const modules = new Map(files.map((file) => [file, readModule(file)]));
const rel = (file: string) => relative(ROOT, file);
const isPure = (file: string) => PURE.some((entry) => rel(file) === entry || rel(file).startsWith(`${entry}/`));

/** The I/O a module reaches, directly or through its imports (type-only imports carry no code and are left out). */
function ioReached(file: string): string[] {
  const seen = new Set<string>();
  const found: string[] = [];
  const visit = (current: string, path: string[]) => {
    if (seen.has(current)) return;
    seen.add(current);
    const module = modules.get(current);
    if (!module) return;
    for (const builtin of module.builtins) found.push(`${[...path, rel(current)].join(' -> ')} -> ${builtin}`);
    if (IO_GLOBALS.test(module.source)) found.push(`${[...path, rel(current)].join(' -> ')} uses ${module.source.match(IO_GLOBALS)![0]}`);
    const runtime = [...module.source.matchAll(/(?:^|\n)\s*(?:import|export)\s+(?!type\s)[^'";]*?from\s+'(\.[^']+)'/g)].map((match) => match[1]!);
    for (const spec of runtime) {
      if (spec.endsWith('.json')) continue;
      const base = join(dirname(current), spec.replace(/\.js$/, ''));
      const target = [`${base}.ts`, `${base}.tsx`].find((candidate) => modules.has(candidate));
      if (target) visit(target, [...path, rel(current)]);
    }
  };
  visit(file, []);
  return found;
}

/** Cycles of the import graph (Tarjan's strongly connected components of more than one module, or a module importing itself). */
function cycles(): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const indexes = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const connect = (file: string) => {
    indexes.set(file, index);
    low.set(file, index++);
    stack.push(file);
    on.add(file);
    for (const next of modules.get(file)?.local ?? []) {
      if (!indexes.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (on.has(next)) low.set(file, Math.min(low.get(file)!, indexes.get(next)!));
    }
    if (low.get(file) === indexes.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        on.delete(member);
        component.push(rel(member));
      } while (member !== file);
      if (component.length > 1 || modules.get(file)?.local.includes(file)) found.push(component.sort());
    }
  };
  for (const file of modules.keys()) if (!indexes.has(file)) connect(file);
  return found;
}

describe('import rules', () => {
  it('the pure layers reach no sockets, files, DNS, processes, timers or terminal, however deep', () => {
    const offences = files.filter(isPure).flatMap(ioReached);
    expect(offences).toEqual([]);
  });

  it('nothing in core imports a front end (tui/, web/) or the command line (bin/)', () => {
    const offences = files
      .filter((file) => rel(file).startsWith('core/'))
      .flatMap((file) => modules.get(file)!.local.filter((target) => /^(tui|web|bin)\//.test(rel(target))).map((target) => `${rel(file)} -> ${rel(target)}`));
    expect(offences).toEqual([]);
  });

  it('the TUI holds no protocol logic: it reaches the core through the browser entry, the classroom controller, the sandbox and the row helpers, never an engine, tracker or protocol table directly', () => {
    const allowed = /^core\/(browser\.ts|classroom\/(classroom-session|classroom-commands|target)\.ts|sandbox\/sandbox\.ts|net\/server-url\.ts|render\/catalogue-entry\.ts)$/;
    const offences = files
      .filter((file) => /^(tui|bin\/tui\.ts)/.test(rel(file)))
      .flatMap((file) => modules.get(file)!.local.filter((target) => rel(target).startsWith('core/') && !allowed.test(rel(target))).map((target) => `${rel(file)} -> ${rel(target)}`));
    expect(offences).toEqual([]);
  });

  it('the web page (web/page) reaches the core only through core/browser.ts, and web/protocol imports only types', () => {
    const page = files.filter((file) => rel(file).startsWith('web/page/'));
    expect(page.length).toBeGreaterThan(3);
    const offences = page.flatMap((file) =>
      modules
        .get(file)!
        .local.filter((target) => !rel(target).startsWith('web/page/') && rel(target) !== 'core/browser.ts' && !rel(target).startsWith('web/protocol/'))
        .map((target) => `${rel(file)} -> ${rel(target)}`),
    );
    expect(offences).toEqual([]);
    const protocol = files.filter((file) => rel(file).startsWith('web/protocol/'));
    const protocolOffences = protocol.flatMap((file) => {
      const module = modules.get(file)!;
      return [...module.builtins, ...[...module.source.matchAll(/(?:^|\n)\s*import\s+(?!type\s)[^'";]*?from\s+'(\.[^']+)'/g)].map((match) => match[1]!)].map((spec) => `${rel(file)} -> ${spec}`);
    });
    expect(protocolOffences).toEqual([]);
    // The page never reaches Node built-ins either (timers are the browser's own there).
    expect(page.flatMap(ioReached).filter((line) => !/ uses (setTimeout|setInterval)$/.test(line))).toEqual([]);
  });

  it('no arrow runs up the layers: a pure layer imports nothing of core/lab, core/net, core/send, core/classroom or core/store (types included) but the pure files listed above', () => {
    const offences = files.filter(isPure).flatMap((file) =>
      modules
        .get(file)!
        .local.filter((target) => (WIRING.test(rel(target)) || rel(target).startsWith('core/store/')) && !isPure(target))
        .map((target) => `${rel(file)} -> ${rel(target)}`),
    );
    expect(offences).toEqual([]);
  });

  it('core/lab is the lab\'s wiring: only the edges (bin/, web/server/, core/classroom/) and core/lab itself import it', () => {
    const offences = files
      .filter((file) => !/^(bin|web\/server|core\/classroom|core\/lab)\//.test(rel(file)))
      .flatMap((file) => modules.get(file)!.local.filter((target) => rel(target).startsWith('core/lab/')).map((target) => `${rel(file)} -> ${rel(target)}`));
    expect(offences).toEqual([]);
  });

  it('the client side (core/client trackers and meta-commands, core/render) imports no server engine or handler and no socket adapter; the trackers sit below the models that read them', () => {
    const offences = files
      .filter((file) => /^core\/(client|render)\//.test(rel(file)))
      .flatMap((file) => modules.get(file)!.local.filter((target) => /^core\/(pop3|smtp|net)\//.test(rel(target))).map((target) => `${rel(file)} -> ${rel(target)}`));
    expect(offences).toEqual([]);
    const upward = files
      .filter((file) => rel(file).startsWith('core/client/'))
      .flatMap((file) => modules.get(file)!.local.filter((target) => /^core\/(models|render|lessons)\//.test(rel(target))).map((target) => `${rel(file)} -> ${rel(target)}`));
    expect(upward).toEqual([]);
  });

  it('the root of core/ holds only the shared vocabulary (events, errors, masking, escaping, text bytes, how an address is written) and the browser entry; everything else lives in its layer', () => {
    const root = readdirSync(join(ROOT, 'core')).filter((name) => /\.tsx?$/.test(name));
    expect(root.sort()).toEqual(['browser.ts', 'errors.ts', 'escape-text.ts', 'events.ts', 'host-port.ts', 'masking.ts', 'text-bytes.ts']);
  });

  it('has no import cycles', () => {
    expect(cycles()).toEqual([]);
  });

  it('the checks can fail: they see the I/O of an adapter and would see a cycle', () => {
    expect(ioReached(join(ROOT, 'core/net/server-connection.ts')).some((line) => line.endsWith('node:tls'))).toBe(true);
    expect(ioReached(join(ROOT, 'core/lab/lab-server.ts')).length).toBeGreaterThan(0);
    // The layer rules see real arrows: the lab's wiring and the socket adapters are found by WIRING, a pure file is told from an adapter.
    expect(modules.get(join(ROOT, 'core/lab/lab-server.ts'))!.local.some((target) => WIRING.test(rel(target)))).toBe(true);
    expect(isPure(join(ROOT, 'core/store/pop3-backend.ts'))).toBe(true);
    expect(isPure(join(ROOT, 'core/store/maildir-store.ts'))).toBe(false);
    // A made-up pair that imports each other is found.
    const a = join(ROOT, 'core/__a.ts');
    const b = join(ROOT, 'core/__b.ts');
    modules.set(a, { file: a, local: [b], builtins: [], source: '' });
    modules.set(b, { file: b, local: [a], builtins: [], source: '' });
    try {
      expect(cycles()).toContainEqual(['core/__a.ts', 'core/__b.ts']);
    } finally {
      modules.delete(a);
      modules.delete(b);
    }
  });
});
