// The rebalance view in a real terminal (tmux): `lab play` draws bars, the timeline and the verdict;
// `lab watch` takes keys (a pause really happens) and q leaves the sandbox as it was. Project
// labview on 127.83.x.y.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { stripVTControlCharacters } from 'node:util';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { down, getRuntime, projectSelector } from '../../src/sandbox/index.js';
import { ROOT, lab, leftovers, tempDir, testTopologyFile } from '../helpers/lab.js';

setupLab();

const PROJECT = 'labview';
const SESSION = `labview-${process.pid}`;
const dir = tempDir('lab-view-');

const tmux = (...args: string[]) => execa('tmux', args, { reject: false });
// With -e the escapes stay (colours); plain() drops them.
const screen = async () => (await tmux('capture-pane', '-p', '-e', '-t', SESSION)).stdout;
const plain = (s: string) => stripVTControlCharacters(s);
/** A backend row whose bar is drawn: a run of # after the name. */
const barOf = (s: string, backend: string) =>
  plain(s)
    .split('\n')
    .some((l) => new RegExp(`^ {2}${backend} +#{3,}`).test(l));

/** Polls the screen until `test` holds; returns every screen seen (the run scrolls). */
async function until(test: (s: string) => boolean, ms: number): Promise<string[]> {
  const seen: string[] = [];
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const s = await screen();
    seen.push(s);
    if (test(s)) return seen;
    await sleep(300);
  }
  throw new Error(`not on screen within ${ms} ms; last screen:\n${seen.at(-1)}`);
}

async function start(command: string): Promise<unknown> {
  await tmux('kill-session', '-t', SESSION);
  // The shell reports the exit code on screen and stays, so the last frame can be read. CI=true on
  // purpose: a terminal under CI must still get live frames.
  return tmux('new-session', '-d', '-s', SESSION, '-x', '150', '-y', '45', `cd ${ROOT} && env CI=true ${command}; echo "EXIT=$?"; sleep 600`);
}

describe('the rebalance view in a terminal (tmux)', () => {
  const rt = getRuntime();
  const file = testTopologyFile(PROJECT, 83);

  before(async () => {
    await down(rt, PROJECT);
  });
  after(async () => {
    await tmux('kill-session', '-t', SESSION);
    await down(rt, PROJECT);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
  });

  it('lab play shows the bars, the step on the timeline and the verdict', async () => {
    const scenario = path.join(dir, 'short.yaml');
    writeFileSync(
      scenario,
      `name: short
duration: 8s
clients:
  rr: { target: "etcd:///echo", lb: round_robin, concurrency: 4 }
steps:
  - { at: 3s, kill: echo-2 }
  - { at: 3s, expect: { client: rr, share: { echo-2: 0 }, within: 2s } }
`,
    );
    await start(`node bin/lab.js -f ${file} play ${scenario} --report-dir ${path.join(dir, 'report')}`);
    const seen = await until((s) => /EXIT=\d+/.test(s), 120_000);
    assert.ok(barOf(seen.at(-1)!, 'echo-1') && !barOf(seen.at(-1)!, 'echo-2'), 'in the last frame echo-1 has a bar, the killed echo-2 none');
    const during = seen.find((s) => /Traffic/.test(s) && barOf(s, 'echo-1') && /Timeline/.test(s));
    assert.ok(during, `no frame with bars and the timeline among ${seen.length} screens; last:\n${seen.at(-1)}`);
    const last = plain(seen.at(-1)!);
    assert.match(last, /▲/, 'the action on the time axis');
    assert.match(last, /done\s+SIGKILL echo-2/);
    assert.match(last, /passed\s+rr: share echo-2 0 within 2s/);
    assert.match(last, /✔ PASS/);
    assert.match(last, /EXIT=0/);
    await tmux('kill-session', '-t', SESSION);
  });

  it('lab play draws your own client (the Python example, seen by the servers) beside the lab’s own', async () => {
    const scenario = path.join(dir, 'own.yaml');
    writeFileSync(
      scenario,
      `name: own
duration: 6s
clients:
  py: { run: "/usr/bin/python3 ${path.join(ROOT, 'examples/clients/python/echo_client.py')} --rate 100" }
  rr: { target: "etcd:///echo", lb: round_robin, rate: 100 }
`,
    );
    await start(`node bin/lab.js -f ${file} play ${scenario} --report-dir ${path.join(dir, 'report-own')}`);
    const seen = await until((s) => /EXIT=\d+/.test(s), 120_000);
    const both = seen.map(plain).find((s) => /py · seen by the servers \d+ rps/.test(s) && /rr · round_robin \d+ rps/.test(s) && barOf(s, 'echo-1'));
    assert.ok(both, `no frame with both clients among ${seen.length} screens; last:\n${plain(seen.at(-1)!)}`);
    assert.match(both, /counted by the echo servers/);
    assert.match(plain(seen.at(-1)!), /EXIT=0/);
    await tmux('kill-session', '-t', SESSION);
  });

  it('lab watch: keys really act (p pauses the selected echo), q undoes them, exits 0 and leaves the sandbox as it was', async () => {
    const up = await lab(['-f', file, 'up']);
    assert.equal(up.exitCode, 0, up.stderr);
    const before = (await rt.listContainers(projectSelector(PROJECT))).map((c) => [c.name, c.id, c.state]).sort();
    await start(`node bin/lab.js -f ${file} watch --lb round_robin`);
    await until((s) => /READY/.test(plain(s)) && /lease \ds/.test(plain(s)), 60_000);
    // Select echo-2 (etcd, consul, echo-1, echo-2) and pause it.
    await tmux('send-keys', '-t', SESSION, 'Down', 'Down', 'Down');
    await sleep(300);
    await tmux('send-keys', '-t', SESSION, 'p');
    await until((s) => />echo-2\s+paused/.test(plain(s)), 20_000);
    const [paused] = await rt.listContainers({ ...projectSelector(PROJECT), 'dev.lab.instance': 'echo-2' });
    assert.equal(paused.state, 'paused');
    await tmux('send-keys', '-t', SESSION, 'q');
    const seen = await until((s) => /EXIT=\d+/.test(s), 30_000);
    assert.match(seen.at(-1)!, /EXIT=0/);
    const afterQuit = (await rt.listContainers(projectSelector(PROJECT))).map((c) => [c.name, c.id, c.state]).sort();
    assert.deepEqual(afterQuit, before, 'the same containers, running, as before the view opened');
  });
});
