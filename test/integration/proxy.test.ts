// HAProxy in the sandbox (project labproxy, 127.89.x.y): the L4 frontend pins one connection to one
// backend, the L7 frontend balances each request; and as echo servers come and go (3 → 5 → 2) the
// proxy routes only to live ones within 5 s (its DNS is re-read every second, checks run every
// second), with no help from the lab.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { down, getRuntime, up } from '../../src/sandbox/index.js';
import { TrafficClient, serviceConfigFrom, type TrafficEvent } from '../../src/traffic/index.js';
import type { BucketStats } from '../../src/traffic/events.js';
import { eventually, leftovers, testTopologyFile } from '../helpers/lab.js';
import { loadTopology } from '../../src/topology/load.js';

setupLab();

const PROJECT = 'labproxy';

/** A pick_first client on one proxy frontend; shares per backend over the last second. */
function client(target: string) {
  const c = new TrafficClient({
    name: 'p',
    target: `ipv4:${target}`,
    serviceConfig: serviceConfigFrom('pick_first'),
    concurrency: 6,
    deadlineMs: 1000,
    bucketMs: 250,
  });
  const recent: Array<{ t: number; backends: Record<string, BucketStats>; total: BucketStats }> = [];
  c.on('event', (e: TrafficEvent) => {
    if (e.type !== 'bucket') return;
    recent.push({ t: Date.now(), backends: e.backends, total: e.total });
    while (recent.length && recent[0].t < Date.now() - 1000) recent.shift();
  });
  const window = () => {
    const calls: Record<string, number> = {};
    let total = 0;
    let errors = 0;
    for (const b of recent) {
      total += b.total.calls;
      errors += b.total.calls - b.total.ok;
      for (const [k, v] of Object.entries(b.backends)) calls[k] = (calls[k] ?? 0) + v.calls;
    }
    return { total, errors, share: Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, total ? v / total : 0])) };
  };
  return { c, window };
}

describe('HAProxy in the sandbox: L4 and L7, following the cluster', () => {
  const rt = getRuntime();
  const file = testTopologyFile(PROJECT, 89);
  const topo = (echo: number) => loadTopology(file, { echo, proxy: true });

  before(async () => {
    await down(rt, PROJECT);
    await up(rt, topo(3));
  });
  after(async () => {
    await down(rt, PROJECT);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
  });

  it('L4: one connection, one backend, every call; L7: the calls spread evenly', async () => {
    const t = topo(3);
    const l4 = client(t.proxy!.l4);
    const l7 = client(t.proxy!.l7);
    l4.c.start();
    l7.c.start();
    // Judged on the last second once both have carried calls and L4's first calls (before HAProxy had
    // its backend) have left the window (with a deadline), not after a fixed sleep.
    let a = l4.window();
    let b = l7.window();
    const even = (w: typeof b) => Object.keys(w.share).length === 3 && Object.values(w.share).every((s) => Math.abs(s - 1 / 3) < 0.05);
    await eventually('both frontends carry calls and L7 spreads them', async () => {
      await sleep(250);
      a = l4.window();
      b = l7.window();
      return a.total > 100 && b.total > 100 && a.errors === 0 && even(b);
    }).catch(() => undefined);
    await Promise.all([l4.c.stop(), l7.c.stop()]);
    assert.ok(a.total > 100 && b.total > 100, `${a.total} and ${b.total} calls`);
    assert.equal(Math.max(...Object.values(a.share)), 1, `L4: ${JSON.stringify(a.share)}`);
    assert.deepEqual(Object.keys(b.share).sort(), ['echo-1', 'echo-2', 'echo-3']);
    for (const s of Object.values(b.share)) assert.ok(Math.abs(s - 1 / 3) < 0.05, `L7: ${JSON.stringify(b.share)}`);
  });

  it('backend churn 3 → 5 → 2: the L7 frontend routes to the new ones and stops routing to the removed ones within 5 s', async () => {
    const t = topo(3);
    const l7 = client(t.proxy!.l7);
    l7.c.start();
    try {
      await up(rt, topo(5));
      let t0 = Date.now();
      await eventually(
        'echo-4 and echo-5 take calls',
        async () => {
          const w = l7.window();
          return (w.share['echo-4'] ?? 0) > 0.1 && (w.share['echo-5'] ?? 0) > 0.1;
        },
        5000,
      );
      const joined = Date.now() - t0;
      await up(rt, topo(2)); // echo-3..5 stop gracefully
      t0 = Date.now();
      await eventually(
        'only echo-1 and echo-2 take calls, without errors',
        async () => {
          const w = l7.window();
          return w.total > 50 && w.errors === 0 && Object.entries(w.share).every(([k, v]) => v === 0 || k === 'echo-1' || k === 'echo-2');
        },
        5000,
      );
      const left = Date.now() - t0;
      process.stdout.write(`# HAProxy L7 followed the cluster: joined in ${joined} ms, left in ${left} ms\n`);
    } finally {
      await l7.c.stop();
    }
  });
});
