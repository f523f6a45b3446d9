// Server-side accounting on real grpc-js echo servers in this process: each server counts calls per
// x-lab-client identity (untagged ones as "others"), and the ServedWatcher folds the differences
// into bucket events that equal the servers' own counters exactly, from its baseline on.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Metadata } from '@grpc/grpc-js';
import { echoClient, EchoControl, unary } from '../../src/grpc/index.js';
import { ServedWatcher, TrafficClient, serviceConfigFrom, type TrafficEvent } from '../../src/traffic/index.js';
import { setTimeout as sleep } from 'node:timers/promises';
import net from 'node:net';
import path from 'node:path';
import { configFromEnv } from '../../src/echo/config.js';
import { startEcho } from '../../src/echo/server.js';
import { startFleet, type Fleet } from '../helpers/echo-fleet.js';
import { ROOT } from '../helpers/lab.js';

setupLab();

type Bucket = Extract<TrafficEvent, { type: 'bucket' }>;

async function untagged(address: string, n: number): Promise<void> {
  const c = echoClient(`ipv4:${address}`);
  for (let i = 0; i < n; i++) await unary((o, cb) => c.UnaryEcho({ message: 'x' }, new Metadata(), o, cb));
  c.close();
}

/** The lab's own client (it tags its calls with its name) for a while; returns the calls it made, as it counted them. */
async function driven(name: string, target: string, ms: number): Promise<number> {
  const c = new TrafficClient({ name, target, serviceConfig: serviceConfigFrom('round_robin'), rate: 400, deadlineMs: 2000 });
  let calls = 0;
  c.on('event', (e: TrafficEvent) => {
    if (e.type === 'bucket') calls += e.total.calls;
  });
  c.start();
  await sleep(ms);
  await c.stop(1000);
  return calls;
}

