// npm run scenarios: plays every scenario in scenarios/ as a user would (`lab play FILE --no-tui`,
// one after the other, on one sandbox) and prints a table: scenario, verdict, duration, and each
// action's time to rebalance per client. Exit 1 when any fails.
// Usage: npm run scenarios [-- --only NAME ...] [-- -f TOPOLOGY] [-- --json]
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { $ } from 'zx';
import type { Verdict } from '../src/scenario/verdict.js';
import { settledText } from '../src/report/text.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LIBRARY = path.join(ROOT, 'scenarios');

export interface Played {
  file: string;
  name: string;
  exitCode: number;
  ms: number;
  verdict?: Verdict;
  output: string;
  /** The debug log's line when the CLI had to exit past a handle left open (what it was). */
  stray?: string;
}

export const libraryFiles = () =>
  readdirSync(LIBRARY)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

/** Plays one file with the built CLI; reads the verdict from the report it writes. */
export async function playFile(
  file: string,
  opts: { topology?: string; reportRoot?: string; engine?: 'docker' | 'swarm'; env?: Record<string, string> } = {},
): Promise<Played> {
  const reportDir = path.join(opts.reportRoot ?? mkdtempSync(path.join(os.tmpdir(), 'lab-scenarios-')), path.basename(file, '.yaml'));
  const t0 = Date.now();
  const args = [
    path.join(ROOT, 'bin/lab.js'),
    ...(opts.topology ? ['-f', opts.topology] : []),
    ...(opts.engine ? ['--engine', opts.engine] : []),
    'play',
    file,
    '--no-tui',
    '--report-dir',
    reportDir,
  ];
  // Under the library test's own 3 min: a run that hangs is stopped here, and its output so far is
  // what the failure shows.
  const logFile = `${reportDir}.lab.log`;
  const r = await $({
    nothrow: true,
    quiet: true,
    cwd: ROOT,
    timeout: '150s',
    env: { ...process.env, ...opts.env, LAB_LOG: logFile },
  })`${process.execPath} ${args}`;
  // The CLI exits by itself 3 s after a command that something kept alive, and logs what it was.
  let stray: string | undefined;
  try {
    stray = readFileSync(logFile, 'utf8')
      .split('\n')
      .find((l) => l.includes('kept the process alive'));
  } catch {
    // no log
  }
  let result: { name: string; verdict: Verdict } | undefined;
  try {
    result = JSON.parse(readFileSync(path.join(reportDir, 'result.json'), 'utf8'));
  } catch {
    // no report: the play failed before traffic (its output says why)
  }
  return {
    file,
    name: result?.name ?? path.basename(file),
    exitCode: r.exitCode ?? -1,
    ms: Date.now() - t0,
    verdict: result?.verdict,
    output: r.stdall,
    ...(stray ? { stray } : {}),
  };
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** "kill echo-1 @4.0s: rr 0.3s, pf 0.3s" per action. */
export function rebalanceSummary(v: Verdict | undefined): string {
  if (!v) return '';
  return v.actions.map((a) => `${a.text} @${sec(a.atMs)}: ${a.error ? `failed (${a.error})` : settledText(a)}`).join(' | ');
}

async function main() {
  const args = process.argv.slice(2);
  const only = args.flatMap((a, i) => (args[i - 1] === '--only' ? [a.replace(/\.yaml$/, '')] : []));
  const topology = args.includes('-f') ? args[args.indexOf('-f') + 1] : undefined;
  const json = args.includes('--json');
  const files = libraryFiles().filter((f) => !only.length || only.includes(f.replace(/\.yaml$/, '')));
  const results: Played[] = [];
  for (const f of files) {
    if (!json) process.stdout.write(`▶ ${f} … `);
    const p = await playFile(path.join(LIBRARY, f), { topology });
    results.push(p);
    if (!json) process.stdout.write(`${p.exitCode === 0 ? 'pass' : `FAIL (exit ${p.exitCode})`} in ${sec(p.ms)}\n`);
    if (!json && p.exitCode !== 0) process.stdout.write(`${p.output.split('\n').slice(-25).join('\n')}\n`);
  }
  if (json) {
    process.stdout.write(
      `${JSON.stringify(
        results.map(({ output: _, ...r }) => r),
        null,
        2,
      )}\n`,
    );
  } else {
    const rows = results.map((p) => [p.file.replace(/\.yaml$/, ''), p.exitCode === 0 ? 'pass' : 'FAIL', sec(p.ms), rebalanceSummary(p.verdict)]);
    const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['SCENARIO', 'VERDICT', 'TOOK'][i].length));
    process.stdout.write(
      `\n${['SCENARIO', 'VERDICT', 'TOOK', 'TIME TO REBALANCE (per action, per client)'].map((h, i) => (i < 3 ? h.padEnd(w[i]) : h)).join('  ')}\n`,
    );
    for (const r of rows) process.stdout.write(`${r.map((c, i) => (i < 3 ? c.padEnd(w[i]) : c)).join('  ')}\n`);
    const failed = results.filter((p) => p.exitCode !== 0).length;
    process.stdout.write(`\n${results.length - failed} passed, ${failed} failed, ${sec(results.reduce((n, p) => n + p.ms, 0))} in all\n`);
  }
  process.exitCode = results.every((p) => p.exitCode === 0) ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((err) => {
    process.stderr.write(`scenarios: ${(err as Error).stack}\n`);
    process.exitCode = 1;
  });
}
