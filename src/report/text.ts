// Pieces every report renderer writes the same way: XML/HTML escaping, a run's verdict in one word,
// an action's time to rebalance per client, and each client's totals over the run.
import { type Bucket, type ActionResult, type ExpectResult, type Rebalance, type Verdict, FAIR_PART, type Joined } from '../scenario/index.js';

/** Text safe in XML and HTML, in elements and in quoted attributes. */
export const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const verdictWord = (v: Pick<Verdict, 'ok'> & { interrupted?: boolean }) => (v.ok ? 'PASS' : v.interrupted ? 'INTERRUPTED' : 'FAIL');

/** An expectation's verdict in a word: pass, FAIL, or not judged (a run cut short before it was due). */
export const expectWord = (e: Pick<ExpectResult, 'ok' | 'state'>) => (e.ok ? 'pass' : e.state === 'not-judged' ? 'not judged' : 'FAIL');

/** "held after 0.3s" for a within that held; '' otherwise. */
export const heldText = (e: Pick<ExpectResult, 'timeToHoldMs' | 'ok'>) => (e.ok && e.timeToHoldMs !== undefined ? `held after ${s(e.timeToHoldMs)}` : '');

/** One client's rebalance after an action: "settled in 0.2s", "unchanged", "did not settle", "not judged". */
export function rebalanceWord(r: Rebalance | number | null | undefined): string {
  // Reports written before the rebalance states kept a time or null.
  if (typeof r === 'number') return `settled in ${s(r)}`;
  if (r === null || r === undefined) return 'did not settle';
  if (r.state === 'settled') return `settled in ${s(r.ms)}`;
  return { unchanged: 'unchanged', unsettled: 'did not settle', 'not-judged': 'not judged' }[r.state];
}

/** A backend the action brought in: "echo-4 fair after 3.2s", "echo-4 never fair (at most 0.0%)". */
export function joinedWord(j: Joined): string {
  if (j.state === 'fair') return `${j.backend} fair after ${s(j.ms)}`;
  if (j.state === 'never') return `${j.backend} never fair (at most ${j.best.toFixed(1)}%, fair is ${+j.pct.toFixed(1)}%)`;
  return `${j.backend}: not judged`;
}

/** "rr settled in 0.2s (echo-4 fair after 1.1s), pf unchanged" ('' when there are no clients). */
export const settledText = (a: Pick<ActionResult, 'rebalance' | 'joined'> & { rebalanceMs?: Record<string, number | null> }) =>
  Object.entries(a.rebalance ?? a.rebalanceMs ?? {})
    .map(([c, v]) => {
      const joined = a.joined?.[c] ?? [];
      return `${c} ${rebalanceWord(v)}${joined.length ? ` (${joined.map(joinedWord).join(', ')})` : ''}`;
    })
    .join(', ');

/** The longest a client took to settle after an action (what the view's timeline shows), if any settled. */
export function slowestSettle(a: Pick<ActionResult, 'rebalance'>): number | undefined {
  const ms = Object.values(a.rebalance ?? {}).flatMap((r) => (r.state === 'settled' ? [r.ms] : []));
  return ms.length ? Math.max(...ms) : undefined;
}

/** What each measure means, one line each: printed under the tables that use them. */
export const MEASURES = {
  held: 'held after: from the step to the start of the first window from which the expectation held, and kept holding through its settle time.',
  settled:
    'settled in: from the action until the client’s shares stayed within 5 points for 2 s with no more failures than before; unchanged: its shares did not move (no time is given); did not settle: still moving at the next action or the end.',
  fair: `fair after: for a backend an action brought in (a scale up, a start, a heal), from the action until it took at least ${FAIR_PART * 100}% of an equal share of the client's calls over one second (with 4 backends, 12.5%); never fair: not before the next action or the end.`,
  notJudged: 'not judged: the run was cut short (Ctrl-C, or your client ended) before the moment this was due; it neither passed nor failed.',
} as const;

const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export interface ClientTotals {
  calls: number;
  /** By status code, in the order the codes first appeared. */
  errors: Map<string, number>;
  byBackend: Map<string, number>;
}

/** Per client, over every bucket of the run: calls, errors by code, calls per backend. */
export function clientTotals(buckets: Map<string, Bucket[]>): Map<string, ClientTotals> {
  const out = new Map<string, ClientTotals>();
  for (const [client, bs] of buckets) {
    const t: ClientTotals = { calls: 0, errors: new Map(), byBackend: new Map() };
    for (const b of bs) {
      t.calls += b.total.calls;
      for (const [k, v] of Object.entries(b.total.errors)) t.errors.set(k, (t.errors.get(k) ?? 0) + v);
      for (const [name, st] of Object.entries(b.backends)) t.byBackend.set(name, (t.byBackend.get(name) ?? 0) + st.calls);
    }
    out.set(client, t);
  }
  return out;
}
