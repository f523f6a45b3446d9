// The rebalance view without a terminal: a recorded event stream (the first 14 s of a real
// `lab play scenarios/tour.yaml`: pick_first beside round_robin, echo-1 killed at 10 s) through the
// pure reducer, then the components rendered by ink into fake terminals of 60, 100 and 160 columns.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { stripVTControlCharacters } from 'node:util';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import React from 'react';
import chalk from 'chalk';
import { render } from 'ink-testing-library';
import fc from 'fast-check';
import { App } from '../../src/view/components/App.js';
import { pickerWindow } from '../../src/view/components/Picker.js';
import { asciiBar, bar, sparkline } from '../../src/view/format.js';
import { layoutFor } from '../../src/view/layout.js';
import { reduce, type ViewAction } from '../../src/view/reducer.js';
import { initialView, type ViewState } from '../../src/view/state.js';
import { ROOT } from '../helpers/lab.js';
import { frame as renderFrame } from '../helpers/view-frames.js';

setupLab();

// Frames in plain text (as with NO_COLOR).
chalk.level = 0;

const events = readFileSync(path.join(ROOT, 'test/fixtures/view/tour-first-14s.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as ViewAction);

const names = { '127.77.1.1:50051': 'echo-1', '127.77.1.2:50051': 'echo-2', '127.77.1.3:50051': 'echo-3' };
const steps = [
  { index: 0, atMs: 2000, kind: 'expect' as const, text: 'rr: share ≈ 1:1:1 ± 8% within 4s', state: 'pending' as const },
  { index: 2, atMs: 10000, kind: 'action' as const, text: 'SIGKILL echo-1', state: 'pending' as const },
  { index: 5, atMs: 25000, kind: 'action' as const, text: 'freeze (docker pause) echo-2', state: 'pending' as const },
];
const start = () =>
  initialView({
    title: 'tour',
    mode: 'play',
    durationMs: 55_000,
    names,
    steps,
    services: ['etcd', 'consul', 'echo-1', 'echo-2', 'echo-3'].map((name) => ({
      name,
      role: name.startsWith('echo') ? 'echo' : name,
      hostAddress: '',
      container: 'absent',
    })),
  });

/** The state after the events up to `untilMs` of traffic (and every sandbox event). */
function replay(untilMs = Infinity, extra: ViewAction[] = []): ViewState {
  let s = start();
  let traffic = false;
  for (const e of events) {
    if (e.type === 'phase' && e.phase === 'traffic') traffic = true;
    if (traffic && 't' in e && (e as { t: number }).t > untilMs) break;
    s = reduce(s, e);
  }
  for (const e of extra) s = reduce(s, e);
  return s;
}

const killedSnapshot: ViewAction = {
  type: 'cluster',
  services: [
    {
      name: 'echo-1',
      role: 'echo',
      hostAddress: '127.77.1.1:50051',
      container: 'exited',
      health: '',
      etcdRegistered: true,
      leaseTtl: 2,
      consulCheck: 'critical',
    },
    { name: 'echo-2', role: 'echo', hostAddress: '127.77.1.2:50051', container: 'running', health: 'SERVING', leaseTtl: 4, consulCheck: 'passing', weight: 1 },
    {
      name: 'echo-3',
      role: 'echo',
      hostAddress: '127.77.1.3:50051',
      container: 'running',
      health: 'SERVING',
      leaseTtl: 4,
      consulCheck: 'passing',
      weight: 1,
      link: '+200ms (backend→client)',
    },
  ],
};

const share = (s: ViewState, client: string, backend: string) => s.clients.find((c) => c.name === client)!.backends.find((b) => b.name === backend)?.share;

describe('view reducer: a recorded event stream', () => {
  it('before the kill: round_robin spreads evenly, pick_first sits on echo-1, every subchannel READY', () => {
    const s = replay(9000);
    assert.deepEqual(
      s.clients.map((c) => [c.name, c.lb]),
      [
        ['rr', 'round_robin (grpc-js)'],
        ['pf', 'pick_first (grpc-js)'],
      ],
    );
    for (const b of ['echo-1', 'echo-2', 'echo-3']) assert.ok(Math.abs(share(s, 'rr', b)! - 1 / 3) < 0.05, `rr ${b} ${share(s, 'rr', b)}`);
    assert.equal(share(s, 'pf', 'echo-1'), 1);
    // pick_first has not sent a call to echo-2 or echo-3, but its resolver lists them: they show at 0.
    assert.equal(share(s, 'pf', 'echo-2'), 0);
    const rr = s.clients[0];
    assert.deepEqual(
      rr.addresses.map((a) => s.names[a]),
      ['echo-1', 'echo-2', 'echo-3'],
    );
    assert.deepEqual(Object.values(rr.subchannels), ['READY', 'READY', 'READY']);
    assert.ok(rr.rps > 500, `rr at ${rr.rps} rps`);
    assert.equal(s.phase, 'traffic');
    assert.equal(s.steps.find((x) => x.index === 2)!.state, 'pending');
  });

  it('after the kill: echo-1 at 0 for both clients, its subchannel down, the step done and logged, the history remembers', () => {
    const s = replay(14000, [killedSnapshot]);
    assert.equal(share(s, 'rr', 'echo-1'), 0);
    assert.equal(share(s, 'pf', 'echo-1'), 0);
    assert.ok(Math.abs(share(s, 'rr', 'echo-2')! - 0.5) < 0.05);
    assert.equal(share(s, 'pf', 'echo-1'), 0);
    assert.equal((share(s, 'pf', 'echo-2') ?? 0) + (share(s, 'pf', 'echo-3') ?? 0), 1, 'pick_first moved everything to one other backend');
    const rr = s.clients[0];
    assert.notEqual(rr.subchannels['127.77.1.1:50051'], 'READY');
    assert.equal(s.steps.find((x) => x.index === 2)!.state, 'done');
    assert.ok(s.log.some((l) => l.text === '▶ SIGKILL echo-1'));
    const h = rr.backends.find((b) => b.name === 'echo-1')!.history;
    assert.ok(h.length >= 12 && h.length <= 15, `a sample per second: ${h.length}`);
    assert.ok(h.slice(0, 8).every((v) => v > 0.25) && h.at(-1) === 0, h.join(','));
    assert.equal(s.services.find((x) => x.name === 'echo-1')!.container, 'exited');
    assert.ok(s.nowMs >= 13_000 && s.nowMs <= 14_000);
  });

  it('selection wraps, help toggles, notices are logged, the picker moves, a reset keeps the log, the verdict is kept', () => {
    let s = replay(3000);
    s = reduce(s, { type: 'select', service: -1 });
    assert.equal(s.selectedService, s.services.length - 1);
    s = reduce(s, { type: 'select', client: 2 });
    assert.equal(s.selectedClient, 0);
    s = reduce(reduce(s, { type: 'help' }), { type: 'notice', text: 'traffic paused' });
    assert.equal(s.help, true);
    assert.equal(s.log.at(-1)!.text, 'traffic paused');
    s = reduce(s, { type: 'picker', files: ['a.yaml', 'b.yaml', 'c.yaml'] });
    s = reduce(reduce(s, { type: 'picker', move: -1 }), { type: 'picker', move: -1 });
    assert.deepEqual(s.picker, { files: ['a.yaml', 'b.yaml', 'c.yaml'], selected: 1 });
    s = reduce(s, { type: 'picker', close: true });
    assert.equal(s.picker, undefined);
    // A new screen keeps the log.
    const logged = s.log.length;
    s = reduce(s, { type: 'reset', state: start() });
    assert.equal(s.log.length, logged);
    assert.equal(s.clients.length, 0);
    s = reduce(s, { type: 'verdict', ok: false, interrupted: false, lines: ['x'] });
    assert.deepEqual(s.verdict, { ok: false, interrupted: false, report: undefined, lines: ['x'] });
  });
});

/** ink into a fake terminal of the given size, not interactive (no key hints), with its colours. */
const frameAt = (state: ViewState, columns: number, rows = 40): string => renderFrame(state, columns, rows, false);

const strip = (s: string) => stripVTControlCharacters(s);
const width = (line: string) => [...strip(line)].length;

describe('view components (ink)', () => {
  it('the frame after a kill shows the killed backend at 0% with an empty bar, and its container exited', () => {
    const s = replay(14000, [killedSnapshot]);
    const { lastFrame, unmount } = render(<App state={s} columns={100} rows={40} interactive />);
    const frame = strip(lastFrame() ?? '');
    unmount();
    const cluster = frame.split('\n').find((l) => /^[ ›]echo-1\s+exited/.test(l));
    assert.ok(cluster, `echo-1 exited in the cluster panel:\n${frame}`);
    const bars = frame.split('\n').filter((l) => /^ {2}echo-1\s/.test(l)); // traffic rows (cluster rows have one leading column)
    assert.ok(bars.length >= 2, frame);
    // Nothing but blanks between the name and 0% (the sparkline after it may remember the past).
    for (const l of bars) assert.match(l, /^ {2}echo-1 +0% +0\/s/, l);
    // A full bar and an empty one are as wide: the columns after them line up.
    const rrRows = frame
      .split('\n')
      .filter((l) => /^ {2}echo-[123] /.test(l))
      .slice(0, 3);
    assert.equal(new Set(rrRows.map((l) => l.indexOf('%'))).size, 1, rrRows.join('\n'));
    assert.match(frame, /echo-2 +#+ +5\d%/, 'echo-2 took half of round_robin');
    assert.match(frame, /Timeline .*●/);
    assert.match(frame, /done\s+SIGKILL echo-1/);
    assert.match(frame, /link \+200ms/);
  });

  for (const columns of [60, 100, 150, 200])
    for (const rows of [24, 48])
      it(`renders at ${columns}×${rows} within the terminal, using the rows it has`, () => {
        // Just after the kill: echo-1's calls are failing.
        const s = replay(10600, [killedSnapshot]);
        const frame = frameAt(s, columns, rows);
        if (process.env.LAB_SHOW_FRAMES) console.log(frame);
        const lines = frame.split('\n');
        const plain = lines.map(strip);
        assert.deepEqual(
          lines.filter((l) => width(l) > columns),
          [],
          `lines wider than ${columns}`,
        );
        assert.ok(lines.length <= rows, `${lines.length} lines for a ${rows}-row terminal`);
        // Both clients are there; with 48 rows, every backend too.
        assert.match(plain.join('\n'), /rr · round_robin/);
        assert.match(plain.join('\n'), /pf · pick_first/);
        if (rows === 48) assert.ok(plain.some((l) => /^ {2}echo-3\s/.test(l)));
        const sideBySide = plain.some((l) => /rr · round_robin.*pf · pick_first/.test(l));
        assert.equal(sideBySide, columns >= 128, 'two clients side by side only when each gets 64 columns');
        // Per-backend sparklines from 150 columns (two panels of 74), and errors by code on the backend's row.
        const rrEcho1 = plain.find((l) => /^ {2}echo-1\s/.test(l))!;
        if (columns >= 150) assert.match(rrEcho1, /[▁▂▃▄▅▆▇█]{4}/, `a sparkline on ${rrEcho1}`);
        if (columns >= 100) assert.match(rrEcho1, /UNAV \d+/, `errors by code on ${rrEcho1}`);
        // Rows to spare go to each client's history: share over time and p99.
        const history = plain.join('\n').match(/share per second/g)?.length ?? 0;
        if (rows === 48) {
          assert.equal(history, 2, 'a history block per client');
          assert.ok(plain.some((l) => /^ {2}p99 +[▁▂▃▄▅▆▇█ ]+≤/.test(l)));
          // Rows stay blank only when nothing is hidden: every step listed under the timeline.
          if (lines.length < rows - 6)
            assert.equal(
              plain.filter((l) => /^ +\d+\.\ds [◆▲]/.test(l)).length,
              s.steps.length,
              `${rows - lines.length} rows left empty while steps are hidden`,
            );
        } else if (columns < 128) assert.equal(history, 0, 'no history in 24 rows with the clients one above the other');
      });

  it('keeps the frame within the terminal height, with 30 backends and 3 clients', () => {
    let s = start();
    const backends = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`echo-${i + 1}`, { calls: 10, ok: 10, errors: {}, extraAttempts: 0, p50Ms: 1, p99Ms: 2, maxMs: 3 }]),
    );
    s = reduce(s, {
      type: 'cluster',
      services: Array.from({ length: 30 }, (_, i) => ({ name: `echo-${i + 1}`, role: 'echo', hostAddress: `127.77.1.${i + 1}:50051`, container: 'running' })),
    });
    for (const client of ['a', 'b', 'c'])
      s = reduce(s, {
        type: 'bucket',
        client,
        t: 1000,
        widthMs: 1000,
        total: { calls: 300, ok: 300, errors: {}, extraAttempts: 0, p50Ms: 1, p99Ms: 2, maxMs: 3 },
        backends,
      });
    const rows = 40;
    const frame = frameAt(s, 120, rows);
    assert.ok(frame.split('\n').length <= rows, `${frame.split('\n').length} lines for a ${rows}-row terminal`);
    assert.match(strip(frame), /more backend/);
  });

  it('an xds event: the client line shows the versions it ACKed and its load reports, a NACK is logged once and drawn red', () => {
    const xds = (nacked?: string): ViewAction => ({
      type: 'xds',
      t: 5000,
      versions: { LDS: '1', RDS: '1', CDS: '3', EDS: '2' },
      sourceOk: true,
      lb: 'ring_hash',
      clients: [
        {
          client: 'rr',
          nodeId: `lab/rr/${process.pid}`,
          connected: true,
          types: [
            { type: 'LDS', acked: '1' },
            { type: 'CDS', acked: '2', ...(nacked ? { nacked, error: 'max_ejection_percent > 100' } : {}) },
          ],
          loads: { a: { ok: 40, errors: 0 }, b: { ok: 39, errors: 2 } },
        },
        { client: 'someone-else', nodeId: 'outside', connected: true, types: [], loads: {} },
      ],
    });
    let s = reduce(replay(3000), xds());
    assert.equal(s.log.filter((l) => /NACK/.test(l.text)).length, 0);
    s = reduce(reduce(s, xds('3')), xds('3'));
    const nacks = s.log.filter((l) => /NACK/.test(l.text));
    assert.deepEqual(
      nacks.map((l) => [l.text, l.level]),
      [['rr NACKed CDS v3: max_ejection_percent > 100', 'warn']],
    );
    assert.equal(s.clients.filter((c) => c.xds).length, 1, 'only the run’s own clients get an xds line');
    assert.equal(s.clients[0].lb, 'ring_hash (xDS, grpc-js-xds)', 'labelled by the policy the control plane serves, and where it comes from');
    const frame = strip(frameAt(s, 160));
    assert.match(frame, /xds: LDS v1 +CDS v2 NACK v3 +LRS a 40 b 39\/2err/);
    assert.equal(frame.match(/resolver \(lab\): /g)?.length, 1, 'the xds line replaces rr’s resolver line; pf keeps its own');
  });
});

