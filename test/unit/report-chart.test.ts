// The run's chart (chart.svg) laid out from recorded runs (the tour and one-in-400, played for real
// and kept in test/fixtures/report/): per client the four panels with their axes, shares as stacked
// bands (equal shares are equal bands), failed calls on their own log scale with a mark for every
// bucket that had one, a label per step, and no two texts overlapping (the layout's own boxes). And
// lab report --compare's rows.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { overlaps } from '../../src/report/chart/canvas.js';
import { runChart } from '../../src/report/chart/svg-chart.js';
import { summaryMarkdown } from '../../src/report/markdown.js';
import { compareRuns, comparisonMarkdown, comparisonRows } from '../../src/report/compare.js';
import { readReport } from '../../src/report/read.js';
import { TOUR_REPORT } from '../helpers/report-fixture.js';

const TOUR = TOUR_REPORT;

describe('chart.svg of a recorded run', () => {
  const run = readReport(TOUR);
  const chart = runChart(run);
  const clients = [...run.buckets.keys()];

  it('has, per client, a share, a failed-calls, a calls-per-second and a latency panel, in that order on one time axis', () => {
    assert.deepEqual(clients, ['rr', 'pf']);
    for (const c of clients) {
      const ps = chart.panels.filter((p) => p.client === c);
      assert.deepEqual(
        ps.map((p) => p.kind),
        ['share', 'failed', 'rate', 'latency'],
      );
      // One axis: the same x span, stacked without overlap.
      assert.equal(new Set(ps.map((p) => `${p.x},${p.w}`)).size, 1);
      for (let i = 1; i < ps.length; i++) assert.ok(ps[i].y > ps[i - 1].y + ps[i - 1].h, 'panels stacked');
      for (const p of ps)
        assert.ok(
          chart.texts.some((t) => t.text === p.title && t.y1 <= p.y),
          `${c} ${p.kind}: its title above it`,
        );
    }
    const texts = chart.texts.map((t) => t.text);
    for (const label of ['0%', '100%', 'succeeded', 'DEADLINE_EXCEEDED', 'p50', 'p99', '1 ms', '100 ms', '10s', '50s', 'time since traffic started'])
      assert.ok(texts.includes(label), `an axis or legend label "${label}"`);
    // The frozen backend's failures are in the picture: the rate panel stacks DEADLINE_EXCEEDED, the failed strip marks them.
    assert.match(chart.svg, /data-failed="\d+"/);
  });

  it('labels every step on each client: every action, and that client’s expectations with the time they held', () => {
    const actions = run.verdict.actions.length;
    for (const c of clients) {
      const own = run.verdict.expectations.filter((e) => e.text.startsWith(`${c}:`));
      assert.equal(chart.markers[c].length, actions + own.length, c);
      for (const label of chart.markers[c])
        assert.ok(
          chart.texts.some((t) => t.text === label),
          `label "${label}" drawn`,
        );
    }
    assert.ok(chart.markers.rr.includes('#3 kill echo-1'), chart.markers.rr.join(' | '));
    assert.ok(
      chart.markers.rr.some((l) => /^#7 ✓ \d+\.\ds$/.test(l)),
      'the lease expectation with the time it held',
    );
    // The full list under the chart: one line per step.
    for (let i = 1; i <= actions + run.verdict.expectations.length; i++)
      assert.ok(
        chart.texts.some((t) => t.text.startsWith(`#${i} at `)),
        `step #${i} listed`,
      );
  });

  it('no two texts overlap, and none leaves the picture', () => {
    const pairs: string[] = [];
    for (let i = 0; i < chart.texts.length; i++)
      for (let j = i + 1; j < chart.texts.length; j++)
        if (overlaps(chart.texts[i], chart.texts[j])) pairs.push(`"${chart.texts[i].text}" × "${chart.texts[j].text}"`);
    assert.deepEqual(pairs, []);
    const height = Number(/height="([\d.]+)"/.exec(chart.svg)![1]);
    for (const t of chart.texts) assert.ok(t.x0 >= 0 && t.x1 <= 1100 && t.y0 >= 0 && t.y1 <= height, `"${t.text}" inside`);
  });

  it('a client you run (run:) has its latency panel titled as what the lab sees of it: served time, the servers’ side', () => {
    const own = structuredClone(run);
    own.verdict.ownClients = [{ name: 'pf', run: 'node my-client.js', how: 'watched from the servers', early: false }];
    const c = runChart(own);
    const titles = (client: string) => c.panels.filter((p) => p.client === client && p.kind === 'latency').map((p) => p.title);
    assert.deepEqual(titles('pf'), ["served time (servers' side) p50 and p99 (ms, log scale)"]);
    assert.deepEqual(titles('rr'), ['latency p50 and p99 (ms, log scale)']);
  });

  it('names each client’s resolver and balancer with where they come from, beside its title and in summary.md', () => {
    const labelled = {
      ...structuredClone(run),
      clients: [
        { name: 'rr', target: 'etcd:///echo', resolver: 'etcd resolver (lab)', balancer: 'round_robin (grpc-js)' },
        { name: 'pf', target: 'etcd:///echo', resolver: 'etcd resolver (lab)', balancer: 'pick_first (grpc-js)' },
      ],
    };
    const c = runChart(labelled);
    assert.ok(c.texts.some((t) => t.text === 'etcd resolver (lab) · round_robin (grpc-js)'));
    assert.ok(c.texts.some((t) => t.text === 'etcd resolver (lab) · pick_first (grpc-js)'));
    const md = summaryMarkdown({ ...run, clients: labelled.clients });
    assert.match(md, /\| rr \| `etcd:\/\/\/echo` \| etcd resolver \(lab\) \| round_robin \(grpc-js\) \|/);
  });

  it('a failed expectation is marked ✗ where it failed, in red', () => {
    const failed = structuredClone(run);
    const e = failed.verdict.expectations.find((x) => x.index === 6)!;
    Object.assign(e, { ok: false, timeToHoldMs: undefined, failedAtMs: 34000, saw: 'by 34.0s it did not hold: echo-2 12%' });
    const c = runChart(failed);
    assert.ok(c.markers.rr.includes('#7 ✗'), c.markers.rr.join(' | '));
    assert.match(c.svg, /fill="#d62728"[^>]*>#7 ✗</);
    assert.ok(c.texts.some((t) => /^#7 at 25\.0s: .*FAILED by 34\.0s/.test(t.text)));
  });

  it('many steps at one moment go into lanes, still without overlap', () => {
    const crowded = structuredClone(run);
    for (let i = 0; i < 12; i++)
      crowded.verdict.actions.push({ index: 20 + i, line: 1, text: `fault echo-${i}`, short: `fault echo-${i}`, atMs: 30000, ranAtMs: 30000 });
    const c = runChart(crowded);
    for (let i = 0; i < c.texts.length; i++)
      for (let j = i + 1; j < c.texts.length; j++) assert.ok(!overlaps(c.texts[i], c.texts[j]), `${c.texts[i].text} × ${c.texts[j].text}`);
  });
});

describe('lab report --compare', () => {
  it('puts each step’s time to rebalance and each client’s errors side by side, and says where a step differs', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'lab-compare-'));
    try {
      const b = path.join(tmp, 'b');
      cpSync(TOUR, b, { recursive: true });
      const result = JSON.parse(readFileSync(path.join(b, 'result.json'), 'utf8'));
      result.verdict.actions[0].rebalance = { rr: { state: 'settled', ms: 1500 }, pf: { state: 'unsettled' } };
      delete result.verdict.actions[0].rebalanceMs;
      result.verdict.expectations[4].ok = false;
      result.verdict.expectations[4].saw = 'by 34.0s it did not hold: echo-2 40%';
      result.verdict.ok = false;
      writeFileSync(path.join(b, 'result.json'), JSON.stringify(result));
      const c = compareRuns([TOUR, b]);
      const { steps, totals } = comparisonRows(c);
      const kill = steps.find((r) => r[0].startsWith('#3 '))!;
      const a0 = readReport(TOUR).verdict.actions[0].rebalance as Record<string, { state: string; ms: number }>;
      assert.equal(kill[1], `rr settled in ${(a0.rr.ms / 1000).toFixed(1)}s, pf settled in ${(a0.pf.ms / 1000).toFixed(1)}s`);
      // pick_first, already on echo-3 when echo-1 and echo-2 come back, did not move: unchanged, no time.
      assert.match(steps.find((r) => r[0].startsWith('#8 '))![1], /pf unchanged/);
      assert.equal(kill[2], 'rr settled in 1.5s, pf did not settle');
      assert.match(steps.find((r) => r[0].startsWith('#7 '))![2], /^FAILED \(by 34\.0s/);
      assert.deepEqual(totals[0], ['verdict', 'PASS', 'FAIL']);
      assert.match(totals[1][1], /^\d+, DEADLINE_EXCEEDED \d+/);
      assert.equal(totals[1][1], totals[1][2], 'the same calls and errors');
      const md = comparisonMarkdown(c);
      assert.match(md, /\| #3 kill echo-1|\| #3 SIGKILL echo-1/);
      assert.throws(() => compareRuns([TOUR]), /two report folders/);
      // A report written before rebalance states (rebalanceMs) reads its times as settled.
      const old = path.join(tmp, 'old');
      cpSync(TOUR, old, { recursive: true });
      const legacy = JSON.parse(readFileSync(path.join(old, 'result.json'), 'utf8'));
      for (const a of legacy.verdict.actions) {
        a.rebalanceMs = { rr: 400, pf: 200 };
        delete a.rebalance;
      }
      writeFileSync(path.join(old, 'result.json'), JSON.stringify(legacy));
      assert.equal(comparisonRows(compareRuns([old, b])).steps.find((r) => r[0].startsWith('#3 '))![1], 'rr settled in 0.4s, pf settled in 0.2s');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