describe('server-side accounting (ServedWatcher over real echo servers)', () => {
  let fleet: Fleet;
  before(async () => {
    fleet = await startFleet(3, 'served');
  });
  after(async () => {
    await fleet.stop();
  });

  it('counts per client identity, exactly, from the baseline on; untagged calls are "others"', async () => {
    await untagged(fleet.servers[0].address, 7); // before the watcher: the baseline hides them
    await driven('gone', fleet.target(), 200); // a client that called before the watcher and is gone: no row
    const asked = new Set<string>();
    const controls = fleet.servers.map((s) => new EchoControl(s.address));
    const before = await Promise.all(controls.map((c) => c.getStats()));
    const buckets: Bucket[] = [];
    const t0 = performance.now();
    const w = new ServedWatcher({
      sources: () => fleet.servers.map((s) => ({ name: s.id, controlAddress: s.address })),
      clientOf: (id) => (asked.add(id), id === 'mine' || id === 'others' ? id : undefined),
      clients: ['mine'],
      bucketMs: 100,
      now: () => Math.round(performance.now() - t0),
      onEvent: (e) => e.type === 'bucket' && buckets.push(e),
    });
    await w.start();
    const mine = await driven('mine', fleet.target(), 1500);
    const notShownCalls = await driven('not-shown', fleet.target(), 300);
    await untagged(fleet.servers[1].address, 11);
    await w.stop();
    const after = await Promise.all(controls.map((c) => c.getStats()));
    controls.forEach((c) => c.close());

    const sum = (client: string, backend?: string) =>
      buckets.filter((b) => b.client === client).reduce((n, b) => n + (backend ? (b.backends[backend]?.calls ?? 0) : b.total.calls), 0);
    assert.ok(mine > 300, `the client made calls (${mine})`);
    assert.equal(sum('mine'), mine, 'every call of "mine", none of the baseline');
    assert.equal(sum('others'), 11);
    assert.ok(!asked.has('gone'), 'an identity with no calls since the baseline is not shown');
    assert.equal(sum('others', 'served-2'), 11);
    for (const [i, s] of fleet.servers.entries()) {
      const served = Number(after[i].calls) - Number(before[i].calls);
      const notShown = served - sum('mine', s.id) - sum('others', s.id);
      assert.ok(notShown >= 0 && notShown <= notShownCalls, `${s.id}: the watcher's counts are within the server's own (${served})`);
    }
    const total = fleet.servers.reduce((n, _, i) => n + Number(after[i].calls) - Number(before[i].calls), 0);
    assert.equal(total, mine + notShownCalls + 11, "the servers' own counters saw the same calls (from the baseline on)");
    // round_robin over three: each server got about a third of "mine"
    for (const s of fleet.servers) assert.ok(Math.abs(sum('mine', s.id) - mine / 3) <= mine * 0.05, `${s.id}: ${sum('mine', s.id)} of ${mine}`);
    const withCalls = buckets.filter((b) => b.client === 'mine' && b.total.calls > 0);
    assert.ok(withCalls.length >= 1 && withCalls.every((b) => b.total.p99Ms >= b.total.p50Ms && b.total.p50Ms > 0), 'served latency is carried');
  });

  it('reports injected failures by status name', async () => {
    await fleet.setFault(2, { errorRate: 1, errorCode: 14 });
    const buckets: Bucket[] = [];
    const w = new ServedWatcher({
      sources: () => [{ name: 'served-3', controlAddress: fleet.servers[2].address }],
      clientOf: (id) => (id === 'others' ? 'them' : undefined),
      bucketMs: 100,
      now: () => 0,
      onEvent: (e) => e.type === 'bucket' && buckets.push(e),
    });
    await w.start();
    const c = echoClient(`ipv4:${fleet.servers[2].address}`);
    for (let i = 0; i < 5; i++) await unary((o, cb) => c.UnaryEcho({ message: 'x' }, new Metadata(), o, cb)).catch(() => undefined);
    c.close();
    await w.stop();
    await fleet.setFault(2, {});
    const errors = buckets.reduce((n, b) => n + (b.total.errors.UNAVAILABLE ?? 0), 0);
    const calls = buckets.reduce((n, b) => n + b.total.calls, 0);
    assert.equal(calls, 5);
    assert.equal(errors, 5);
  });

  it('a server that restarts (a new incarnation) counts from zero again: no call is lost or counted twice', async () => {
    const start = (port: number) =>
      startEcho(configFromEnv({ LAB_ID: 'again', LAB_PORT: String(port), LAB_BIND: '127.0.0.1', LAB_PROTO_DIR: path.join(ROOT, 'protos') }));
    let echo = await start(0);
    const port = echo.port;
    const buckets: Bucket[] = [];
    const w = new ServedWatcher({
      sources: () => [{ name: 'again', controlAddress: `127.0.0.1:${port}` }],
      clientOf: (id) => id,
      bucketMs: 50,
      now: () => 0,
      onEvent: (e) => e.type === 'bucket' && buckets.push(e),
    });
    await w.start();
    await untagged(`127.0.0.1:${port}`, 40);
    await sleep(200); // polled: the watcher holds 40 of the first incarnation
    await echo.stop(50);
    echo = await start(port);
    await untagged(`127.0.0.1:${port}`, 25);
    await w.stop();
    await echo.stop(50);
    assert.equal(
      buckets.reduce((n, b) => n + b.total.calls, 0),
      65,
    );
  });

  it('a server slow to answer the baseline: what it served before the start is not counted; one started after the start counts from zero', async () => {
    const start = () => startEcho(configFromEnv({ LAB_ID: 'late', LAB_PORT: '0', LAB_BIND: '127.0.0.1', LAB_PROTO_DIR: path.join(ROOT, 'protos') }));
    const old = await start();
    await untagged(`127.0.0.1:${old.port}`, 9); // before the watcher
    // The watcher reaches the old server through a gate that holds every byte until opened: its
    // baseline polls (and their second, longer, try) get no answer.
    const held: net.Socket[] = [];
    const all = new Set<net.Socket>();
    let open = false;
    const gate = net.createServer((sock) => {
      const up = net.connect(old.port, '127.0.0.1');
      all.add(sock).add(up);
      const pass = () => {
        sock.pipe(up);
        up.pipe(sock);
      };
      if (open) pass();
      else held.push(Object.assign(sock, { pass }));
      sock.on('error', () => up.destroy());
      up.on('error', () => sock.destroy());
    });
    await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
    const gatePort = (gate.address() as net.AddressInfo).port;
    let young: Awaited<ReturnType<typeof start>> | undefined;
    const buckets: Bucket[] = [];
    const w = new ServedWatcher({
      sources: () => [
        { name: 'old', controlAddress: `127.0.0.1:${gatePort}` },
        ...(young ? [{ name: 'young', controlAddress: `127.0.0.1:${young.port}` }] : []),
      ],
      clientOf: (id) => id,
      bucketMs: 50,
      now: () => 0,
      onEvent: (e) => e.type === 'bucket' && buckets.push(e),
    });
    try {
      // The old server is older than the watcher by more than a poll's round trip (a server the lab
      // started before it watches is older by seconds): only within one round trip can it not tell.
      await sleep(300);
      await w.start();
      young = await start();
      await untagged(`127.0.0.1:${young.port}`, 6); // a server the watcher first hears from after its start
      open = true;
      for (const sock of held) (sock as net.Socket & { pass: () => void }).pass();
      await untagged(`127.0.0.1:${old.port}`, 4); // after the start, on the old server
      await sleep(300);
      await w.stop();
    } finally {
      gate.close();
      for (const sock of all) sock.destroy();
      await old.stop(50);
      await young?.stop(50);
    }
    const calls = (backend: string) => buckets.reduce((n, b) => n + (b.backends[backend]?.calls ?? 0), 0);
    assert.equal(calls('young'), 6, 'a server younger than the watcher: every call it served');
    assert.ok(calls('old') <= 4, `the old server: ${calls('old')} calls, of which at most the 4 after the start (its 9 before are not)`);
  });
});