describe('view: your own client beside the lab’s', () => {
  it('an observed client gets its own panel, labelled as seen by the servers, with its shares', () => {
    const st = (calls: number) => ({ calls, ok: calls, errors: {}, extraAttempts: 0, p50Ms: 1, p99Ms: 2, maxMs: 3 });
    let s = replay(3000);
    s = reduce(s, { type: 'client-started', client: 'py', t: 3000, target: 'python3 echo_client.py', serviceConfig: {}, observed: true });
    for (const t of [3250, 3500, 3750, 4000])
      s = reduce(s, { type: 'bucket', client: 'py', t, widthMs: 250, total: st(30), backends: { 'echo-1': st(10), 'echo-2': st(10), 'echo-3': st(10) } });
    const py = s.clients.find((c) => c.name === 'py')!;
    assert.equal(py.lb, 'seen by the servers');
    assert.deepEqual(
      py.backends.map((b) => [b.name, Math.round(b.share * 100)]),
      [
        ['echo-1', 33],
        ['echo-2', 33],
        ['echo-3', 33],
      ],
    );
    const frame = strip(frameAt(s, 160, 60));
    if (process.env.SHOW_FRAME) console.log(frame);
    assert.match(frame, /py .*seen by the servers/);
    assert.match(frame, /counted by the echo servers/, 'no resolver line: the lab does not resolve for it');
    assert.match(frame, /round_robin/, 'the lab’s own client is still drawn beside it');
    const killedExit = reduce(s, { type: 'own-client', client: 'py', t: 4100, how: 'exited with code 1 at 4.1s, before the end' });
    assert.ok(killedExit.log.some((l) => l.level === 'error' && /py: exited with code 1/.test(l.text)));
  });
});

