// The sidecar of a server the lab did not write (issue 29): its probes tell a frozen server from a
// live one (a TCP connect alone would not), and its etcd registration lives only while the server
// answers: a real gRPC server in a process of its own (frozen with SIGSTOP, killed with SIGKILL) and a
// real etcd from the host's binary.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { credentials, Client } from '@grpc/grpc-js';
import type { SidecarConfig } from '../../src/echo/sidecar/config.js';
import { sidecarConfigFromEnv } from '../../src/echo/sidecar/config.js';
import { Monitor } from '../../src/echo/sidecar/monitor.js';
import { grpcHealthProbe, h2PingProbe } from '../../src/echo/sidecar/probe.js';
import { startSidecar, type Sidecar } from '../../src/echo/sidecar/sidecar.js';
import { openEtcd } from '../../src/util/etcd-client.js';
import { hostEtcd } from '../helpers/host-etcd.js';
import { eventually, ROOT } from '../helpers/lab.js';

const children = new Set<ChildProcess>();

/** The fixture server in a child process; resolves with it and its port. */
async function server(env: Record<string, string> = {}): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, [path.join(ROOT, 'test/helpers/frozen-server.mjs')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      const m = /port (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`the fixture server exited (${code})`)));
  });
  return { proc, port };
}

const end = async (proc: ChildProcess) => {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGCONT');
  proc.kill('SIGKILL');
  await new Promise((r) => proc.once('exit', r));
};

after(async () => {
  for (const p of children) await end(p);
});

describe('the sidecar’s probes', () => {
  it('grpc: SERVING passes; NOT_SERVING, a frozen server and a killed one fail, each within the bound', async () => {
    const { proc, port } = await server();
    const probe = grpcHealthProbe(`127.0.0.1:${port}`);
    try {
      assert.deepEqual((await probe.check(2000)).detail, 'SERVING');
      proc.kill('SIGSTOP');
      const frozen = await probe.check(400);
      assert.equal(frozen.ok, false, 'a frozen server does not pass');
      assert.ok(frozen.ms < 1000, `gave up after ${frozen.ms} ms, bound 400`);
      proc.kill('SIGCONT');
      assert.equal((await probe.check(2000)).ok, true, 'it passes again once it runs');
      await end(proc);
      const dead = await probe.check(400);
      assert.equal(dead.ok, false);
      assert.match(dead.detail, /^error: /);
    } finally {
      probe.close();
    }
    const sick = await server({ LAB_HEALTH_STATUS: 'NOT_SERVING' });
    const p2 = grpcHealthProbe(`127.0.0.1:${sick.port}`);
    try {
      const r = await p2.check(2000);
      assert.deepEqual([r.ok, r.detail], [false, 'NOT_SERVING']);
    } finally {
      p2.close();
      await end(sick.proc);
    }
  });

  it('tcp: a frozen server still takes a TCP connect, but its HTTP/2 PING gets no answer; a killed one is refused', async () => {
    const { proc, port } = await server();
    const probe = h2PingProbe(`127.0.0.1:${port}`);
    try {
      assert.equal((await probe.check(2000)).ok, true);
      proc.kill('SIGSTOP');
      // What a connect-only check would see: the kernel completes the handshake for the frozen process.
      const connected = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
        s.on('error', () => resolve(false));
      });
      assert.equal(connected, true, 'the frozen server’s port still takes a connect');
      const frozen = await probe.check(400);
      assert.deepEqual([frozen.ok, frozen.detail], [false, 'no answer to an HTTP/2 PING within 400 ms']);
      // Each probe connects afresh: the next one fails the same way.
      assert.equal((await probe.check(400)).ok, false);
      proc.kill('SIGCONT');
      assert.equal(await eventually('the PING is answered again', async () => (await probe.check(1000)).ok), true);
      await end(proc);
      const dead = await probe.check(400);
      assert.deepEqual([dead.ok, dead.detail], [false, 'ECONNREFUSED']);
    } finally {
      probe.close();
    }
  });

  it('the monitor says when the answer flips, and only then', async () => {
    const { proc, port } = await server();
    const flips: boolean[] = [];
    let probes = 0;
    const m = new Monitor(h2PingProbe(`127.0.0.1:${port}`), { intervalMs: 150, boundMs: 150 }, { changed: (ok) => flips.push(ok), probed: () => probes++ });
    m.start();
    try {
      await eventually('a first answer', async () => flips.length === 1);
      await eventually('three more probes', async () => probes >= 4);
      assert.deepEqual(flips, [true], 'steady answers flip nothing');
      proc.kill('SIGSTOP');
      await eventually('the freeze seen', async () => flips.length === 2);
      proc.kill('SIGCONT');
      await eventually('the thaw seen', async () => flips.length === 3);
      assert.deepEqual(flips, [true, false, true]);
    } finally {
      await m.stop();
      await end(proc);
    }
  });

  it('refuses a bound longer than its interval, and a sidecar without its server’s port', () => {
    assert.throws(() => new Monitor(h2PingProbe('127.0.0.1:1'), { intervalMs: 100, boundMs: 200 }), /at most its interval/);
    assert.throws(() => sidecarConfigFromEnv({ LAB_ID: 'greeter-1' }), /LAB_SERVER_PORT is not set/);
    assert.throws(() => sidecarConfigFromEnv({ LAB_SERVER_PORT: '50051', LAB_HEALTH: 'http' }), /expected grpc or tcp/);
  });
});

