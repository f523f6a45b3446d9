// Outages of the lab's own parts (project labout, 127.88.x.y): an echo container removed behind the
// lab's back, and the Docker daemon itself stopped and started in the middle of a scenario (a
// daemon of the test's own, in a network namespace: the machine's Docker is never touched). The lab
// says what happened, and the next `up` (or the scenario's own reconcile) repairs the cluster.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { down, getRuntime, projectSelector } from '../../src/sandbox/index.js';
import { ROOT, eventually, lab, leftovers, tempDir, testTopologyFile } from '../helpers/lab.js';
import { PrivateDockerd } from '../helpers/private-dockerd.js';

setupLab();

const PROJECT = 'labout';

describe('outages of the lab’s own parts', () => {
  const rt = getRuntime();
  const file = testTopologyFile(PROJECT, 88);

  before(async () => {
    await down(rt, PROJECT);
  });
  after(async () => {
    await down(rt, PROJECT);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
  });

  it('an echo container removed behind the lab’s back: status reports it absent; up recreates only it', async () => {
    const first = await lab(['-f', file, 'up', '--json']);
    assert.equal(first.exitCode, 0, first.stderr);
    await execa('docker', ['rm', '-f', `${PROJECT}-echo-3`]);
    const s = await lab(['-f', file, 'status', '--json']);
    const report = JSON.parse(s.stdout) as { services: Array<{ name: string; container: string; etcd?: { registered: boolean } }> };
    assert.equal(report.services.find((x) => x.name === 'echo-3')!.container, 'absent');
    assert.deepEqual(
      report.services.filter((x) => x.name !== 'echo-3').map((x) => x.container),
      ['running', 'running', 'running', 'running'],
    );
    const again = await lab(['-f', file, 'up', '--json']);
    const actions = (JSON.parse(again.stdout) as { instances: Array<{ name: string; action: string }> }).instances.map((i) => [i.name, i.action]);
    assert.deepEqual(actions, [
      ['etcd', 'kept'],
      ['consul', 'kept'],
      ['echo-1', 'kept'],
      ['echo-2', 'kept'],
      ['echo-3', 'created'],
    ]);
  });

  it('changing one service in the topology recreates only that service; the rest keep their containers', async () => {
    const changed = testTopologyFile(PROJECT, 88, (doc) =>
      doc.setIn(['services', 'consul', 'command'], ['agent', '-dev', '-client=0.0.0.0', '-log-level=error']),
    );
    const before = await lab(['-f', file, 'up', '--json']);
    const ids = new Map((JSON.parse(before.stdout) as { instances: Array<{ name: string; id: string }> }).instances.map((i) => [i.name, i.id]));
    const r = await lab(['-f', changed, 'up', '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const after = (JSON.parse(r.stdout) as { instances: Array<{ name: string; id: string; action: string }> }).instances;
    assert.deepEqual(
      after.map((i) => [i.name, i.action]),
      [
        ['etcd', 'kept'],
        ['consul', 'recreated'],
        ['echo-1', 'kept'],
        ['echo-2', 'kept'],
        ['echo-3', 'kept'],
      ],
    );
    for (const i of after) assert.equal(i.id === ids.get(i.name), i.name !== 'consul', i.name);
    // And back: again only consul.
    const back = await lab(['-f', file, 'up', '--json']);
    assert.deepEqual(
      (JSON.parse(back.stdout) as { instances: Array<{ action: string }> }).instances.map((i) => i.action),
      ['kept', 'recreated', 'kept', 'kept', 'kept'],
    );
  });

  it(
    'Docker stopped and started mid-scenario (an engine of the test’s own): the failed step says Docker is not answering; the scenario’s reconcile brings the cluster back',
    { timeout: 300_000 },
    async () => {
      const engine = await PrivateDockerd.start('outage');
      try {
        const scenario = path.join(tempDir('lab-outage-'), 'outage.yaml');
        writeFileSync(
          scenario,
          'name: outage\nduration: 25s\nclients:\n  rr: { target: "etcd:///echo", lb: round_robin, concurrency: 2, deadline: 500ms }\nsteps:\n  - { at: 8s, pause: echo-2 }\n  - { at: 1s, expect: { client: rr, errors: { total: 0 }, always: 2s } }\n',
        );
        const child = engine.inside([process.execPath, path.join(ROOT, 'bin/lab.js'), '-f', file, 'play', scenario, '--no-tui'], {
          reject: false,
          cwd: ROOT,
          all: true,
          timeout: 240_000,
        });
        let out = '';
        child.all!.on('data', (d: Buffer) => (out += d.toString()));
        await eventually('traffic runs', async () => /── traffic/.test(out), 120_000);
        await sleep(3000);
        // The daemon goes away (its containers stop with it) ...
        await engine.stopEngine();
        // ... the step at 8 s finds no Docker, and says so; then the daemon comes back.
        await eventually('the step failed', async () => /freeze \(docker pause\) echo-2.*✖/.test(out), 60_000);
        await engine.startEngine();
        const r = await child;
        assert.equal(r.exitCode, 1, out);
        assert.match(out, /freeze \(docker pause\) echo-2\s+✖ Docker is not answering/);
        // The scenario's reconcile at the end (or, failing that, the next up) repaired the cluster.
        const u = await engine.lab(['-f', file, 'up', '--json']);
        assert.equal(u.exitCode, 0, u.stderr);
        const containers = await engine.runtime.listContainers(projectSelector(PROJECT));
        assert.deepEqual(containers.map((c) => c.state).sort(), Array(5).fill('running'));
        const s = await engine.lab(['-f', file, 'status', '--json']);
        const report = JSON.parse(s.stdout) as { services: Array<{ name: string; health: string }> };
        assert.deepEqual(
          report.services.map((x) => x.health),
          ['healthy', 'healthy', 'SERVING', 'SERVING', 'SERVING'],
        );
        await engine.lab(['-f', file, 'down']);
        assert.deepEqual(await engine.runtime.listContainers(projectSelector(PROJECT)), []);
      } finally {
        await engine.destroy();
      }
    },
  );
});
