// The lab's resolvers against the real sandbox: etcd (add, delete, outage), Consul (a failing
// check drops a backend only with healthy=true), and grpc-js's dns: resolver against Consul's DNS.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { down, getRuntime, up } from '../../src/sandbox/index.js';
import { EchoControl } from '../../src/grpc/index.js';
import { TrafficClient, type TrafficEvent } from '../../src/traffic/index.js';
import { ETCD_ENDPOINTS_OPTION } from '../../src/traffic/resolvers/resolver-etcd.js';
import { CONSUL_ADDRESS_OPTION } from '../../src/traffic/resolvers/resolver-consul.js';
import { eventually, leftovers, testTopology, testTopologyFile } from '../helpers/lab.js';

setupLab();

const PROJECT = 'labres';
const ETCD = '127.81.0.2:2379';
const CONSUL = '127.81.0.3:8500';
const addr = (n: number) => `127.81.1.${n}:50051`;

/** A running client that records its events; `until` waits for one matching event. */
function client(target: string, lb = 'round_robin', lbConfig: object = {}) {
  const events: TrafficEvent[] = [];
  const waiters: Array<{ test: (e: TrafficEvent) => boolean; resolve: (e: TrafficEvent) => void }> = [];
  const c = new TrafficClient({
    name: target,
    target,
    serviceConfig: { loadBalancingConfig: [{ [lb]: lbConfig }] },
    concurrency: 4,
    bucketMs: 250,
    channelOptions: { [ETCD_ENDPOINTS_OPTION]: ETCD, [CONSUL_ADDRESS_OPTION]: CONSUL },
  });
  c.on('event', (e) => {
    events.push(e);
    for (const w of [...waiters])
      if (w.test(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
  });
  c.start();
  let mark = 0;
  /** Waits for an event passing `test` among those since the last mark(), or a later one. */
  const until = (what: string, test: (e: TrafficEvent) => boolean, ms = 15_000) =>
    Promise.race([
      new Promise<TrafficEvent>((resolve) => {
        const seen = events.slice(mark).find(test);
        if (seen) resolve(seen);
        else waiters.push({ test, resolve });
      }),
      sleep(ms).then(() => {
        throw new Error(
          `${what}: no such event within ${ms} ms; resolutions seen: ${JSON.stringify(events.filter((e) => e.type === 'resolution').map((e) => (e.type === 'resolution' ? e.addresses : [])))}`,
        );
      }),
    ]);
  const resolvedTo = (addresses: string[]) => (e: TrafficEvent) =>
    e.type === 'resolution' && JSON.stringify([...e.addresses].sort()) === JSON.stringify([...addresses].sort());
  /** Calls per backend in the buckets after `t`. */
  const callsSince = (t: number) => {
    const out: Record<string, number> = {};
    for (const e of events) if (e.type === 'bucket' && e.t > t) for (const [b, s] of Object.entries(e.backends)) out[b] = (out[b] ?? 0) + s.calls;
    return out;
  };
  return { c, events, until, resolvedTo, callsSince, mark: () => void (mark = events.length) };
}

describe('resolvers against the real sandbox', () => {
  const rt = getRuntime();
  const file = testTopologyFile(PROJECT, 81);

  before(async () => {
    await down(rt, PROJECT);
    await up(rt, testTopology(file));
  });
  after(async () => {
    await down(rt, PROJECT);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
  });

  it('etcd: the initial list, a backend added by scaling, a deleted key', async () => {
    const k = client('etcd:///echo');
    try {
      await k.until('initial list', k.resolvedTo([addr(1), addr(2), addr(3)]));
      k.mark();
      await up(rt, testTopology(file, 4));
      await k.until('echo-4 added', k.resolvedTo([addr(1), addr(2), addr(3), addr(4)]));
      const t = k.c.elapsedMs;
      await sleep(700);
      assert.ok((k.callsSince(t)['echo-4'] ?? 0) > 0, 'echo-4 gets traffic');
      const etcd = new Etcd3({ hosts: `http://${ETCD}` });
      k.mark();
      await etcd.delete().key('/lab/services/echo/echo-4');
      etcd.close();
      await k.until('echo-4 removed with its key', k.resolvedTo([addr(1), addr(2), addr(3)]));
      k.mark();
      // ...and the echo server puts its key back (seed 001), so it returns.
      await k.until('echo-4 back', k.resolvedTo([addr(1), addr(2), addr(3), addr(4)]));
    } finally {
      await k.c.stop();
      await up(rt, testTopology(file));
    }
  });

  it('etcd: an outage keeps the list (no empty list, no resolver-caused errors) and resyncs after', async () => {
    const k = client('etcd:///echo');
    let etcdId = '';
    try {
      await k.until('initial list', k.resolvedTo([addr(1), addr(2), addr(3)]));
      etcdId = (await rt.listContainers({ 'dev.lab.project': PROJECT, 'dev.lab.instance': 'etcd' }))[0].id;
      await rt.stopContainer(etcdId, 1);
      const outageStart = k.c.elapsedMs;
      await k.until('the outage is reported', (e) => e.type === 'resolver-error');
      await sleep(2000);
      const during = k.callsSince(outageStart);
      assert.ok(Object.keys(during).length === 3, `traffic went on to all three: ${JSON.stringify(during)}`);
      // During the outage the list stayed whole: no resolution at all, or only whole ones.
      const duringOutage = k.events.filter((e) => e.type === 'resolution' && e.t > outageStart);
      assert.ok(
        duringOutage.every((e) => e.type === 'resolution' && e.addresses.length === 3),
        'the outage did not shrink or empty the list',
      );
      // etcd comes back with its data (an anonymous volume) and the echo servers' leases may have run
      // out meanwhile, so they register again; the resolver resyncs from scratch and ends with all three.
      await rt.startContainer(etcdId);
      await k.until(
        'resynced to all three',
        (e) => e.type === 'resolution' && e.t > outageStart && e.addresses.length === 3 && /resynced|put/.test(e.note),
        30_000,
      );
      const errors = k.c.stats.totals().total.errors;
      assert.deepEqual(errors, {}, 'no call failed because of the outage');
    } finally {
      await k.c.stop();
      // Whatever happened, etcd runs again and the echo servers are registered for the next tests.
      if (etcdId) await rt.startContainer(etcdId).catch(() => undefined);
      await up(rt, testTopology(file));
    }
  });

  it('consul with healthy=true drops a backend whose check fails; healthy=false keeps sending to it', async () => {
    const healthy = client('consul:///echo?healthy=true&wait=5s');
    const all = client('consul:///echo?wait=5s');
    const ctl = new EchoControl(addr(2));
    try {
      await healthy.until('initial list', healthy.resolvedTo([addr(1), addr(2), addr(3)]));
      await all.until('initial list', all.resolvedTo([addr(1), addr(2), addr(3)]));
      healthy.mark();
      await ctl.setHealth(false);
      await healthy.until('echo-2 dropped', healthy.resolvedTo([addr(1), addr(3)]));
      const t = healthy.c.elapsedMs;
      await sleep(900);
      // From the first whole bucket (250 ms) after the drop.
      assert.equal(healthy.callsSince(t + 300)['echo-2'] ?? 0, 0, 'healthy=true sends nothing to echo-2');
      assert.ok((all.callsSince(all.c.elapsedMs - 700)['echo-2'] ?? 0) > 0, 'healthy=false still sends to echo-2');
      healthy.mark();
      await ctl.setHealth(true);
      await healthy.until('echo-2 back', healthy.resolvedTo([addr(1), addr(2), addr(3)]));
    } finally {
      await ctl.setHealth(true).catch(() => undefined);
      ctl.close();
      await Promise.all([healthy.c.stop(), all.c.stop()]);
    }
  });

  it("counting is exact: per backend, the driver's attempts equal what each echo server reports through its control service", async () => {
    const ctls = [1, 2, 3].map((n) => new EchoControl(addr(n)));
    try {
      await Promise.all(ctls.map((c) => c.resetStats()));
      const k = client('etcd:///echo');
      await sleep(1500);
      await k.c.stop();
      const stats = await Promise.all(ctls.map((c) => c.getStats()));
      const totals = k.c.stats.totals();
      for (const [i, s] of stats.entries()) {
        assert.equal(k.c.stats.attemptsByAddress.get(addr(i + 1)), Number(s.calls), `${s.id}`);
        assert.equal(totals.backends[s.id].calls, Number(s.calls), `${s.id}`);
      }
    } finally {
      for (const c of ctls) c.close();
    }
  });

  it('weighted_round_robin (ORCA, out of band) moves traffic off a backend that costs more CPU per call; round_robin does not', async () => {
    const ctl = new EchoControl(addr(1));
    const wrrConfig = { enable_oob_load_report: true, oob_load_reporting_period: '0.5s', blackout_period: '0.5s', weight_update_period: '0.2s' };
    try {
      await ctl.setFault({ cpuBurnUs: 600 });
      const wrr = client('etcd:///echo', 'weighted_round_robin', wrrConfig);
      const rr = client('etcd:///echo', 'round_robin');
      const share = (k: typeof wrr, since: number) => {
        const calls = k.callsSince(since);
        const total = Object.values(calls).reduce((a, b) => a + b, 0);
        return total ? (calls['echo-1'] ?? 0) / total : 1;
      };
      // Weights come from ORCA reports and settle after the blackout: wait for it (with a deadline),
      // judging each time the last 1.5 s, rather than after a fixed sleep a busy machine can outrun.
      let wrrShare = 1;
      await eventually('weighted_round_robin moves traffic off echo-1', async () => {
        await sleep(500);
        const t = wrr.c.elapsedMs - 1500;
        wrrShare = t > 0 ? share(wrr, t) : 1;
        return wrrShare < 0.2;
      }).catch(() => undefined);
      const rrShare = share(rr, rr.c.elapsedMs - 1500);
      await Promise.all([wrr.c.stop(), rr.c.stop()]);
      assert.ok(wrrShare < 0.2, `weighted_round_robin still sends ${(wrrShare * 100).toFixed(1)}% to the expensive backend`);
      assert.ok(Math.abs(rrShare - 1 / 3) < 0.05, `round_robin sends ${(rrShare * 100).toFixed(1)}% to it`);
    } finally {
      await ctl.setFault({}).catch(() => undefined);
      ctl.close();
    }
  });

  it("dns: grpc-js's resolver against Consul's DNS interface finds every echo's own address, all five of five", async () => {
    // Consul answers a plain UDP query (c-ares sends no EDNS) with a random 3 of the healthy
    // instances unless udp_answer_limit is lifted: with five, a dns: client would see three.
    await up(rt, testTopology(file, 5));
    const all = [1, 2, 3, 4, 5].map(addr);
    const d = client('dns://127.81.0.3:8600/echo.service.consul:50051');
    try {
      await d.until('resolved through Consul DNS to all five', d.resolvedTo(all));
      await sleep(500);
      assert.deepEqual(Object.keys(d.c.stats.totals().backends).sort(), ['echo-1', 'echo-2', 'echo-3', 'echo-4', 'echo-5']);
      const { Resolver } = await import('node:dns/promises');
      const r = new Resolver();
      r.setServers(['127.81.0.3:8600']);
      for (let i = 0; i < 5; i++) assert.equal((await r.resolve4('echo.service.consul')).length, 5, 'every answer holds all five');
    } finally {
      await d.c.stop();
      await up(rt, testTopology(file));
    }
  });
});
