// The sidecar of a server the lab did not write (issue 29): its probes tell a frozen server from a
// live one (a TCP connect alone would not), and its etcd registration lives only while the server
// answers: a real gRPC server in a process of its own (frozen with SIGSTOP, killed with SIGKILL) and a
// real etcd from the host's binary.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { credentials, Client, Metadata } from '@grpc/grpc-js';
import { checkHealth } from '../../src/grpc/health.js';
import { EchoControl } from '../../src/grpc/echo-control.js';
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
        protoDir: path.join(ROOT, 'protos'),
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

describe('the sidecar drains its server', () => {
  let etcd: Awaited<ReturnType<typeof hostEtcd>>;
  before(async () => {
    etcd = await hostEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  it('drain: NOT_SERVING and deregistered at once while the server still runs; registered again only once a server, gone, answers again', async () => {
    const first = await server();
    const cfg: SidecarConfig = { ...sidecarCfg(first.port), etcd: { endpoints: [etcd.endpoint], prefix: '/lab-test-drain', leaseTtlSeconds: 3 } };
    const key = '/lab-test-drain/greeter/greeter-1';
    const reader = openEtcd([etcd.endpoint]);
    const sidecar = await startSidecar(cfg, () => undefined);
    const control = new EchoControl(`127.0.0.1:${sidecar.controlPort}`);
    const registered = async () => (await reader.get(key).string()) !== null;
    let second: { proc: ChildProcess; port: number } | undefined;
    try {
      await eventually('registered', registered, 10_000);
      const t0 = Date.now();
      const stats = await control.drain(2000);
      assert.equal(stats.serving, false);
      assert.equal(await registered(), false, 'the key goes with the drain, not at the lease’s end');
      assert.ok(Date.now() - t0 < 1500);
      assert.equal(await checkHealth(`127.0.0.1:${sidecar.controlPort}`, 1000), 'NOT_SERVING');
      // The server still answers its probes: it stays out all the same.
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal(sidecar.monitor.healthy, true);
      assert.equal(await registered(), false, 'registered again while drained');
      // The lab stops it; a server started again on its port answers, and is registered again.
      await end(first.proc);
      await eventually('the sidecar sees it gone', async () => !sidecar.monitor.healthy, 5000);
      second = await server({ PORT: String(first.port) });
      await eventually('registered again', registered, 10_000);
      assert.equal(await checkHealth(`127.0.0.1:${sidecar.controlPort}`, 1000), 'SERVING');
    } finally {
      control.close();
      await sidecar.stop();
      reader.close();
      if (second) await end(second.proc);
    }
  });
});

describe('the sidecar lets a drained server back in when the lab starts it again', () => {
  let etcd: Awaited<ReturnType<typeof hostEtcd>>;
  before(async () => {
    etcd = await hostEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  it('SERVING after a drain (the lab says so when it starts the server) registers it again, even if no probe saw it go', async () => {
    const fixture = await server();
    const cfg: SidecarConfig = { ...sidecarCfg(fixture.port), etcd: { endpoints: [etcd.endpoint], prefix: '/lab-test-release', leaseTtlSeconds: 3 } };
    const key = '/lab-test-release/greeter/greeter-1';
    const reader = openEtcd([etcd.endpoint]);
    const sidecar = await startSidecar(cfg, () => undefined);
    const control = new EchoControl(`127.0.0.1:${sidecar.controlPort}`);
    const registered = async () => (await reader.get(key).string()) !== null;
    try {
      await eventually('registered', registered, 10_000);
      await control.drain(2000);
      assert.equal(await registered(), false);
      // A new caller connection is refused while drained.
      const c = new Client(`127.0.0.1:${sidecar.port}`, credentials.createInsecure());
      assert.equal((await sayHello(c, undefined, 2000)).code, 14);
      c.close();
      await control.setHealth(true);
      await eventually('registered again', registered, 10_000);
      const again = new Client(`127.0.0.1:${sidecar.port}`, credentials.createInsecure());
      assert.equal((await sayHello(again)).code, 0);
      again.close();
    } finally {
      control.close();
      await sidecar.stop();
      reader.close();
      await end(fixture.proc);
    }
  });
});

/** A sidecar in this process beside a fixture server, with no registry. */
function sidecarCfg(serverPort: number): SidecarConfig {
  return {
    id: 'greeter-1',
    service: 'greeter',
    port: 0,
    bind: '127.0.0.1',
    hostAddress: '127.0.0.1:0',
    clusterAddress: 'greeter-1:50051',
    protoDir: path.join(ROOT, 'protos'),
    weight: 1,
    zone: '',
    serverPort,
    controlPort: 0,
    health: 'grpc',
    probeIntervalMs: 200,
    probeBoundMs: 200,
  };
}

type Outcome = { code: number; ms: number; details: string };

/** One SayHello through `client`, tagged with x-lab-client when `tag` is given. */
function sayHello(client: Client, tag?: string, deadlineMs = 3000): Promise<Outcome> {
  const md = new Metadata();
  if (tag) md.set('x-lab-client', tag);
  const t0 = performance.now();
  return new Promise((resolve) =>
    client.makeUnaryRequest(
      '/greet.Greeter/SayHello',
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.alloc(0),
      md,
      { deadline: Date.now() + deadlineMs },
      (err) => resolve({ code: err?.code ?? 0, ms: performance.now() - t0, details: err?.details ?? '' }),
    ),
  );
}

describe('the sidecar’s relay: what it served, call faults, link faults, health, a killed server', () => {
  let fixture: { proc: ChildProcess; port: number };
  let sidecar: Sidecar;
  let control: EchoControl;
  before(async () => {
    fixture = await server();
    sidecar = await startSidecar(sidecarCfg(fixture.port), () => undefined);
    control = new EchoControl(`127.0.0.1:${sidecar.controlPort}`);
  });
  after(async () => {
    control?.close();
    await sidecar?.stop();
    if (fixture) await end(fixture.proc);
  });

  it('counts what it served per x-lab-client, equal to what each client counted itself', async () => {
    const a = new Client(`127.0.0.1:${sidecar.port}`, credentials.createInsecure());
    const b = new Client(`127.0.0.1:${sidecar.port}`, credentials.createInsecure());
    try {
      const mine = { a: 0, b: 0, others: 0 };
      const calls: Array<Promise<void>> = [];
      for (let i = 0; i < 30; i++) calls.push(sayHello(a, 'alpha').then((o) => void (o.code === 0 && mine.a++)));
      for (let i = 0; i < 17; i++) calls.push(sayHello(b, 'beta').then((o) => void (o.code === 0 && mine.b++)));
      for (let i = 0; i < 5; i++) calls.push(sayHello(b).then((o) => void (o.code === 0 && mine.others++)));
      await Promise.all(calls);
      const report = await control.getServed();
      const by = Object.fromEntries(report.clients.map((c) => [c.client, Number(c.ok)]));
      assert.deepEqual(by, { alpha: mine.a, beta: mine.b, others: mine.others });
      assert.deepEqual(mine, { a: 30, b: 17, others: 5 });
      assert.equal(Number(report.finished), 52);
    } finally {
      a.close();
      b.close();
    }
  });

  it('aborts and delays a method’s calls as set, counts the aborts as served errors, and clears', async () => {
    const c = new Client(`127.0.0.1:${sidecar.port}`, credentials.createInsecure());
    try {
      await control.setCallFaults([{ method: '/greet.Greeter/SayHello', abortCode: 14, abortPercent: 100 }]);
      const aborted = await sayHello(c, 'gamma');
      assert.equal(aborted.code, 14);
      assert.match(aborted.details, /aborted by greeter-1's sidecar/);
      await control.setCallFaults([{ method: '/greet.Greeter/*', delayMs: 300, delayPercent: 100 }]);
      const delayed = await sayHello(c, 'gamma');
      assert.equal(delayed.code, 0);
      assert.ok(delayed.ms >= 290, `a 300 ms delay took ${delayed.ms.toFixed(0)} ms`);
      // A delay longer than the caller's deadline: the caller gives up, the sidecar counts it CANCELLED.
      await control.setCallFaults([{ method: '*', delayMs: 2000, delayPercent: 100 }]);
      const late = await sayHello(c, 'gamma', 300);
      assert.equal(late.code, 4);
      await control.setCallFaults([]);
      assert.equal((await sayHello(c, 'gamma')).code, 0);
      const gamma = (await control.getServed()).clients.find((x) => x.client === 'gamma')!;
      assert.equal(Number(gamma.ok), 2);
      assert.equal(Number(gamma.errors.UNAVAILABLE), 1);
      await eventually('the deadline-exceeded call counted', async () => {
        const g = (await control.getServed()).clients.find((x) => x.client === 'gamma')!;
        return Number(g.errors.CANCELLED) === 1;
      });
      await assert.rejects(control.setCallFaults([{ method: 'SayHello', abortCode: 14, abortPercent: 100 }]), /a method is \/package.Service\/Method/);
      await assert.rejects(control.setFault({ latencyMs: 10 }), /is a server of yours: it has no echo knobs/);
    } finally {
      c.close();
    }
  });

  it('a link latency shows in every call, and is cleared', async () => {
    const c = new Client(`127.0.0.1:${sidecar.port}`, credentials.createInsecure());
    try {
      assert.equal((await sayHello(c)).code, 0);
      await control.setLinkFault({ latencyMs: 150, direction: 'down' });
      const slow = await sayHello(c);
      assert.ok(slow.code === 0 && slow.ms >= 140, `a 150 ms link latency: ${slow.ms.toFixed(0)} ms`);
      await control.setLinkFault({});
      const fast = await sayHello(c);
      assert.ok(fast.code === 0 && fast.ms < 140, `cleared: ${fast.ms.toFixed(0)} ms`);
    } finally {
      c.close();
    }
  });

  it('health set NOT_SERVING holds while the server answers, and goes back to what the probe finds', async () => {
    const ask = () => checkHealth(`127.0.0.1:${sidecar.controlPort}`, 1000);
    await eventually('SERVING', async () => (await ask()) === 'SERVING');
    await control.setHealth(false);
    assert.equal(await ask(), 'NOT_SERVING');
    assert.equal(sidecar.monitor.healthy, true, 'the server still answers its probe');
    await control.setHealth(true);
    assert.equal(await ask(), 'SERVING');
  });

  it('a killed server: a new connection is refused at once, not kept open', async () => {
    const c = new Client(`127.0.0.1:${sidecar.port}`, credentials.createInsecure());
    try {
      assert.equal((await sayHello(c)).code, 0);
      await end(fixture.proc);
      const fresh = new Client(`127.0.0.1:${sidecar.port}`, credentials.createInsecure());
      const t0 = performance.now();
      const r = await sayHello(fresh, undefined, 5000);
      fresh.close();
      assert.equal(r.code, 14, `a call to a killed server: ${r.code} ${r.details}`);
      assert.ok(performance.now() - t0 < 2000, 'refused at once, not at the deadline');
      const old = await sayHello(c, undefined, 5000);
      assert.equal(old.code, 14, 'the connection made before the kill fails too');
    } finally {
      c.close();
    }
  });
});

describe('the sidecar’s relay is as transparent as a direct connection where the server decides', () => {
  const through = async (env: Record<string, string>, fn: (port: number, control: EchoControl, proc: ChildProcess) => Promise<void>) => {
    const fixture = await server(env);
    const sidecar = await startSidecar(sidecarCfg(fixture.port), () => undefined);
    const control = new EchoControl(`127.0.0.1:${sidecar.controlPort}`);
    try {
      await fn(sidecar.port, control, fixture.proc);
    } finally {
      control.close();
      await sidecar.stop();
      await end(fixture.proc);
    }
  };

  it('at the server’s stream limit, calls wait for a stream (none fails), as on a direct connection', async () => {
    await through({ LAB_MAX_STREAMS: '2', LAB_DELAY_MS: '100' }, async (port, control) => {
      const c = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
      try {
        const t0 = performance.now();
        const all = await Promise.all(Array.from({ length: 6 }, () => sayHello(c, 'limit')));
        assert.deepEqual(
          all.map((o) => o.code),
          [0, 0, 0, 0, 0, 0],
          all.map((o) => o.details).join('; '),
        );
        assert.ok(performance.now() - t0 >= 290, 'two at a time: three rounds of 100 ms');
        const mine = (await control.getServed()).clients.find((x) => x.client === 'limit')!;
        assert.deepEqual([Number(mine.calls), Number(mine.ok)], [6, 6]);
      } finally {
        c.close();
      }
    });
  });

  it('the server’s max_connection_age GOAWAYs: delayed calls are refused and retried, none fails, none is counted twice', async () => {
    await through({ LAB_MAX_AGE_MS: '300' }, async (port, control) => {
      await control.setCallFaults([{ method: '*', delayMs: 150, delayPercent: 100 }]);
      const c = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
      try {
        let ok = 0;
        const failed: string[] = [];
        const worker = async () => {
          const until = performance.now() + 2000;
          while (performance.now() < until) {
            const o = await sayHello(c, 'aged');
            if (o.code === 0) ok++;
            else failed.push(`${o.code} ${o.details}`);
          }
        };
        await Promise.all([worker(), worker(), worker(), worker()]);
        assert.deepEqual(failed, []);
        assert.ok(ok >= 20, `${ok} calls`);
        const mine = (await control.getServed()).clients.find((x) => x.client === 'aged')!;
        assert.deepEqual([Number(mine.calls), Number(mine.ok)], [ok, ok], 'the sidecar counted each call the client made, once');
      } finally {
        c.close();
      }
    });
  });

  it('a caller’s keepalive PING goes to the server: a frozen server is found out by it, not only by the deadline', async () => {
    await through({}, async (port, _control, proc) => {
      const c = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), { 'grpc.keepalive_time_ms': 300, 'grpc.keepalive_timeout_ms': 300 });
      try {
        assert.equal((await sayHello(c)).code, 0);
        proc.kill('SIGSTOP');
        const stuck = await sayHello(c, undefined, 8000);
        proc.kill('SIGCONT');
        assert.equal(stuck.code, 14, `${stuck.code} ${stuck.details}`);
        assert.ok(stuck.ms < 4000, `the keepalive found the freeze after ${stuck.ms.toFixed(0)} ms (the deadline was 8 s)`);
      } finally {
        c.close();
      }
    });
  });
});
