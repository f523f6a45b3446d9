// lab report --compare A B: two (or more) runs side by side — per step, the time to rebalance (an
// action) or to hold (an expectation), and per client the calls and the errors by code. Steps are
// matched by their place in the scenario (the same story under two balancers, or before and after a
// change). Rendered for the terminal, as Markdown and as a page of its own.
import path from 'node:path';
import { InputError } from '../errors.js';
import { readReport, type ReportData } from './read.js';
import { clientTotals, heldText, MEASURES, settledText, verdictWord } from './text.js';

export interface ComparedRun {
  dir: string;
  name: string;
  file: string;
  ok: boolean;
  /** PASS, FAIL or INTERRUPTED. */
  verdict: string;
  endMs: number;
  /** Per client: calls and errors by code over the whole run. */
  totals: Record<string, { calls: number; errors: Record<string, number> }>;
}

export interface ComparedStep {
  index: number;
  kind: 'action' | 'expect';
  /** The step's text in each run (the same when the runs played the same file). */
  texts: string[];
  /** Per run: what the step came to ("rr 0.2s, pf 0.5s"; "held after 0.3s"; "FAILED …"; "—" when the run had no such step). */
  results: string[];
}

export interface Comparison {
  runs: ComparedRun[];
  steps: ComparedStep[];
}

function totalsOf(r: ReportData): ComparedRun['totals'] {
  return Object.fromEntries(
    [...clientTotals(r.buckets)].map(([client, t]) => [client, { calls: t.calls, errors: Object.fromEntries([...t.errors].filter(([, n]) => n > 0)) }]),
  );
}

function stepResult(r: ReportData, index: number): { kind: 'action' | 'expect'; text: string; result: string } | undefined {
  const a = r.verdict.actions.find((x) => x.index === index);
  if (a) {
    const settled = settledText(a);
    return { kind: 'action', text: a.text, result: a.error ? `failed: ${a.error}` : a.ranAtMs === undefined ? 'not reached' : settled || 'done' };
  }
  const e = r.verdict.expectations.find((x) => x.index === index);
  if (!e) return undefined;
  const result = e.ok ? heldText(e) || 'held' : e.state === 'not-judged' ? `not judged (${e.saw})` : `FAILED (${e.saw})`;
  return { kind: 'expect', text: e.text, result };
}

export function compareRuns(dirs: string[]): Comparison {
  if (dirs.length < 2)
    throw new InputError('--compare needs two report folders (or more)', { hint: 'lab report --compare .lab/reports/<run-a> .lab/reports/<run-b>' });
  const reports = dirs.map((d) => readReport(d));
  const indexes = [...new Set(reports.flatMap((r) => [...r.verdict.actions, ...r.verdict.expectations].map((x) => x.index)))].sort((a, b) => a - b);
  const steps = indexes.map((index) => {
    const each = reports.map((r) => stepResult(r, index));
    const first = each.find((x) => x)!;
    return {
      index,
      kind: first.kind,
      texts: each.map((x) => x?.text ?? '—'),
      results: each.map((x) => x?.result ?? '—'),
    };
  });
  return {
    runs: reports.map((r, i) => ({
      dir: dirs[i],
      name: r.name,
      file: r.file,
      ok: r.verdict.ok,
      verdict: verdictWord(r.verdict),
      endMs: r.endMs,
      totals: totalsOf(r),
    })),
    steps,
  };
}

/** A result worth drawing in red: a failed expectation or run, a client that did not settle. */
export const isBadResult = (x: string) => /FAILED|^FAIL$|^INTERRUPTED$|did not settle|not judged/.test(x);

/** The run's column title: A, B, ... with its folder's name. */
export const runLabel = (c: Comparison, i: number) => `${String.fromCharCode(65 + i)}: ${path.basename(c.runs[i].dir)}`;

const errorText = (e: Record<string, number>) =>
  Object.entries(e)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '0';

/** The rows both renderers print: the step (its text, or each run's when they differ), then one cell per run. */
export function comparisonRows(c: Comparison): { head: string[]; steps: string[][]; totals: string[][] } {
  const head = ['step', ...c.runs.map((_, i) => runLabel(c, i))];
  const steps = c.steps.map((st) => {
    const same = st.texts.every((t) => t === st.texts[0] || t === '—');
    const text = same ? st.texts.find((t) => t !== '—')! : st.texts.map((t, i) => `${String.fromCharCode(65 + i)}: ${t}`).join(' / ');
    return [`#${st.index + 1} ${text}`, ...st.results];
  });
  const clients = [...new Set(c.runs.flatMap((r) => Object.keys(r.totals)))];
  const totals = [
    ['verdict', ...c.runs.map((r) => r.verdict)],
    ...clients.map((client) => [
      `${client}: calls, errors`,
      ...c.runs.map((r) => (r.totals[client] ? `${r.totals[client].calls}, ${errorText(r.totals[client].errors)}` : '—')),
    ]),
  ];
  return { head, steps, totals };
}

export function comparisonMarkdown(c: Comparison): string {
  const { head, steps, totals } = comparisonRows(c);
  const cell = (x: string) => x.replace(/\|/g, '\\|');
  const table = (rows: string[][]) => [
    `| ${head.map(cell).join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
  return [
    `# Comparing ${c.runs.length} runs`,
    '',
    ...c.runs.map((r, i) => `- **${String.fromCharCode(65 + i)}**: \`${r.dir}\` — ${r.name} (\`${r.file}\`), ${(r.endMs / 1000).toFixed(1)}s, ${r.verdict}`),
    '',
    '## Steps: time to rebalance (actions) and to hold (expectations)',
    '',
    ...table(steps),
    '',
    ...Object.values(MEASURES).map((m) => `- ${m}`),
    '',
    '## Totals per client',
    '',
    ...table(totals),
    '',
  ].join('\n');
}
