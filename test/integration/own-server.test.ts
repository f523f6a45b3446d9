// A server the lab did not write, as a backend (issue 29): three replicas of the grpc-go example
// server (examples/servers/go, helloworld.Greeter on grpc-go, with grpc-go's health service), each in
// its sidecar's network namespace. Its own client here is grpc-js with round_robin over the lab's
// etcd resolver, counting calls by the address it picked: the server says nothing of who it is.
//   - every replica is registered (etcd and Consul) and gets an even share;
//   - SIGKILL of one: left within a second, with a few errors at most; `docker start` brings it back;
//   - a frozen one (docker pause): its sidecar stops renewing its lease, so it is dropped within the
//     TTL plus the probe's bound, and stays out until it runs again;
//   - `lab down` removes every container and network, and keeps the server's image.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, credentials, type ServiceError } from '@grpc/grpc-js';
import { getRuntime } from '../../src/sandbox/index.js';
import { loadTopology } from '../../src/topology/load.js';
import { EtcdReader } from '../../src/sandbox/registry/etcd-reader.js';
import { EchoControl } from '../../src/grpc/echo-control.js';
import { eventually, lab, leftovers, ROOT } from '../helpers/lab.js';
import { serverTopologyFile } from '../helpers/own-server.js';

setupLab();

const PROJECT = 'labserver';
const OCTET = 87;

const topologyFile = () => serverTopologyFile(PROJECT, OCTET, 'go', 3);

/** grpc-js, round_robin over etcd:///greeter; calls per picked address, and errors, over a window. */
function greeterClient(etcd: string) {
  const c = new Client('etcd:///greeter', credentials.createInsecure(), {
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    'lab.etcd_endpoints': etcd,
  });
  let calls: Array<{ t: number; peer?: string; code?: number }> = [];
  let running = true;
  const worker = async () => {
    while (running) {
      await new Promise<void>((resolve) => {
        const call = c.makeUnaryRequest(
          '/helloworld.Greeter/SayHello',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.alloc(0),
          { deadline: Date.now() + 1000 },
          (err: ServiceError | null) => {
            calls.push(err ? { t: Date.now(), code: err.code } : { t: Date.now(), peer: call.getPeer() });
            resolve();
          },
        );
      });
      await sleep(2);
    }
  };
  const workers = Array.from({ length: 6 }, () => worker());
  return {
    /** Calls per address and errors since `since`. */
    window(since: number) {
      const recent = calls.filter((x) => x.t >= since);
      const per: Record<string, number> = {};
      for (const x of recent) if (x.peer) per[x.peer] = (per[x.peer] ?? 0) + 1;
      return { per, errors: recent.filter((x) => x.code !== undefined).length, total: recent.length };
    },
    trim() {
      calls = calls.filter((x) => x.t > Date.now() - 30_000);
    },
    async stop() {
      running = false;
      await Promise.all(workers);
      c.close();
    },
  };
}

