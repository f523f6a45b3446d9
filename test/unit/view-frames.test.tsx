// The rebalance view read off the screen, as a person sees it: a real run of scenarios/tour.yaml
// (its recorded events, test/fixtures/view/tour.jsonl.gz) replayed through the reducer and drawn
// into terminals of 80×24 (the size most open at), 100×30 and 160×50, every half second of the run;
// then 30 backends, and each key's effect on the labels.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import chalk from 'chalk';
import { reduce, type ViewAction } from '../../src/view/reducer.js';
import { initialView, type ViewState } from '../../src/view/state.js';
import { namesOf, servicesOf, stepsOf } from '../../src/view/run-play.js';
import { loadScenario } from '../../src/scenario/load.js';
import { loadTopology } from '../../src/topology/load.js';
import { MIN_COLUMNS, MIN_ROWS } from '../../src/view/layout.js';
import type { BucketStats } from '../../src/traffic/index.js';
import { ROOT } from '../helpers/lab.js';
import { clientSection, screen } from '../helpers/view-frames.js';

setupLab();
chalk.level = 0;

const topology = loadTopology(path.join(ROOT, 'compose/lab.yaml'));
const tour = loadScenario(path.join(ROOT, 'scenarios/tour.yaml'), (sb) => loadTopology(path.join(ROOT, 'compose/lab.yaml'), sb));
const events = gunzipSync(readFileSync(path.join(ROOT, 'test/fixtures/view/tour.jsonl.gz')))
  .toString('utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as ViewAction);

const start = (): ViewState =>
  initialView({
    title: `${tour.name} (${tour.file})`,
    mode: 'play',
    durationMs: tour.durationMs,
    services: servicesOf(topology),
    steps: stepsOf(tour),
    names: namesOf(topology),
  });

/** What the cluster poller would report after the tour's steps up to `ms`. */
function cluster(ms: number): ViewAction {
  const state = (name: string) =>
    name === 'echo-1' && ms >= 10_000 && ms < 40_000 ? 'exited' : name === 'echo-2' && ms >= 25_000 && ms < 40_000 ? 'paused' : 'running';
  return { type: 'cluster', services: topology.instances.map((i) => ({ name: i.name, role: i.role, hostAddress: i.hostAddress, container: state(i.name) })) };
}

/** The tour's view every half second of traffic: [ms, state]. */
function moments(): Array<[number, ViewState]> {
  const out: Array<[number, ViewState]> = [];
  let s = start();
  let traffic = false;
  let next = 500;
  for (const e of events) {
    const t = (e as { t?: number }).t ?? 0;
    while (traffic && t > next) {
      s = reduce(reduce(s, cluster(next)), { type: 'tick', nowMs: next });
      if (s.clients.some((c) => c.backends.length)) out.push([next, s]);
      next += 500;
    }
    if (e.type === 'phase' && e.phase === 'traffic') traffic = true;
    s = reduce(s, e);
  }
  return out;
}

const MOMENTS = moments();
const HEADERS = /^[▸ ] (rr|pf) · /;
const share = /^ {2}(echo-\d+) +#* *\d+%/;

describe('the tour in the view, read off the screen every half second of the run', () => {
  it('has the whole run to look at', () => assert.ok(MOMENTS.length > 100, String(MOMENTS.length)));

  it('at 80×24: the header on the first line, nothing above it, and every client with its three backend rows and their shares', () => {
    for (const [ms, s] of MOMENTS) {
      const lines = screen(s, 80, 24);
      const at = `at ${ms} ms:\n${lines.join('\n')}`;
      assert.match(lines[0], /^lab tour/, at);
      assert.ok(lines.length <= 24, at);
      for (const client of ['rr', 'pf']) {
        const rows = clientSection(lines, new RegExp(`^[▸ ] ${client} · `), HEADERS).filter((l) => share.test(l));
        assert.deepEqual(
          rows.map((l) => share.exec(l)![1]),
          ['echo-1', 'echo-2', 'echo-3'],
          `${client} ${at}`,
        );
      }
      assert.ok(!lines.some((l) => /more backend|less traffic/.test(l)), at);
    }
  });

  it('at 100×30: the timeline too', () => {
    for (const [ms, s] of MOMENTS) {
      const lines = screen(s, 100, 30);
      assert.ok(lines.length <= 30, `at ${ms}`);
      assert.ok(
        lines.some((l) => /^Timeline /.test(l)),
        `at ${ms}:\n${lines.join('\n')}`,
      );
    }
  });

  it('at 160×50: the clients side by side, their rows aligned, each with its history', () => {
    for (const [ms, s] of MOMENTS.filter(([m]) => m % 5000 === 0)) {
      const lines = screen(s, 160, 50);
      const at = `at ${ms}:\n${lines.join('\n')}`;
      assert.ok(lines.length <= 50, at);
      const header = lines.findIndex((l) => /rr · .*pf · /.test(l));
      assert.ok(header > 0, at);
      // Both panels' backend rows on the same lines: echo-1 of each on one line, and so on.
      for (const name of ['echo-1', 'echo-2', 'echo-3'])
        assert.equal((lines.find((l) => l.includes(`  ${name} `) && l.indexOf(name) !== l.lastIndexOf(name)) ?? '').length > 0, true, `${name} ${at}`);
    }
  });

  it('leaves no row blank while a panel hides something', () => {
    for (const [columns, rows] of [
      [80, 24],
      [100, 30],
    ])
      for (const [ms, s] of MOMENTS) {
        const lines = screen(s, columns, rows);
        const hides = lines.some((l) => /\d+–\d+ of \d+|more backend/.test(l));
        if (hides) assert.equal(lines.length, rows, `at ${ms} (${columns}×${rows}):\n${lines.join('\n')}`);
      }
  });
});

/** Two clients over `n` backends, shares as given (0..1 each), one bucket. */
function wide(n: number, shares: (i: number) => number): ViewState {
  const names = Array.from({ length: n }, (_, i) => `echo-${i + 1}`);
  let s = initialView({ title: 'wide', mode: 'watch', services: names.map((name) => ({ name, role: 'echo', hostAddress: '', container: 'running' })) });
  const stat = (calls: number): BucketStats => ({ calls, ok: calls, errors: {}, extraAttempts: 0, p50Ms: 1, p99Ms: 2, maxMs: 2 });
  for (const client of ['rr', 'pf']) {
    s = reduce(s, { type: 'client-started', client, t: 0, target: 'etcd:///echo', serviceConfig: { loadBalancingConfig: [{ round_robin: {} }] } });
    const backends = Object.fromEntries(names.map((name, i) => [name, stat(Math.round(1000 * shares(i)))]));
    const total = Object.values(backends).reduce((a, b) => a + b.calls, 0);
    s = reduce(s, { type: 'bucket', client, t: 1000, widthMs: 1000, total: stat(total), backends });
  }
  return s;
}

describe('30 backends', () => {
  const s = wide(30, () => 1 / 30);

  it('at 160×50 every backend of both clients has its row, the two panels aligned row by row', () => {
    const lines = screen(s, 160, 50);
    for (let i = 1; i <= 30; i++) {
      const line = lines.find((l) => new RegExp(`^ {2}echo-${i} `).test(l));
      assert.ok(line, `echo-${i}:\n${lines.join('\n')}`);
      // The other panel's row for the same backend is on the same line.
      assert.equal(line!.split(`echo-${i} `).length - 1, 2, line);
    }
  });

  it('at 80×24 the hidden ones are counted with their share, never "less traffic"', () => {
    const lines = screen(s, 80, 24);
    assert.equal(lines.length, 24);
    const more = lines.filter((l) => /… \d+ more/.test(l));
    assert.equal(more.length, 2, lines.join('\n'));
    for (const l of more) assert.match(l, /… (\d+) more backends with (\d+)% of the calls/);
    assert.ok(!lines.some((l) => /less traffic/.test(l)));
  });

  it('lists the backends and the resolver in number order (echo-2 before echo-10)', () => {
    const lines = screen(s, 160, 50);
    const order = lines.flatMap((l) => (/^ {2}(echo-\d+) /.exec(l) ? [Number(/^ {2}echo-(\d+) /.exec(l)![1])] : []));
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
  });
});

describe('below its minimum size', () => {
  it(`asks for ${MIN_COLUMNS}×${MIN_ROWS} rather than draw a view without its data`, () => {
    const [, s] = MOMENTS[MOMENTS.length - 1];
    for (const [c, r] of [
      [50, 24],
      [80, 10],
    ]) {
      const lines = screen(s, c, r);
      assert.match(lines[0], new RegExp(`make the terminal at least ${MIN_COLUMNS}×${MIN_ROWS}`));
      assert.ok(!lines.some((l) => /echo-1/.test(l)));
    }
  });
});

describe('labels stay true after each key (what the key dispatches, and what the cluster then reports)', () => {
  const [, base] = MOMENTS.find(([ms]) => ms === 5000)!;
  const services = (patch: Record<string, Partial<{ container: string; link: string }>>): ViewAction => ({
    type: 'cluster',
    services: topology.instances.map((i) => ({ name: i.name, role: i.role, hostAddress: i.hostAddress, container: 'running', ...patch[i.name] })),
  });
  const row = (lines: string[], name: string) => lines.find((l) => new RegExp(`^[> ]${name} `).test(l)) ?? '';

  it('k (kill): the killed service reads exited', () => {
    const lines = screen(reduce(base, services({ 'echo-2': { container: 'exited' } })), 100, 30);
    assert.match(row(lines, 'echo-2'), /exited/);
    assert.match(row(lines, 'echo-1'), /running/);
  });

  it('p (pause): the frozen service reads paused, and running again after p', () => {
    const paused = reduce(base, services({ 'echo-2': { container: 'paused' } }));
    assert.match(row(screen(paused, 100, 30), 'echo-2'), /paused/);
    assert.match(row(screen(reduce(paused, services({})), 100, 30), 'echo-2'), /running/);
  });

  it('l (link): the slowed link is named on its service, and gone once cleared', () => {
    const slow = reduce(base, services({ 'echo-3': { link: '+200ms' } }));
    assert.match(row(screen(slow, 120, 30), 'echo-3'), /link \+200ms/);
    assert.doesNotMatch(row(screen(reduce(slow, services({ 'echo-3': { link: '' } })), 120, 30), 'echo-3'), /link/);
  });

  it('tab: the selection marker moves to the next client', () => {
    const lines = screen(reduce(base, { type: 'select', client: 1 }), 100, 30);
    assert.ok(lines.some((l) => /^▸ pf · /.test(l)));
    assert.ok(lines.some((l) => /^ {2}rr · /.test(l)));
  });

  it('b (balancer): the client is titled by its new balancer and is not "stopped" while it runs', () => {
    let s = reduce(base, { type: 'client-config', client: 'rr', lb: 'least_request' });
    s = reduce(s, { type: 'client-started', client: 'rr', t: 5100, target: 'etcd:///echo', serviceConfig: { loadBalancingConfig: [{ least_request: {} }] } });
    const header = screen(s, 100, 30).find((l) => / rr · /.test(l))!;
    assert.match(header, /rr · least_request \(lab\) /, 'and says it is the lab’s own, not grpc-js’s');
    assert.doesNotMatch(header, /stopped/);
  });

  it('+ (scale up): the new backend gets its name, no row of its own address, and the others keep their marks', () => {
    const before = screen(base, 160, 50).join('\n');
    const marks = (text: string) => [...text.matchAll(/(\d) (echo-\d)/g)].map((m) => `${m[1]} ${m[2]}`);
    // The resolver lists echo-4's address before the cluster poller has named it.
    let s = reduce(base, {
      type: 'resolution',
      client: 'rr',
      t: 5100,
      addresses: [...topology.instances.filter((i) => i.role === 'echo').map((i) => i.hostAddress), '127.77.1.4:50051'],
      note: '',
    });
    s = reduce(s, {
      type: 'bucket',
      client: 'rr',
      t: 5250,
      widthMs: 250,
      total: base.clients[0].recent.at(-1)!.total,
      backends: base.clients[0].recent.at(-1)!.backends,
    });
    // Not a backend row of its own (the resolver's line may list the address it has: that is what it has).
    assert.ok(!screen(s, 160, 50).some((l) => /^ {2}127\.77\.1\.4/.test(l) || / {3}127\.77\.1\.4.*%/.test(l)));
    s = reduce(s, {
      type: 'cluster',
      services: [
        ...topology.instances.map((i) => ({ name: i.name, role: i.role, hostAddress: i.hostAddress, container: 'running' })),
        { name: 'echo-4', role: 'echo', hostAddress: '127.77.1.4:50051', container: 'running' },
      ],
    });
    s = reduce(s, {
      type: 'bucket',
      client: 'rr',
      t: 6250,
      widthMs: 250,
      total: base.clients[0].recent.at(-1)!.total,
      backends: base.clients[0].recent.at(-1)!.backends,
    });
    const after = screen(s, 160, 50).join('\n');
    assert.match(after, / {2}echo-4 /);
    assert.doesNotMatch(after, /127\.77\.1\.4:50051 +#/);
    for (const m of marks(before)) assert.ok(after.includes(m), `${m} kept:\n${after}`);
  });

  it('- (scale down): a removed backend leaves the cluster panel', () => {
    const s = reduce(base, { type: 'sandbox', event: { type: 'instance', instance: 'echo-3', state: 'removed' } });
    assert.equal(row(screen(s, 100, 30), 'echo-3'), '');
  });
});

if (process.env.LAB_SHOW_FRAMES) {
  for (const ms of [3000, 12_000, 30_000, 45_000]) {
    const [, s] = MOMENTS.find(([m]) => m === ms)!;
    console.log(`--- ${ms} ms, 80×24\n${screen(s, 80, 24).join('\n')}`);
  }
  console.log(
    `--- 30 backends, 80×24\n${screen(
      wide(30, () => 1 / 30),
      80,
      24,
    ).join('\n')}`,
  );
}
