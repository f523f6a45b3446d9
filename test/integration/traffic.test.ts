// The traffic engine against real grpc-js echo servers in this process: every balancer end to
// end, the four call kinds, retries, hedging, and counts checked against the servers' own.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TrafficClient, type TrafficClientSpec, type TrafficEvent } from '../../src/traffic/index.js';
import { startFleet, type Fleet } from '../helpers/echo-fleet.js';

setupLab();

/**
 * Runs a client for at least `ms` and until `minCalls` calls have finished (at most 20 s more, so a
 * busy machine gets the calls the assertions need instead of a fixed window), and returns it stopped.
 */
async function run(
  spec: Omit<TrafficClientSpec, 'name'> & { name?: string },
  ms: number,
  minCalls = 100,
): Promise<{ client: TrafficClient; events: TrafficEvent[] }> {
  const client = new TrafficClient({ name: 'test', concurrency: 4, ...spec });
  const events: TrafficEvent[] = [];
  client.on('event', (e) => events.push(e));
  client.start();
  await sleep(ms);
  const deadline = Date.now() + 20_000;
  while (client.stats.totals().total.calls < minCalls && Date.now() < deadline) await sleep(50);
  await client.stop();
  return { client, events };
}

describe('traffic engine on in-process echo servers', () => {
  let fleet: Fleet;
  before(async () => {
    fleet = await startFleet(3);
  });
  after(async () => {
    await fleet.stop();
  });

  for (const lb of [
    'pick_first',
    'round_robin',
    'weighted_round_robin',
    'random',
    'weighted_random',
    'wrr_smooth',
    'wrr_lvs',
    'least_request',
    'p2c_ewma',
    'lab_ring_hash',
    'health_checked',
  ]) {
    it(`${lb}: every call succeeds, and the driver's per-backend counts equal what each server counted`, async () => {
      for (const s of fleet.servers) s.counters.calls = 0;
      const lbConfig = lb === 'weighted_round_robin' ? { blackout_period: '0s' } : {};
      const { client } = await run(
        { target: fleet.target(), serviceConfig: { loadBalancingConfig: [{ [lb]: lbConfig }] }, hashKeys: lb === 'lab_ring_hash' ? 50 : undefined },
        600,
      );
      const totals = client.stats.totals();
      assert.ok(totals.total.calls > 50, `only ${totals.total.calls} calls`);
      assert.deepEqual(totals.total.errors, {});
      for (const s of fleet.servers) {
        assert.equal(totals.backends[s.id]?.calls ?? 0, s.counters.calls, `${s.id}: driver ${totals.backends[s.id]?.calls ?? 0}, server ${s.counters.calls}`);
        assert.equal(client.stats.attemptsByAddress.get(s.address) ?? 0, s.counters.calls);
      }
      const used = fleet.servers.filter((s) => s.counters.calls > 0).length;
      if (lb === 'pick_first') assert.equal(used, 1, 'pick_first uses one backend');
      else if (lb !== 'lab_ring_hash') assert.equal(used, 3, `${lb} spreads over all three`);
    });
  }

  for (const kind of ['server-stream', 'client-stream', 'bidi'] as const) {
    it(`${kind} calls complete and are counted per backend`, async () => {
      const { client } = await run({ target: fleet.target(), serviceConfig: { loadBalancingConfig: [{ round_robin: {} }] }, call: kind }, 400);
      const totals = client.stats.totals();
      assert.ok(totals.total.ok > 20);
      assert.deepEqual(totals.total.errors, {});
      assert.deepEqual(Object.keys(totals.backends).sort(), ['echo-1', 'echo-2', 'echo-3']);
    });
  }

  it('health_checked stops sending to a backend that turns NOT_SERVING; round_robin alone does not', async () => {
    const lb = (name: string) => ({ loadBalancingConfig: [{ [name]: {} }] });
    const checked = new TrafficClient({ name: 'hc', target: fleet.target(), serviceConfig: lb('health_checked'), concurrency: 4, bucketMs: 200 });
    const plain = new TrafficClient({ name: 'rr', target: fleet.target(), serviceConfig: lb('round_robin'), concurrency: 4, bucketMs: 200 });
    const buckets: Record<string, Array<Record<string, number>>> = { hc: [], rr: [] };
    for (const c of [checked, plain])
      c.on('event', (e) => e.type === 'bucket' && buckets[e.client].push(Object.fromEntries(Object.entries(e.backends).map(([k, v]) => [k, v.calls]))));
    checked.start();
    plain.start();
    await sleep(300);
    fleet.servers[1].health.setStatus('', 'NOT_SERVING');
    await sleep(1000);
    const after = (name: string) => buckets[name].slice(-3).reduce((n, b) => n + (b['echo-2'] ?? 0), 0);
    const hcAfter = after('hc');
    const rrAfter = after('rr');
    fleet.servers[1].health.setStatus('', 'SERVING');
    await Promise.all([checked.stop(), plain.stop()]);
    assert.equal(hcAfter, 0, 'health_checked sent calls to the NOT_SERVING backend');
    assert.ok(rrAfter > 0, 'round_robin keeps sending to it (it has no health checking)');
    assert.deepEqual(checked.stats.totals().total.errors, {});
  });

  it('reports the resolution, subchannels going READY, and buckets with every backend', async () => {
    const { events } = await run({ target: fleet.target(), serviceConfig: { loadBalancingConfig: [{ round_robin: {} }] }, bucketMs: 100 }, 450);
    const resolution = events.find((e) => e.type === 'resolution');
    assert.deepEqual(
      resolution && resolution.type === 'resolution' && resolution.addresses,
      fleet.servers.map((s) => s.address),
    );
    const ready = events.filter((e) => e.type === 'subchannel' && e.state === 'READY').map((e) => (e.type === 'subchannel' ? e.address : ''));
    assert.deepEqual(ready.sort(), fleet.servers.map((s) => s.address).sort());
    const buckets = events.filter((e) => e.type === 'bucket');
    assert.ok(buckets.length >= 4);
    const mid = buckets[2];
    assert.ok(mid.type === 'bucket' && Object.keys(mid.backends).length === 3);
  });
});

