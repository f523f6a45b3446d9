// Writes a run's report folder, and re-renders one from its files (`lab report DIR`).
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { Bucket, Scenario, PlayEvent, PlayResult, Verdict } from '../scenario/index.js';
import type { XdsEvent } from '../xds/index.js';
import { labDir } from '../util/project.js';
import { resolverLabel } from '../traffic/index.js';
import { clientLabels, type ClientLabel } from './clients.js';
import { summaryMarkdown } from './markdown.js';
import { readReport, readXdsEvents } from './read.js';
import { writeReportFile } from './folder-io.js';
import { runChart } from './chart/svg-chart.js';
import { reportHtml } from './html/page.js';
import { aboutOf } from './about.js';

export interface RunRecord {
  name: string;
  file: string;
  text: string;
  endMs: number;
  verdict: Verdict;
  buckets: Map<string, Bucket[]>;
  /** The run's events: a JSONL file the player wrote (moved into the report), or a list. */
  eventsFile?: string;
  events?: PlayEvent[];
  /** The output of each client the user ran (client-<name>.log). */
  ownOutputs?: Array<{ name: string; output: string }>;
  /** Each client as the report names it: its target, resolver and balancer, with where each comes from. */
  clients?: ClientLabel[];
}

/** What a report records of one played scenario. */
export function runRecordOf(scenario: Pick<Scenario, 'name' | 'file' | 'text' | 'clients' | 'observed'>, result: PlayResult): RunRecord {
  return {
    name: scenario.name,
    file: scenario.file,
    text: scenario.text,
    endMs: result.endMs,
    verdict: result.verdict,
    buckets: result.buckets,
    eventsFile: result.eventsFile,
    ownOutputs: result.ownEnds.map((e) => ({ name: e.name, output: e.output })),
    clients: [
      ...clientLabels(scenario),
      ...(result.router
        ? [
            {
              name: result.router.name,
              target: result.router.target,
              resolver: `${resolverLabel(result.router.target)}, in the lab's router`,
              balancer: result.router.balancer,
            },
          ]
        : []),
    ],
  };
}

export function reportDirFor(name: string, root = path.join(labDir(), 'reports')): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')
    .replace('T', '-');
  return path.join(
    root,
    `${stamp}-${name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')}`,
  );
}

function render(dir: string, run: Omit<RunRecord, 'events' | 'text'> & { about: string }, xds: XdsEvent[]): void {
  writeReportFile(dir, 'chart.svg', runChart(run).svg);
  writeReportFile(dir, 'report.html', reportHtml(run));
  writeReportFile(dir, 'summary.md', summaryMarkdown({ ...run, xds }));
}

export function writeReport(dir: string, run: RunRecord): void {
  writing(dir, () => writeFiles(dir, run));
}

function writeFiles(dir: string, run: RunRecord): void {
  mkdirSync(dir, { recursive: true });
  writeReportFile(dir, 'scenario.yaml', run.text);
  if (run.eventsFile) {
    // The player's log (its own temporary file) becomes the report's, as a fresh file.
    const tmp = path.join(dir, `.events.jsonl.${process.pid}.tmp`);
    copyFileSync(run.eventsFile, tmp, constants.COPYFILE_EXCL);
    renameSync(tmp, path.join(dir, 'events.jsonl'));
    rmSync(run.eventsFile, { force: true });
  } else writeReportFile(dir, 'events.jsonl', (run.events ?? []).map((e) => JSON.stringify(e)).join('\n') + '\n');
  const series = Object.fromEntries(run.buckets);
  writeReportFile(dir, 'timeseries.json', JSON.stringify(series));
  const csv = ['client,t_ms,backend,calls,ok,errors,extra_attempts,p50_ms,p99_ms'];
  for (const [client, bs] of run.buckets) {
    for (const b of bs) {
      for (const [name, st] of Object.entries(b.backends))
        csv.push([client, b.t, name, st.calls, st.ok, st.calls - st.ok, st.extraAttempts, st.p50Ms, st.p99Ms].join(','));
    }
  }
  writeReportFile(dir, 'timeseries.csv', `${csv.join('\n')}\n`);
  for (const o of run.ownOutputs ?? []) writeReportFile(dir, `client-${o.name}.log`, o.output);
  writeReportFile(
    dir,
    'result.json',
    JSON.stringify({ name: run.name, file: run.file, endMs: run.endMs, verdict: run.verdict, ...(run.clients ? { clients: run.clients } : {}) }, null, 2),
  );
  render(dir, { ...run, about: aboutOf(run.text) }, readXdsEvents(dir));
}

/** Re-renders summary.md, chart.svg and report.html from a report folder's result.json, timeseries.json and events.jsonl. */
export function rerender(dir: string): { ok: boolean; verdict: Verdict } {
  const report = readReport(dir);
  writing(dir, () => render(dir, report, report.xds));
  return { ok: report.verdict.ok, verdict: report.verdict };
}

/** Writes into `dir`, turning a folder that cannot be written into an InputError (exit 2) that says so. */
function writing(dir: string, write: () => void): void {
  try {
    write();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!code) throw err;
    const where = (err as NodeJS.ErrnoException).path;
    throw new InputError(`cannot write into ${dir}: ${where ? `${where} ` : ''}${code}`, {
      hint:
        code === 'EROFS' || code === 'EACCES' || code === 'EPERM'
          ? 'Copy the folder somewhere you can write (cp -r), and run lab report on the copy.'
          : undefined,
    });
  }
}

/** Before a run: the report folder can be made and written, so a run is never lost at its end. Makes nothing. */
export function checkReportDir(dir: string): void {
  const fail = (why: string) =>
    new InputError(`the report folder ${dir} cannot be written: ${why}`, {
      hint: 'Pass --report-dir with a folder you can write, or run from a folder you can write (reports go to its .lab/reports/).',
    });
  if (!dir.trim())
    throw new InputError('--report-dir: the folder name is empty', { hint: 'Name a folder, or leave --report-dir out (reports go to .lab/reports/).' });
  // The folder, or the nearest part of its path that exists: a folder we may write into.
  let at = path.resolve(dir);
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  if (!statSync(at).isDirectory()) throw fail(`${at} is not a folder`);
  try {
    accessSync(at, constants.W_OK);
  } catch (err) {
    throw fail(`${at}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