describe('view format', () => {
  it('draws ASCII bars', () => {
    assert.equal(asciiBar(0.5, 8), '####    ');
    assert.equal(asciiBar(1, 4), '####');
    assert.equal(asciiBar(0, 3), '   ');
  });

  it('draws bars in eighths and sparklines in eight levels', () => {
    assert.equal(bar(0, 8), '        ');
    assert.equal(bar(1, 8), '████████');
    assert.equal(bar(0.5, 8), '████    ');
    assert.equal(bar(1 / 16, 8), '▌       ');
    assert.equal(sparkline([0, 0.5, 1], 5), '  ▁▅█');
  });

  it('lays two clients side by side only when each gets 64 columns', () => {
    const s = {
      ...start(),
      clients: [
        { name: 'a', backends: [] },
        { name: 'b', backends: [] },
      ],
    } as unknown as ViewState;
    assert.equal(layoutFor(s, 160, 40).clientColumns, 2);
    assert.equal(layoutFor(s, 120, 40).clientColumns, 1);
  });
});

describe('the scenario picker', () => {
  it('a window over any library, any selection, any height of 3 rows or more: the selection shown, every file above, shown or below, within the rows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 3, max: 50 }), fc.nat(), (count, rows, pick) => {
        const selected = pick % count;
        const w = pickerWindow(count, selected, rows);
        assert.ok(selected >= w.start && selected < w.end, `selected ${selected} in [${w.start}, ${w.end})`);
        assert.equal(w.above + (w.end - w.start) + w.below, count);
        assert.ok((w.above ? 1 : 0) + (w.end - w.start) + (w.below ? 1 : 0) <= rows, `${JSON.stringify(w)} in ${rows} rows`);
      }),
    );
  });

  it('the library at 80×24 (36 files), the selection near the end: the frame fits the terminal, the selection on it, the rest counted', () => {
    const files = Array.from({ length: 36 }, (_, i) => `scenario-${String(i).padStart(2, '0')}.yaml`);
    let s = reduce(initialView({ title: 'the lab', mode: 'watch', services: [], names: {} }), { type: 'picker', files });
    for (let i = 0; i < 6; i++) s = reduce(s, { type: 'picker', move: -1 });
    const frame = frameAt(s, 80, 24);
    const lines = frame.split('\n').map(strip);
    assert.ok(lines.length <= 24, `${lines.length} lines:\n${frame}`);
    assert.ok(
      lines.some((l) => l === '> scenario-30.yaml'),
      frame,
    );
    assert.ok(lines.some((l) => /↑ 15 more/.test(l)) && !lines.some((l) => /↓ \d+ more/.test(l)), `at the end, the ones above counted:\n${frame}`);
    assert.match(lines[1], /Play a scenario/);
    // In the middle, both ends counted, the selection on screen.
    for (let i = 0; i < 12; i++) s = reduce(s, { type: 'picker', move: -1 });
    const middle = frameAt(s, 80, 24).split('\n').map(strip);
    assert.ok(middle.length <= 24 && middle.includes('> scenario-18.yaml'), middle.join('\n'));
    assert.ok(middle.some((l) => /↑ \d+ more/.test(l)) && middle.some((l) => /↓ \d+ more/.test(l)), middle.join('\n'));
  });
});
