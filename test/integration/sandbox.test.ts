// The sandbox against real Docker, etcd and Consul: up, identity, registrations, idempotent re-up,
// scaling, graceful stop, down. Runs on its own project and loopback range (127.78.x.y).
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { execa } from 'execa';
import { down, getRuntime, status, up, type UpResult } from '../../src/sandbox/index.js';
import { consulInstances, EtcdReader } from '../../src/sandbox/index.js';
import { EchoControl, echoClient } from '../../src/grpc/index.js';
import { unaryEcho } from '../helpers/grpc.js';
import type { Topology } from '../../src/topology/types.js';
import { eventually, leftovers, testTopology, testTopologyFile } from '../helpers/lab.js';

setupLab();

const PROJECT = 'labtest';

const etcdEntries = async (prefix: string) => {
  const reader = new EtcdReader('127.78.0.2:2379');
  try {
    return await reader.entries(prefix);
  } finally {
    reader.close();
  }
};

describe('sandbox on real Docker', () => {
  const rt = getRuntime();
  const file = testTopologyFile(PROJECT, 78);
  const t: Topology = testTopology(file);
  let first: UpResult;

  before(async () => {
    await down(rt, PROJECT); // a previous crashed run must not decide this one
    first = await up(rt, t);
  });

  after(async () => {
    const { stdout: volume } = await execa('docker', [
      'inspect',
      '-f',
      '{{range .Mounts}}{{.Name}}{{end}}',
      first.instances.find((i) => i.name === 'etcd')!.id,
    ]);
    await down(rt, PROJECT);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] }, 'down left labelled resources behind');
    const { stdout: volumes } = await execa('docker', ['volume', 'ls', '-q']);
    assert.ok(volume.trim() && !volumes.split('\n').includes(volume.trim()), `etcd's volume ${volume} outlived down`);
  });

  it('starts etcd, Consul and 3 echo servers, all running', async () => {
    assert.deepEqual(
      first.instances.map((i) => [i.name, i.action]),
      [
        ['etcd', 'created'],
        ['consul', 'created'],
        ['echo-1', 'created'],
        ['echo-2', 'created'],
        ['echo-3', 'created'],
      ],
    );
    const s = await status(rt, t);
    assert.deepEqual(
      s.services.map((x) => x.container),
      Array(5).fill('running'),
    );
    assert.deepEqual(
      s.services.map((x) => x.health),
      ['healthy', 'healthy', 'SERVING', 'SERVING', 'SERVING'],
    );
  });

  it('each echo answers UnaryEcho with its own identity on its own loopback address', async () => {
    for (const n of [1, 2, 3]) {
      const client = echoClient(`ipv4:127.78.1.${n}:50051`);
      const res = await unaryEcho(client, 'who');
      client.close();
      assert.equal(res.message, `echo-${n}: who`);
    }
  });

  it('etcd holds one key per echo with a live lease and both addresses (read with etcd3)', async () => {
    const etcd = new Etcd3({ hosts: 'http://127.78.0.2:2379' });
    try {
      const kvs = await etcd.getAll().prefix('/lab/services/echo/').json();
      assert.deepEqual(Object.keys(kvs).sort(), ['/lab/services/echo/echo-1', '/lab/services/echo/echo-2', '/lab/services/echo/echo-3']);
      assert.deepEqual(kvs['/lab/services/echo/echo-2'], {
        id: 'echo-2',
        service: 'echo',
        host: '127.78.1.2:50051',
        cluster: 'echo-2:50051',
        weight: 1,
        zone: 'b',
        metadata: {},
      });
    } finally {
      etcd.close();
    }
    const entries = await etcdEntries('/lab/services/echo/');
    for (const e of entries) assert.ok(e.lease && e.ttl !== undefined && e.ttl > 0 && e.ttl <= 5, `${e.key}: lease ${e.lease} ttl ${e.ttl}`);
  });

  it('Consul lists every echo passing, with the host address and the cluster address', async () => {
    const res = await fetch('http://127.78.0.3:8500/v1/health/service/echo?passing');
    const list = (await res.json()) as Array<{ Service: { ID: string; Address: string; Port: number; Meta: Record<string, string> } }>;
    assert.deepEqual(list.map((e) => [e.Service.ID, e.Service.Address, e.Service.Port, e.Service.Meta.cluster]).sort(), [
      ['echo-1', '127.78.1.1', 50051, 'echo-1:50051'],
      ['echo-2', '127.78.1.2', 50051, 'echo-2:50051'],
      ['echo-3', '127.78.1.3', 50051, 'echo-3:50051'],
    ]);
  });

  it("Consul DNS answers with each echo's own loopback address", async () => {
    const { stdout } = await execa('dig', ['+short', '+time=2', '@127.78.0.3', '-p', '8600', 'echo.service.consul']);
    assert.deepEqual(stdout.trim().split('\n').sort(), ['127.78.1.1', '127.78.1.2', '127.78.1.3']);
  });

  it('a second up changes no container id', async () => {
    const again = await up(rt, t);
    assert.deepEqual(
      again.instances.map((i) => i.action),
      Array(5).fill('kept'),
    );
    assert.deepEqual(
      again.instances.map((i) => i.id),
      first.instances.map((i) => i.id),
    );
    assert.equal(again.session, first.session);
  });

  it('publishes only on loopback: every port binding and every listening socket of the lab is 127.x', async () => {
    for (const inst of first.instances) {
      const { stdout } = await execa('docker', ['inspect', '-f', '{{json .HostConfig.PortBindings}}', inst.id]);
      const bindings = Object.values(JSON.parse(stdout) as Record<string, Array<{ HostIp: string }>>).flat();
      assert.ok(bindings.length > 0);
      for (const b of bindings) assert.match(b.HostIp, /^127\./, `${inst.name} binds ${b.HostIp}`);
    }
    const { stdout } = await execa('ss', ['-H', '-ltnup']);
    const ours = stdout.split('\n').filter((l) => /docker-proxy/.test(l) || /127\.78\./.test(l));
    assert.ok(ours.length >= 7, `expected the lab's 7 listeners, saw:\n${ours.join('\n')}`);
    for (const line of ours) assert.match(line.split(/\s+/)[4], /^127\./, line);
  });

  it('puts its etcd key back when someone deletes it (seed 001)', async () => {
    const etcd = new Etcd3({ hosts: 'http://127.78.0.2:2379' });
    try {
      await etcd.delete().key('/lab/services/echo/echo-1');
      await eventually('echo-1 registered again', async () => (await etcd.get('/lab/services/echo/echo-1').string()) !== null);
    } finally {
      etcd.close();
    }
  });

  it("flips Consul's check to critical when the echo turns NOT_SERVING, and back", async () => {
    const ctl = new EchoControl('127.78.1.3:50051');
    const checkOf = async () => (await consulInstances('127.78.0.3:8500', 'echo')).find((i) => i.id === 'echo-3')?.checks[0]?.status;
    try {
      await ctl.setHealth(false);
      await eventually('echo-3 critical in Consul', async () => (await checkOf()) === 'critical');
      await ctl.setHealth(true);
      await eventually('echo-3 passing in Consul', async () => (await checkOf()) === 'passing');
    } finally {
      ctl.close();
    }
  });

  it('registers again with a Consul that restarted and forgot every service (its watch fails, then sees 404)', async () => {
    const consul = first.instances.find((i) => i.name === 'consul')!;
    await rt.stopContainer(consul.id, 1);
    await rt.startContainer(consul.id);
    const ids = async () => (await consulInstances('127.78.0.3:8500', 'echo')).map((i) => i.id).sort();
    // The dev agent starts empty; each echo's blocking query on its own service ends with the agent.
    await eventually('all three back in Consul', async () => (await ids()).length === 3, 20_000);
    assert.deepEqual(await ids(), ['echo-1', 'echo-2', 'echo-3']);
  });

  it('scales to 5 and back to 3, keeping the containers that stay', async () => {
    const five = await up(rt, testTopology(file, 5));
    assert.deepEqual(
      five.instances.map((i) => i.action),
      ['kept', 'kept', 'kept', 'kept', 'kept', 'created', 'created'],
    );
    const res = await fetch('http://127.78.0.3:8500/v1/health/service/echo?passing');
    assert.equal(((await res.json()) as unknown[]).length, 5);
    const three = await up(rt, t);
    assert.deepEqual(three.removed.sort(), ['echo-4', 'echo-5']);
    assert.deepEqual(
      three.instances.map((i) => i.id),
      first.instances.map((i) => i.id),
    );
  });

  it("a scenario's scale (onlyMissing) adds echo-4 and leaves a stopped echo-2 stopped", async () => {
    const echo2 = first.instances.find((i) => i.name === 'echo-2')!;
    await rt.stopContainer(echo2.id, 5);
    try {
      const four = await up(rt, testTopology(file, 4), { onlyMissing: true });
      assert.deepEqual(
        four.instances.map((i) => [i.name, i.action]),
        [['echo-4', 'created']],
      );
      assert.equal((await rt.inspectContainer(echo2.id)).state, 'exited', 'scale started a container the scenario had stopped');
      const back = await up(rt, t, { onlyMissing: true });
      assert.deepEqual(back.removed, ['echo-4']);
      assert.equal((await rt.inspectContainer(echo2.id)).state, 'exited');
    } finally {
      await up(rt, t);
    }
  });

  it('etcd keeps its data across a restart (an anonymous volume), so registrations survive it', async () => {
    const before = await etcdEntries('/lab/services/echo/');
    const etcd = first.instances.find((i) => i.name === 'etcd')!;
    await rt.stopContainer(etcd.id, 1);
    await rt.startContainer(etcd.id);
    const after = await eventually('etcd answers again', async () => etcdEntries('/lab/services/echo/'));
    assert.deepEqual(after.map((e) => [e.key, e.lease]).sort(), before.map((e) => [e.key, e.lease]).sort());
  });

  it('the idle link proxy hides nothing: a paused echo stalls a call, a killed one refuses at once', async () => {
    const echo3 = first.instances.find((i) => i.name === 'echo-3')!;
    const client = echoClient('ipv4:127.78.1.3:50051');
    try {
      await unaryEcho(client, 'warm');
      await rt.pauseContainer(echo3.id);
      await assert.rejects(unaryEcho(client, 'x', 700), (e: { code: number }) => e.code === 4 /* DEADLINE_EXCEEDED */);
      await rt.unpauseContainer(echo3.id);
      await unaryEcho(client, 'back', 3000);
      await rt.killContainer(echo3.id, 'SIGKILL');
      // Not a deadline (the call has 5 s): the connection breaks and the next connect is refused.
      await assert.rejects(unaryEcho(client, 'x', 5000), (e: { code: number }) => e.code === 14 /* UNAVAILABLE */);
    } finally {
      client.close();
      await up(rt, t); // repairs echo-3 for the tests after this one
    }
  });

  it('deregisters from etcd and Consul on SIGTERM and exits 0', async () => {
    const id = first.instances.find((i) => i.name === 'echo-2')!.id;
    await rt.stopContainer(id, 5);
    const state = await rt.inspectContainer(id);
    assert.equal(state.state, 'exited');
    assert.equal(state.exitCode, 0);
    const keys = (await etcdEntries('/lab/services/echo/')).map((e) => e.key);
    assert.ok(!keys.includes('/lab/services/echo/echo-2'), keys.join(','));
    assert.ok(!(await consulInstances('127.78.0.3:8500', 'echo')).some((i) => i.id === 'echo-2'));
    // and up repairs it: the stopped container is started again, not recreated
    const repaired = await up(rt, t);
    assert.equal(repaired.instances.find((i) => i.name === 'echo-2')!.action, 'started');
  });

  it('what up calls ready stays so: echo servers killed and started again, or replaced, stay passing in Consul after up returns', async () => {
    // A check of the registration before, in flight when the new one arrived, used to turn the new
    // server critical for up to a second after `up` had seen it passing (3 of 8 replacements, 2 of 8
    // restarts, measured). Each round watches Consul for 1.5 s, past the check's 1 s timeout.
    const changed = testTopologyFile(PROJECT, 78, (doc) => doc.setIn(['services', 'echo', 'environment'], { LAB_TEST_VARIANT: 'b' }));
    const lowest = async () => {
      let min = Infinity;
      for (const until = Date.now() + 1500; Date.now() < until; await new Promise((r) => setTimeout(r, 25))) {
        const res = await fetch('http://127.78.0.3:8500/v1/health/service/echo?passing');
        min = Math.min(min, ((await res.json()) as unknown[]).length);
      }
      return min;
    };
    const seen: string[] = [];
    try {
      for (let round = 0; round < 4; round++) {
        const replaced = await up(rt, round % 2 ? t : testTopology(changed));
        assert.ok(replaced.instances.filter((i) => i.action === 'recreated').length >= 3, 'the echo servers were not replaced');
        seen.push(`replaced: ${await lowest()}`);
        const echoes = replaced.instances.filter((i) => i.name === 'echo-1' || i.name === 'echo-3');
        await Promise.all(echoes.map((i) => rt.killContainer(i.id, 'SIGKILL')));
        await new Promise((r) => setTimeout(r, 300));
        await up(rt, round % 2 ? t : testTopology(changed));
        seen.push(`restarted: ${await lowest()}`);
      }
      assert.deepEqual(
        seen,
        seen.map((s) => s.replace(/\d+$/, '3')),
        'fewest echo servers passing in the 1.5 s after each up',
      );
    } finally {
      await up(rt, t);
    }
  });
});