describe('a server of yours in the lab: the grpc-go example behind the lab’s sidecars', () => {
  const rt = getRuntime();
  let file: string;
  let address: (n: number) => string;
  let etcd: string;

  before(async () => {
    execFileSync('sh', [path.join(ROOT, 'examples/servers/go/build.sh')], { stdio: 'inherit' });
    file = topologyFile();
    const t = loadTopology(file);
    etcd = t.etcd.hostAddress;
    address = (n) => t.instances.find((i) => i.name === `greeter-${n}`)!.hostAddress;
    await lab(['-f', file, 'down']);
    const r = await lab(['-f', file, 'up']);
    assert.equal(r.exitCode, 0, r.stderr + r.stdout);
  });
  after(async () => {
    const r = await lab(['-f', file, 'down']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
    // The server's image stays: the lab never removes an image.
    assert.ok(await rt.imageId(loadedImage()), 'the server’s image is kept');
  });

  const controls = new Map<number, EchoControl>();
  /** The control service of greeter-n's sidecar, at its host address's next port. */
  const control = (n: number) => {
    let c = controls.get(n);
    if (!c) {
      const [host, port] = address(n).split(':');
      controls.set(n, (c = new EchoControl(`${host}:${Number(port) + 1}`)));
    }
    return c;
  };
  after(() => {
    for (const c of controls.values()) c.close();
  });

  let image = '';
  const loadedImage = () => image;

  it('registers every replica in etcd and Consul, each at its own loopback address', async () => {
    const reader = new EtcdReader(etcd);
    try {
      const keys = await eventually('three keys', async () => {
        const list = await reader.entries('/lab/services/greeter/', { ttl: false });
        return list.length === 3 ? list : undefined;
      });
      assert.deepEqual(keys.map((k) => JSON.parse(k.value).host).sort(), [1, 2, 3].map(address));
    } finally {
      reader.close();
    }
    const consul = loadTopology(file).consul.hostAddress;
    const passing = (await (await fetch(`http://${consul}/v1/health/service/greeter?passing=true`)).json()) as Array<{ Service: { ID: string } }>;
    assert.deepEqual(passing.map((e) => e.Service.ID).sort(), ['greeter-1', 'greeter-2', 'greeter-3']);
    image = execFileSync('docker', ['inspect', '--format', '{{.Config.Image}}', `${PROJECT}-greeter-1`])
      .toString()
      .trim();
    assert.match(image, /^examples\/greeter-go:[0-9a-f]{16}$/);
  });

  it('round_robin through etcd is even; a SIGKILLed replica is left within a second; a restarted one comes back', async () => {
    const client = greeterClient(etcd);
    try {
      await sleep(1500);
      const t0 = Date.now();
      await sleep(2000);
      const even = client.window(t0);
      assert.equal(even.errors, 0);
      for (let n = 1; n <= 3; n++) {
        const share = (even.per[address(n)] ?? 0) / even.total;
        assert.ok(Math.abs(share - 1 / 3) < 0.05, `greeter-${n} had ${(share * 100).toFixed(1)}% of ${even.total} calls`);
      }
      const name = `${PROJECT}-greeter-2`;
      execFileSync('docker', ['kill', name]);
      const killed = Date.now();
      await sleep(1000);
      await sleep(1500);
      const late = client.window(killed + 1000);
      assert.equal(late.per[address(2)] ?? 0, 0, `greeter-2 still served ${late.per[address(2)]} calls a second after its kill`);
      const during = client.window(killed);
      assert.ok(during.errors <= 12, `${during.errors} errors after the kill`);
      // The sidecar keeps the address: the server started again joins it, and is registered again.
      execFileSync('docker', ['start', name]);
      const back = Date.now();
      await eventually('greeter-2 serves again', async () => (client.window(back).per[address(2)] ?? 0) > 20, 15_000);
    } finally {
      await client.stop();
    }
  });

  it('plays the example scenario: its client calls the server’s method, and every expectation is judged on its replicas', async () => {
    const r = await lab(['-f', file, 'play', '--json', path.join(ROOT, 'examples/servers/go/kill-and-freeze.yaml')], { timeout: 120_000 });
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
      ok: boolean;
      expectations: Array<{ text: string; state: string; saw: string; timeToHoldMs?: number }>;
    };
    assert.equal(r.exitCode, 0, `${r.stderr}\n${last.expectations.map((e) => `${e.state} ${e.text}: ${e.saw}`).join('\n')}`);
    assert.equal(last.ok, true);
    assert.deepEqual(
      last.expectations.map((e) => e.state),
      ['passed', 'passed', 'passed', 'passed', 'passed'],
    );
    // The frozen replica left when its lease lapsed (5 s), not before: its connection stayed up.
    const frozen = last.expectations.find((e) => e.text.includes('greeter-3 0'))!;
    assert.ok(frozen.timeToHoldMs! >= 3000, `greeter-3 was left ${frozen.timeToHoldMs} ms after its freeze`);
  });

  it('plays the faults example: a link latency shows in p99, a gRPC abort in errors, and a retry policy hides it', async () => {
    const r = await lab(['-f', file, 'play', '--json', path.join(ROOT, 'examples/servers/go/faults.yaml')], { timeout: 120_000 });
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ok: boolean; expectations: Array<{ text: string; state: string; saw: string }> };
    assert.equal(r.exitCode, 0, `${r.stderr}\n${last.expectations.map((e) => `${e.state} ${e.text}: ${e.saw}`).join('\n')}`);
    assert.deepEqual(
      last.expectations.map((e) => e.state),
      ['passed', 'passed', 'passed', 'passed'],
    );
    // The undo cleared both: a sidecar holds no fault after the run.
    for (const n of [1, 2]) {
      const stats = await control(n).getStats();
      assert.deepEqual([stats.link?.fault?.latencyMs ?? 0, stats.callFaults.length], [0, 0], `greeter-${n}'s sidecar after the run`);
    }
  });

  it('what the sidecars served per client equals what the client counted itself', async () => {
    const served = async () => {
      const per: Record<string, number> = {};
      for (const n of [1, 2, 3]) {
        const rep = await control(n).getServed();
        for (const c of rep.clients) if (c.client === 'traffic') per[`greeter-${n}`] = Number(c.calls);
      }
      return per;
    };
    const before = await served();
    const r = await lab(['-f', file, 'traffic', '--json', '-t', 'etcd:///greeter', '--method', '/helloworld.Greeter/SayHello', '-d', '3s']);
    assert.equal(r.exitCode, 0, r.stderr);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { backends: Record<string, { calls: number }> };
    const after = await served();
    const diff = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
    const own = Object.fromEntries(Object.entries(summary.backends).map(([k, v]) => [k, v.calls]));
    assert.ok(
      Object.values(own).every((n) => n > 100),
      JSON.stringify(own),
    );
    assert.deepEqual(diff, own);
  });

  it('health NOT_SERVING through the sidecar: Consul’s check goes critical while the server answers, and passes again', async () => {
    const consul = loadTopology(file).consul.hostAddress;
    const passing = async () =>
      ((await (await fetch(`http://${consul}/v1/health/service/greeter?passing=true`)).json()) as Array<{ Service: { ID: string } }>)
        .map((e) => e.Service.ID)
        .sort();
    await control(2).setHealth(false);
    try {
      await eventually('greeter-2 critical', async () => !(await passing()).includes('greeter-2'), 15_000);
      assert.equal((await control(2).getStats()).serving, false);
    } finally {
      await control(2).setHealth(true);
    }
    await eventually('greeter-2 passing again', async () => (await passing()).includes('greeter-2'), 15_000);
  });

  it('a frozen replica loses its lease (TTL + the probe’s bound) and is not registered again until it runs', async () => {
    const reader = new EtcdReader(etcd);
    const key = '/lab/services/greeter/greeter-3';
    const has = async () => (await reader.entries('/lab/services/greeter/', { ttl: false })).some((k) => k.key === key);
    const t = loadTopology(file);
    const ttl = t.registration.leaseTtlMs;
    try {
      await eventually('greeter-3 registered', has);
      execFileSync('docker', ['pause', `${PROJECT}-greeter-3`]);
      const frozen = Date.now();
      await eventually('greeter-3 dropped', async () => !(await has()), ttl + 10_000);
      const took = Date.now() - frozen;
      // Not before a lease could lapse: nothing deleted it on purpose (the bound is 1 s by default).
      assert.ok(took >= ttl - 2000 - 1000, `dropped ${took} ms after the freeze; the TTL is ${ttl} ms`);
      await sleep(2000);
      assert.equal(await has(), false, 'registered again while frozen');
      execFileSync('docker', ['unpause', `${PROJECT}-greeter-3`]);
      await eventually('greeter-3 registered again', has, 10_000);
    } finally {
      try {
        execFileSync('docker', ['unpause', `${PROJECT}-greeter-3`], { stdio: 'ignore' });
      } catch {
        // running already
      }
      reader.close();
    }
  });
});