describe('the sidecar’s etcd registration lives only while its server answers', () => {
  let etcd: Awaited<ReturnType<typeof hostEtcd>>;
  before(async () => {
    etcd = await hostEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  for (const health of ['grpc', 'tcp'] as const)
    it(`health ${health}: registered while it answers, gone within the TTL once frozen (and not put back meanwhile), back once it runs`, async () => {
      const { proc, port } = await server();
      const cfg: SidecarConfig = {
        id: 'greeter-1',
        service: 'greeter',
        port: 0,
        bind: '127.0.0.1',
        hostAddress: '127.0.0.1:0',
        clusterAddress: 'greeter-1:50051',
        weight: 1,
        zone: '',
        etcd: { endpoints: [etcd.endpoint], prefix: `/lab-test-${health}`, leaseTtlSeconds: 2 },
        serverPort: port,
        controlPort: 0,
        health,
        probeIntervalMs: 250,
        probeBoundMs: 250,
      };
      const key = `/lab-test-${health}/greeter/greeter-1`;
      const reader = openEtcd([etcd.endpoint]);
      let sidecar: Sidecar | undefined;
      try {
        sidecar = await startSidecar(cfg, () => undefined);
        const value = await eventually(
          'registered',
          () =>
            reader
              .get(key)
              .string()
              .then((v) => v ?? false),
          10_000,
        );
        assert.equal(JSON.parse(value).id, 'greeter-1');
        // Calls pass through the sidecar's link proxy to the server.
        const through = new Client(`127.0.0.1:${sidecar.port}`, credentials.createInsecure());
        const reply = await new Promise<Buffer>((resolve, reject) =>
          through.makeUnaryRequest(
            '/greet.Greeter/SayHello',
            (b: Buffer) => b,
            (b: Buffer) => b,
            Buffer.alloc(0),
            (err, res) => (err ? reject(err) : resolve(res!)),
          ),
        );
        through.close();
        assert.equal(reply.length, 0);

        proc.kill('SIGSTOP');
        const t0 = Date.now();
        await eventually('the key lapses', async () => (await reader.get(key).string()) === null, 10_000);
        const lapsed = Date.now() - t0;
        assert.ok(lapsed >= 1000, `the key went ${lapsed} ms after the freeze: before the lease could lapse, so something deleted it`);
        // While frozen, nothing puts it back.
        await new Promise((r) => setTimeout(r, 1200));
        assert.equal(await reader.get(key).string(), null, 'registered again while the server is frozen');
        assert.equal(sidecar.monitor.healthy, false);

        proc.kill('SIGCONT');
        await eventually('registered again once it answers', async () => (await reader.get(key).string()) !== null, 10_000);
      } finally {
        await sidecar?.stop();
        reader.close();
        await end(proc);
      }
      const left = openEtcd([etcd.endpoint]);
      assert.equal(await left.get(key).string(), null, 'the sidecar’s stop deregisters');
      left.close();
    });
});
