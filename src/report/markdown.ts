// The Markdown summary of a run: verdict, steps with time-to-rebalance, expectations, error totals.
import { byBackendName } from '../traffic/index.js';
import type { Bucket, Verdict } from '../scenario/index.js';
import { clientTotals, expectWord, heldText, MEASURES, settledText, verdictWord } from './text.js';
import type { XdsEvent } from '../xds/index.js';
import type { ClientLabel } from './clients.js';

const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function summaryMarkdown({
  name,
  file,
  verdict,
  buckets,
  endMs,
  xds = [],
  about = '',
  clients = [],
}: {
  name: string;
  file: string;
  verdict: Verdict;
  buckets: Map<string, Bucket[]>;
  endMs: number;
  xds?: XdsEvent[];
  about?: string;
  clients?: ClientLabel[];
}): string {
  const lines = [
    `# ${name}`,
    '',
    `Scenario \`${file}\` · ran ${s(endMs)} · verdict **${verdictWord(verdict)}**${verdict.cutShortAtMs !== undefined && !verdict.interrupted ? ' (cut short)' : ''}`,
    '',
    // What the scenario says to look for, as it says it (a block, so its own layout stays).
    ...(about ? ['```text', ...about.replace(/```/g, "'''").split('\n'), '```', ''] : []),
    '![per client: share of calls per backend (stacked bands), failed calls per second (log scale), calls per second with the failed ones by status code, p50 and p99 latency](chart.svg)',
    '',
    'Interactive: [report.html](report.html) (hover for exact counts, hide backends, zoom to a step).',
    '',
    ...(clients.length
      ? [
          '## Clients',
          '',
          '| client | target | resolver | balancer |',
          '| --- | --- | --- | --- |',
          ...clients.map((c) => `| ${c.name} | ${c.target ? `\`${c.target}\`` : '—'} | ${c.resolver} | ${c.balancer} |`),
          '',
          "Where each comes from: grpc-js itself, @grpc/grpc-js-xds, or the lab's own code (lab).",
          '',
        ]
      : []),
    '## Steps',
    '',
    '| at | action | result | clients after it |',
    '| --- | --- | --- | --- |',
    ...verdict.actions.map(
      (a) =>
        `| ${s(a.atMs)} | ${a.text}${a.detail ? ` (${a.detail})` : ''} | ${a.error ? `failed: ${a.error}` : a.ranAtMs === undefined ? 'not reached' : 'done'} | ${settledText(a)} |`,
    ),
    '',
    MEASURES.settled,
    ...(verdict.actions.some((a) => a.joined) ? ['', MEASURES.fair] : []),
    '',
    '## Expectations',
    '',
    '| at | expectation | verdict | held after | seen |',
    '| --- | --- | --- | --- | --- |',
    ...verdict.expectations.map(
      (e) =>
        `| ${s(e.atMs)} | ${e.text} | ${e.ok ? 'pass' : expectWord(e) === 'FAIL' ? '**fail**' : 'not judged'} | ${heldText(e).replace('held after ', '') || '—'} | ${e.saw}${e.note ? ` (${e.note})` : ''} |`,
    ),
    '',
    MEASURES.held,
    ...(verdict.cutShortAtMs !== undefined ? ['', MEASURES.notJudged] : []),
    '',
    '## Totals per client',
    '',
    '| client | calls | errors | by backend |',
    '| --- | --- | --- | --- |',
  ];
  for (const [client, { calls, errors, byBackend }] of clientTotals(buckets)) {
    const errText = [...errors].map(([k, v]) => `${k} ${v}`).join(', ') || '0';
    const by = [...byBackend]
      .sort(([a], [b]) => byBackendName(a, b))
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push(`| ${client} | ${calls} | ${errText} | ${by} |`);
  }
  lines.push(...ownClientsSection(verdict));
  lines.push(...xdsSection(xds, buckets));
  return `${lines.join('\n')}\n`;
}

/** The clients the user ran: how each ended, where its output is, and what the servers cannot see. */
function ownClientsSection(verdict: Verdict): string[] {
  if (!verdict.ownClients?.length) return [];
  return [
    '',
    '## Your clients',
    '',
    '| client | command | ended | output |',
    '| --- | --- | --- | --- |',
    ...verdict.ownClients.map(
      (o) => `| ${o.name} | \`${o.run.replace(/\|/g, '\\|')}\` | ${o.early ? `**${o.how}**` : o.how} | [client-${o.name}.log](client-${o.name}.log) |`,
    ),
    '',
    'Their calls are counted by the echo servers (per `x-lab-client` metadata, untagged calls for a lone client). A call that never reached a server — refused, timed out before it left, dropped by a frozen backend before it was served — is not in these counts: the errors above are the ones the servers returned (a deadline the client gave up on shows as CANCELLED when the server saw it).',
  ];
}

/** What the xDS control plane saw of the run's clients: the versions each ACKed, every NACK, the load reports beside the client's own count. */
function xdsSection(events: XdsEvent[], buckets: Map<string, Bucket[]>): string[] {
  const last = events[events.length - 1];
  if (!last) return [];
  const out = [
    '',
    '## xDS',
    '',
    `Served at the end: ${Object.entries(last.versions)
      .map(([t, v]) => `${t} v${v}`)
      .join(', ')}.`,
    '',
  ];
  out.push('| client | acked at the end | load reports (LRS) | the client counted |', '| --- | --- | --- | --- |');
  for (const c of last.clients.filter((x) => buckets.has(x.client))) {
    const lrs = Object.values(c.loads).reduce((n, l) => n + l.ok + l.errors, 0);
    const counted = (buckets.get(c.client) ?? []).reduce((n, b) => n + b.total.calls, 0);
    const acked = c.types.map((t) => `${t.type} v${t.acked || '-'}`).join(', ');
    const zones = Object.entries(c.loads)
      .map(([z, l]) => `${z} ${l.ok + l.errors}`)
      .join(', ');
    out.push(`| ${c.client} | ${acked} | ${lrs} (${zones}) | ${counted} |`);
  }
  // When each client took each version: the first event that shows it ACKed.
  const acks: string[] = [];
  const acked = new Set<string>();
  for (const e of events)
    for (const c of e.clients.filter((x) => buckets.has(x.client)))
      for (const t of c.types) {
        const key = `${c.client}|${t.type}|${t.acked}`;
        if (!t.acked || acked.has(key)) continue;
        acked.add(key);
        acks.push(`${s(e.t)} ${c.client} ${t.type} v${t.acked}`);
      }
  if (acks.length) out.push('', `ACKs (when the control plane saw them, to the second): ${acks.join(' · ')}`);
  const nacks: string[] = [];
  const seen = new Set<string>();
  for (const e of events)
    for (const c of e.clients)
      for (const t of c.types) {
        const key = `${c.client}|${t.type}|${t.nacked}`;
        if (!t.nacked || seen.has(key)) continue;
        seen.add(key);
        nacks.push(`- ${s(e.t)}: ${c.client} NACKed ${t.type} v${t.nacked} (kept v${t.acked || '-'}): ${t.error ?? ''}`);
      }
  if (nacks.length) out.push('', 'NACKs:', '', ...nacks);
  return out;
}
