// `lab play` as users run it, on a real sandbox (project labplay on 127.82.x.y): actions really
// happen and are undone, a broken expectation fails the run, Ctrl-C stops, undoes and reports.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { EchoControl, checkHealth } from '../../src/grpc/index.js';
import { down, getRuntime, projectSelector } from '../../src/sandbox/index.js';
import { ROOT, lab, leftovers, tempDir, testTopologyFile } from '../helpers/lab.js';

setupLab();

const PROJECT = 'labplay';
const dir = tempDir('lab-play-');
const scenario = (name: string, text: string) => {
  const f = path.join(dir, `${name}.yaml`);
  writeFileSync(f, text);
  return f;
};

describe('lab play on a real sandbox', () => {
  const rt = getRuntime();
  const file = testTopologyFile(PROJECT, 82);

  before(async () => {
    await down(rt, PROJECT);
  });
  after(async () => {
    await down(rt, PROJECT);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
  });

  it('runs kill, health and fault for real, passes its expectations, undoes them, and writes the report', async () => {
    const f = scenario(
      'actions',
      `name: actions
duration: 8s
clients:
  rr: { target: "etcd:///echo", lb: round_robin, concurrency: 8 }
  cs: { target: "consul:///echo?healthy=true&wait=5s", lb: round_robin, concurrency: 4 }
  slow: { target: "ipv4:127.82.1.2:50051", lb: pick_first, concurrency: 2 }
steps:
  - { at: 1s, health: { echo-3: NOT_SERVING } }
  - { at: 1s, expect: { client: cs, share: { echo-3: 0 }, within: 4s } }
  - { at: 1s, fault: { target: echo-2, latency: 100ms } }
  - { at: 1s, expect: { client: slow, latency: { p50: "80ms..120ms" }, within: 2s } }
  - { at: 4s, kill: echo-1 }
  - { at: 4s, expect: { client: rr, share: { echo-1: 0 }, within: 2s } }
`,
    );
    const reportDir = path.join(dir, 'report-actions');
    const r = await lab(['-f', file, 'play', f, '--report-dir', reportDir]);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /✔ PASS/);
    assert.match(r.stdout, /rr: share echo-1 0 within 2s\s+pass/);
    // Undone: echo-1 runs again, echo-3 serves, echo-2 has no fault.
    const containers = await rt.listContainers(projectSelector(PROJECT));
    assert.deepEqual(
      containers.map((c) => c.state),
      Array(containers.length).fill('running'),
    );
    assert.equal(await checkHealth('127.82.1.3:50051'), 'SERVING');
    const ctl = new EchoControl('127.82.1.2:50051');
    const stats = await ctl.getStats();
    ctl.close();
    assert.equal(stats.fault?.latencyMs, 0);
    for (const f of ['scenario.yaml', 'events.jsonl', 'timeseries.json', 'timeseries.csv', 'summary.md', 'chart.svg', 'report.html', 'result.json'])
      assert.ok(existsSync(path.join(reportDir, f)), f);
    const svg = readFileSync(path.join(reportDir, 'chart.svg'), 'utf8');
    // A band in the share panel for every backend of every client (rr 3, cs 3, slow 1).
    assert.equal((svg.match(/<polygon fill="#[0-9a-f]{6}" stroke="#fff"/g) ?? []).length >= 7, true, 'share bands for every backend of every client');
    assert.match(readFileSync(path.join(reportDir, 'summary.md'), 'utf8'), /verdict \*\*PASS\*\*/);
    // lab report re-renders it
    const rr = await lab(['report', reportDir]);
    assert.equal(rr.exitCode, 0, rr.stderr);
  });

  it('stop, start, restart, scale and signal happen for real (SIGTERM deregisters; new echoes join; undone at the end)', async () => {
    const f = scenario(
      'lifecycle',
      `name: lifecycle
duration: 17s
clients:
  # A steady rate, not a closed loop: a saturated CPU boots a started echo late (seen on CI: 3 s).
  rr: { target: "etcd:///echo", lb: round_robin, rate: 400 }
steps:
  - { at: 1s, stop: echo-1 }
  - { at: 1s, expect: { client: rr, share: { echo-1: 0 }, errors: { total: 0 }, within: 2s } }
  - { at: 3s, start: echo-1 }
  # A started container boots and registers: on a busy CI machine that alone took ~3 s.
  - { at: 3s, expect: { client: rr, share: { echo-1: ">20%" }, within: 4s } }
  - { at: 7s, restart: echo-2 }
  # While echo-2 restarts: the scale creates echo-4 and leaves echo-2 to the restart (it once
  # started echo-2 too, and lost the race for its port).
  - { at: 7500ms, scale: { echo: 4 } }
  - { at: 7500ms, expect: { client: rr, share: { echo-4: ">15%" }, within: 6s } }
  - { at: 14s, signal: { target: echo-3, signal: SIGHUP } }
  - { at: 14s, expect: { client: rr, share: { echo-3: 0 }, within: 2s } }
`,
    );
    const r = await lab(['-f', file, 'play', f, '--report-dir', path.join(dir, 'report-lifecycle')]);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    // Node.js exits on a SIGHUP it does not handle: the echo died, and the undo started it again.
    assert.match(r.stdout, /SIGHUP to echo-3/);
    assert.doesNotMatch(r.stdout, /failed:/, 'every action ran');
    const states = (await rt.listContainers(projectSelector(PROJECT))).map((c) => c.state);
    assert.ok(
      states.every((st) => st === 'running'),
      states.join(', '),
    );
    // The scale-up was undone: three echo servers again, echo-4 gone (gracefully: deregistered).
    const names = (await rt.listContainers(projectSelector(PROJECT))).map((c) => c.labels['dev.lab.instance']).sort();
    assert.deepEqual(names, ['consul', 'echo-1', 'echo-2', 'echo-3', 'etcd']);
  });

  it('registry, weight, balancer and network actions happen for real and are undone', async () => {
    const f = scenario(
      'registry',
      `name: registry
duration: 14s
clients:
  w: { target: "etcd:///echo", lb: wrr_smooth, concurrency: 8 }
  cs: { target: "consul:///echo?healthy=true&wait=5s", lb: round_robin, concurrency: 4 }
steps:
  - { at: 1s, set-weight: { echo-3: 4 } }
  - { at: 1s, expect: { client: w, share: "≈ 1:1:4 ± 5%", within: 3s } }
  - { at: 4s, deregister: echo-1 }
  - { at: 4s, expect: { client: cs, share: { echo-1: 0 }, within: 3s } }
  - { at: 7s, register: echo-1 }
  - { at: 7s, expect: { client: cs, share: { echo-1: ">20%" }, within: 3s } }
  - { at: 7s, expire-lease: echo-2 }
  - { at: 9s, set-lb: { client: w, lb: pick_first } }
  - { at: 9s, expect: { client: w, share: { echo-1: 100% }, within: 2s } }
  - { at: 11s, partition: echo-2 }
  - { at: 11s, expect: { client: cs, share: { echo-2: 0 }, within: 2s } }
`,
    );
    const reportDir = path.join(dir, 'report-registry');
    const r = await lab(['-f', file, 'play', f, '--report-dir', reportDir]);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    // expire-lease really revoked it: the etcd client saw echo-2 leave, then come back.
    const events = readFileSync(path.join(reportDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; client?: string; t: number; addresses?: string[] });
    const afterExpire = events.filter((e) => e.type === 'resolution' && e.client === 'w' && e.t >= 7000 && e.t < 9000);
    assert.ok(
      afterExpire.some((e) => !e.addresses!.includes('127.82.1.2:50051')),
      'echo-2 left the etcd list',
    );
    assert.ok(
      afterExpire.some((e) => e.addresses!.includes('127.82.1.2:50051')),
      'and came back',
    );
    // Undone: echo-2 is on the network again, echo-3's weight is 1 again.
    const ctl = new EchoControl('127.82.1.3:50051');
    const stats = await ctl.getStats();
    ctl.close();
    assert.equal(stats.weight, 1);
    assert.equal(await checkHealth('127.82.1.2:50051'), 'SERVING');
  });

  it('link faults happen for real through the link proxy (latency within ±20%, blackhole, reset) and are undone', async () => {
    const f = scenario(
      'links',
      `name: links
duration: 10s
clients:
  one: { target: "ipv4:127.82.1.2:50051", lb: pick_first, concurrency: 2 }
  rr: { target: "etcd:///echo", lb: round_robin, concurrency: 8, deadline: 500ms }
steps:
  - { at: 1s, link: { target: echo-2, latency: 100ms } }
  - { at: 1s, expect: { client: one, latency: { p50: "80ms..120ms" }, within: 2s } }
  - { at: 4s, link: { target: echo-3, blackhole: true, direction: both } }
  - { at: 4s, expect: { client: rr, errors: { DEADLINE_EXCEEDED: ">0" }, within: 2s } }
  - { at: 7s, link: { target: echo-1, reset: true } }
  - { at: 7s, expect: { client: rr, share: { echo-1: 0 }, within: 2s } }
`,
    );
    const reportDir = path.join(dir, 'report-links');
    const r = await lab(['-f', file, 'play', f, '--report-dir', reportDir]);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    // Undone: no link fault in force on any echo (asked on the direct port, beside the proxied one).
    for (const n of [1, 2, 3]) {
      const ctl = new EchoControl(`127.82.1.${n}:50052`);
      const stats = await ctl.getStats();
      ctl.close();
      assert.deepEqual([stats.link?.fault?.latencyMs, stats.link?.fault?.blackhole, stats.link?.fault?.reset], [0, false, false], `echo-${n}`);
    }
    assert.equal(await checkHealth('127.82.1.1:50051'), 'SERVING');
  });

  it('kill-leader on a 3-member etcd kills the member that leads; resolution carries on', async () => {
    const f = scenario(
      'leader',
      `name: leader
sandbox: { etcd: 3 }
duration: 9s
clients:
  rr: { target: "etcd:///echo", lb: round_robin, concurrency: 8 }
steps:
  - { at: 1s, kill-leader: etcd }
  - { at: 1s, expect: { client: rr, errors: { total: 0 }, always: 3s } }
  - { at: 4s, stop: echo-3 }
  - { at: 4s, expect: { client: rr, share: { echo-3: 0 }, within: 3s } }
`,
    );
    const reportDir = path.join(dir, 'report-leader');
    const r = await lab(['-f', file, 'play', f, '--report-dir', reportDir]);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    const killed = /SIGKILL the etcd leader \((etcd-\d) led\)/.exec(r.stdout);
    assert.ok(killed, r.stdout);
    const events = readFileSync(path.join(reportDir, 'events.jsonl'), 'utf8');
    assert.match(events, new RegExp(`${killed[1]} led`));
    // Undone: every member runs again.
    const members = (await rt.listContainers(projectSelector(PROJECT))).filter((c) => c.labels['dev.lab.role'] === 'etcd');
    assert.deepEqual(members.map((c) => [c.labels['dev.lab.instance'], c.state]).sort(), [
      ['etcd-1', 'running'],
      ['etcd-2', 'running'],
      ['etcd-3', 'running'],
    ]);
  });

  it('an expectation that should fail does fail: exit 1, and says what was seen', async () => {
    const f = scenario(
      'broken',
      `name: broken lesson
duration: 4s
clients:
  pf: { target: "etcd:///echo", lb: pick_first, concurrency: 4 }
steps:
  - { at: 1s, expect: { client: pf, share: "≈ 1:1:1 ± 5%", within: 2s } }
`,
    );
    const r = await lab(['-f', file, 'play', f, '--report-dir', path.join(dir, 'report-broken')]);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stdout, /FAIL\s+—\s+by 3\.0s it did not hold: echo-1 100\.0%, echo-2 0\.0%, echo-3 0\.0%/);
    assert.match(r.stdout, /✖ FAIL/);
  });

  it('Ctrl-C in the middle stops traffic, undoes the pause, writes the partial report and exits 130', async () => {
    const f = scenario(
      'interrupted',
      `name: interrupted
duration: 30s
clients:
  rr: { target: "etcd:///echo", lb: round_robin, concurrency: 4 }
steps:
  - { at: 1s, pause: echo-2 }
  - { at: 1s, expect: { client: rr, share: { echo-2: 0 }, within: 20s } }
`,
    );
    const reportDir = path.join(dir, 'report-interrupted');
    const child = execa(process.execPath, [path.join(ROOT, 'bin/lab.js'), '-f', file, 'play', f, '--report-dir', reportDir], { reject: false, cwd: ROOT });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const t0 = Date.now();
    while (!/freeze \(docker pause\) echo-2/.test(out) && Date.now() - t0 < 60_000) await sleep(50);
    const [paused] = await rt.listContainers({ ...projectSelector(PROJECT), 'dev.lab.instance': 'echo-2' });
    assert.equal(paused.state, 'paused');
    child.kill('SIGINT');
    const r = await child;
    assert.equal(r.exitCode, 130, out);
    const [after] = await rt.listContainers({ ...projectSelector(PROJECT), 'dev.lab.instance': 'echo-2' });
    assert.equal(after.state, 'running');
    const result = JSON.parse(readFileSync(path.join(reportDir, 'result.json'), 'utf8')) as {
      verdict: {
        ok: boolean;
        interrupted: boolean;
        expectations: Array<{ state: string; judgedByMs?: number; saw: string }>;
        actions: Array<{ rebalance?: Record<string, { state: string }> }>;
      };
    };
    assert.deepEqual([result.verdict.ok, result.verdict.interrupted], [false, true]);
    // Cut short inside the expectation's window: not judged (it was due at 1 + 20 + 1 s), never a failure at a moment that never came.
    const [e] = result.verdict.expectations;
    assert.equal(e.state, 'not-judged', e.saw);
    assert.equal(e.judgedByMs, 22_000);
    assert.doesNotMatch(e.saw, /by 21\.0s it did not hold/);
    assert.match(out, /not judged/);
    assert.match(out, /report: .*report\.html/);
    // And a comparison says so.
    const cmp = await lab(['report', '--compare', reportDir, reportDir, '--out', path.join(dir, 'cmp-interrupted')]);
    assert.equal(cmp.exitCode, 0, cmp.stderr);
    assert.match(cmp.stdout, /verdict\s+INTERRUPTED\s+INTERRUPTED/);
  });
});
