// Printing a benchmark's table and keeping it in bench/RESULTS.md, one section per
// benchmark and label, with the machine, the date and the exact command.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const RESULTS = fileURLToPath(new URL('../RESULTS.md', import.meta.url));

export function machine() {
  const cpu = cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    if (execFileSync('git', ['status', '--porcelain', '--', 'core', 'bin'], { encoding: 'utf8' }).trim() !== '') commit += ' (with uncommitted changes)';
  } catch {}
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}, Node ${process.version}, maillab ${commit}`;
}

/** A Markdown table from a header row and rows of cells. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The command line as typed, for RESULTS.md. */
export function commandLine(script) {
  const args = process.argv.slice(2).map((arg) => (/^[\w.,:=/@+-]+$/.test(arg) ? arg : `'${arg}'`));
  return ['node', script, ...args].join(' ');
}

/**
 * Prints the section and replaces (or appends) it in RESULTS.md under
 * "## <title>", between markers named after `key`.
 */
export function record(key, title, { command, body }) {
  const text = [`## ${title}`, '', `- machine: ${machine()}`, `- date: ${new Date().toISOString()}`, `- command: \`${command}\``, '', body, ''].join('\n');
  console.log(`\n${text}`);
  const start = `<!-- ${key} -->`;
  const end = `<!-- /${key} -->`;
  const block = `${start}\n${text}${end}`;
  let file = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n\nWritten by the benchmarks in this folder (see README.md); each section is replaced when its benchmark runs again.\n\n';
  const from = file.indexOf(start);
  const to = file.indexOf(end);
  file = from !== -1 && to > from ? file.slice(0, from) + block + file.slice(to + end.length) : `${file.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS, file);
  console.log(`(recorded in ${RESULTS})`);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Parses "--name value" and "--name=value" options over defaults. */
export function options(defaults) {
  const result = { ...defaults };
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const match = /^--([\w-]+)(?:=(.*))?$/.exec(args[i]);
    if (!match) throw new Error(`unexpected argument ${args[i]}`);
    const key = match[1].replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown option --${match[1]}; known: ${Object.keys(defaults).join(', ')}`);
    const raw = match[2] ?? args[++i];
    result[key] = typeof defaults[key] === 'number' ? Number(raw) : raw;
  }
  return result;
}