describe('retries and hedging (seed 000)', () => {
  let fleet: Fleet;
  before(async () => {
    fleet = await startFleet(2, 'r');
  });
  after(async () => {
    await fleet.stop();
  });

  const retryPolicy = { maxAttempts: 4, initialBackoff: '0.01s', maxBackoff: '0.05s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] };

  it('without a retryPolicy, a server failing 2 of every 3 calls fails about 67% of them', async () => {
    await fleet.setFault(0, { failN: 2, failOfM: 3 });
    const { client } = await run({ target: fleet.target([0]), serviceConfig: { loadBalancingConfig: [{ pick_first: {} }] }, concurrency: 1 }, 400);
    await fleet.setFault(0, {});
    const t = client.stats.totals().total;
    const share = (t.errors.UNAVAILABLE ?? 0) / t.calls;
    assert.ok(Math.abs(share - 2 / 3) < 0.02, `${(share * 100).toFixed(1)}% failed`);
  });

  it('with maxAttempts 4, no call fails and every call shows its two retries', async () => {
    await fleet.setFault(0, { failN: 2, failOfM: 3 });
    fleet.servers[0].counters.calls = 0;
    const { client } = await run(
      {
        target: fleet.target([0]),
        serviceConfig: { loadBalancingConfig: [{ pick_first: {} }], methodConfig: [{ name: [{ service: 'grpc.examples.echo.Echo' }], retryPolicy }] },
        concurrency: 1,
      },
      400,
    );
    await fleet.setFault(0, {});
    const t = client.stats.totals().total;
    // Each call waits for two backoffs of random(0, 10..20 ms): a few dozen calls per second.
    assert.ok(t.calls > 5, `only ${t.calls} calls`);
    assert.deepEqual(t.errors, {});
    assert.equal(t.extraAttempts, 2 * t.calls, `${t.extraAttempts} extra attempts for ${t.calls} calls`);
    assert.equal(fleet.servers[0].counters.calls, 3 * t.calls, `server counted ${fleet.servers[0].counters.calls} attempts for ${t.calls} calls`);
  });

  it('hedging sends a second attempt after hedgingDelay and the faster answer wins', async () => {
    await fleet.setFault(0, { latencyMs: 300 });
    const hedged = await run(
      {
        target: fleet.target([0, 1]),
        serviceConfig: {
          loadBalancingConfig: [{ round_robin: {} }],
          methodConfig: [{ name: [{ service: 'grpc.examples.echo.Echo' }], hedgingPolicy: { maxAttempts: 2, hedgingDelay: '0.05s' } }],
        },
        // One call at a time: every first attempt goes to the slow backend, every hedge to the fast one.
        concurrency: 1,
        bucketMs: 200,
      },
      1200,
      0,
    );
    const plain = await run(
      { target: fleet.target([0, 1]), serviceConfig: { loadBalancingConfig: [{ round_robin: {} }] }, concurrency: 1, bucketMs: 200 },
      1200,
      0,
    );
    await fleet.setFault(0, {});
    const h = hedged.client.stats.totals().total;
    assert.deepEqual(h.errors, {});
    assert.ok(h.extraAttempts > 0, 'hedges are counted as extra attempts');
    // The typical call: ~hedgingDelay with hedging, not the slow backend's 300 ms.
    assert.ok(h.p50Ms < 100, `with hedging the median call took ${h.p50Ms} ms`);
    // Steady state (after 400 ms, connections up): without hedging every 200 ms bucket holds a call
    // that waited for the slow backend; with hedging at most one does (a stray hedge can land on it).
    const slowBuckets = (events: TrafficEvent[]) => events.filter((e) => e.type === 'bucket' && e.t > 400 && e.total.calls > 0 && e.total.maxMs >= 290).length;
    const steady = (events: TrafficEvent[]) => events.filter((e) => e.type === 'bucket' && e.t > 400 && e.total.calls > 0).length;
    assert.equal(slowBuckets(plain.events), steady(plain.events), 'without hedging, every bucket waits for the slow backend');
    assert.ok(slowBuckets(hedged.events) <= 1, `with hedging, ${slowBuckets(hedged.events)} of ${steady(hedged.events)} buckets waited for the slow backend`);
  });
});
