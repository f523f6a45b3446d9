// The Markdown summary of a run: verdict, steps with time-to-rebalance, expectations, error totals.
import { byBackendName } from '../../traffic/index.js';
import type { Bucket } from '../expectations/index.js';
import type { Verdict } from '../verdict.js';

const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function summaryMarkdown(name: string, file: string, verdict: Verdict, buckets: Map<string, Bucket[]>, endMs: number): string {
  const lines = [
    `# ${name}`,
    '',
    `Scenario \`${file}\` · ran ${s(endMs)} · verdict **${verdict.ok ? 'PASS' : 'FAIL'}**${verdict.interrupted ? ' (interrupted)' : ''}`,
    '',
    '![share of calls per backend](chart.svg)',
    '',
    '## Steps',
    '',
    '| at | action | result | time to rebalance |',
    '| --- | --- | --- | --- |',
    ...verdict.actions.map(
      (a) =>
        `| ${s(a.atMs)} | ${a.text}${a.detail ? ` (${a.detail})` : ''} | ${a.error ? `failed: ${a.error}` : a.ranAtMs === undefined ? 'not reached' : 'done'} | ${Object.entries(
          a.rebalanceMs ?? {},
        )
          .map(([c, v]) => `${c} ${v === null ? 'did not settle' : s(v)}`)
          .join(', ')} |`,
    ),
    '',
    '## Expectations',
    '',
    '| at | expectation | verdict | time to rebalance | seen |',
    '| --- | --- | --- | --- | --- |',
    ...verdict.expectations.map(
      (e) => `| ${s(e.atMs)} | ${e.text} | ${e.ok ? 'pass' : '**fail**'} | ${e.timeToHoldMs !== undefined ? s(e.timeToHoldMs) : '—'} | ${e.saw} |`,
    ),
    '',
    '## Totals per client',
    '',
    '| client | calls | errors | by backend |',
    '| --- | --- | --- | --- |',
  ];
  for (const [client, bs] of buckets) {
    const byBackend = new Map<string, number>();
    const errors = new Map<string, number>();
    let calls = 0;
    for (const b of bs) {
      calls += b.total.calls;
      for (const [k, v] of Object.entries(b.total.errors)) errors.set(k, (errors.get(k) ?? 0) + v);
      for (const [name, st] of Object.entries(b.backends)) byBackend.set(name, (byBackend.get(name) ?? 0) + st.calls);
    }
    const errText = [...errors].map(([k, v]) => `${k} ${v}`).join(', ') || '0';
    const by = [...byBackend]
      .sort(([a], [b]) => byBackendName(a, b))
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push(`| ${client} | ${calls} | ${errText} | ${by} |`);
  }
  return `${lines.join('\n')}\n`;
}
