// The lab's xDS control plane, as a real container of the sandbox (project labxds on 127.91.x.y),
// fed by the real Consul, serving real xDS clients: grpc-js-xds clients in this process (each with
// its own bootstrap, as the lab's are) and gRPC C-core (Debian's python3-grpcio) with the bootstrap
// `lab xds bootstrap` prints. Every push must move the clients' traffic; an outage loses no call; a
// NACK leaves traffic as it was and is reported; the load reports equal what the client counted.
// Zones: echo-1 and echo-2 in a, echo-3 in b. xDS balances localities first (wrr_locality), then
// endpoints within one: with equal locality weights, echo-3 alone gets as much as a's two together.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { down, getRuntime, projectSelector, up } from '../../src/sandbox/index.js';
import { loadTopology } from '../../src/topology/load.js';
import { EchoControl } from '../../src/grpc/index.js';
import { serviceConfigFrom, TrafficClient, xdsChannelOptions, type TrafficEvent } from '../../src/traffic/index.js';
import { DEFAULT_POLICY, type XdsPolicy } from '../../src/wire/xds-policy.js';
import { XdsControl } from '../../src/xds/index.js';
import { eventually, lab, leftovers, ROOT, tempDir, testTopologyFile } from '../helpers/lab.js';

setupLab();
// The lab's CLI exits 3 s after a command ends even when a handle is left open; here a leak must show as a hang.
process.env.LAB_STRICT_EXIT = '1';

const PROJECT = 'labxds';
const XDS = '127.91.0.6:18000';
let nodes = 0;

/** A grpc-js-xds client of the sandbox's control plane (its own node id), recording its buckets. */
function xdsClient(opts: { concurrency?: number; metadata?: Record<string, string>; hashKeys?: number } = {}) {
  const nodeId = `labxds-test/${process.pid}/${++nodes}`;
  const events: TrafficEvent[] = [];
  const c = new TrafficClient({
    name: `xds-${nodes}`,
    target: 'xds:///echo',
    serviceConfig: serviceConfigFrom('round_robin'),
    concurrency: opts.concurrency ?? 8,
    metadata: opts.metadata,
    hashKeys: opts.hashKeys,
    bucketMs: 100,
    channelOptions: xdsChannelOptions({ server: XDS, nodeId }),
  });
  c.on('event', (e) => events.push(e));
  c.start();
  /** Calls and errors per backend over the last `ms` of buckets. */
  const last = (ms: number) => {
    const buckets = events.filter((e): e is Extract<TrafficEvent, { type: 'bucket' }> => e.type === 'bucket');
    const end = buckets[buckets.length - 1]?.t ?? 0;
    const calls: Record<string, number> = {};
    let total = 0;
    let errors = 0;
    for (const b of buckets.filter((x) => x.t > end - ms)) {
      total += b.total.calls;
      errors += b.total.calls - b.total.ok;
      for (const [name, s] of Object.entries(b.backends)) calls[name] = (calls[name] ?? 0) + s.calls;
    }
    const share = (name: string) => (total ? (calls[name] ?? 0) / total : 0);
    return { calls, total, errors, share, text: `${JSON.stringify(calls)} errors ${errors}/${total}` };
  };
  /** Waits until the last second of traffic passes `test`; says what it saw when it never does. */
  const until = async (what: string, test: (w: ReturnType<typeof last>) => boolean, ms = 15_000) => {
    let seen = '';
    await eventually(
      what,
      async () => {
        await sleep(200);
        const w = last(1000);
        seen = w.text;
        return w.total > 20 && test(w);
      },
      ms,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; saw ${seen}`);
    });
  };
  return { c, nodeId, events, last, until };
}

describe('the xDS control plane on the real sandbox', () => {
  const rt = getRuntime();
  const file = testTopologyFile(PROJECT, 91, (doc) => doc.setIn(['services', 'echo', 'x-lab', 'zones'], ['a', 'a', 'b']));
  /** The spread with equal locality weights: a (two endpoints) and b (one) half each. */
  const localitySpread = (w: { share(n: string): number }) =>
    Math.abs(w.share('echo-1') - 0.25) < 0.07 && Math.abs(w.share('echo-2') - 0.25) < 0.07 && Math.abs(w.share('echo-3') - 0.5) < 0.07;
  const topology = () => loadTopology(file, { xds: true });
  const ctl = new XdsControl(XDS);
  const push = (p: Partial<XdsPolicy>) => ctl.setPolicy({ ...DEFAULT_POLICY, ...p });

  before(async () => {
    await down(rt, PROJECT);
    await up(rt, topology());
  });

  after(async () => {
    ctl.close();
    await down(rt, PROJECT);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
  });

  it('an xds:///echo client spreads its calls over every echo server, and ACKs each type of resource by its node id', async () => {
    await push({});
    const k = xdsClient();
    try {
      await k.until('locality-weighted round robin: 25/25/50', (w) => localitySpread(w) && w.errors === 0);
      const s = await ctl.status();
      const me = s.clients.find((c) => c.nodeId === k.nodeId && c.connected);
      assert.ok(me, `the control plane knows ${k.nodeId}: ${s.clients.map((c) => c.nodeId).join(', ')}`);
      assert.deepEqual(me.types.map((t) => t.type).sort(), ['CDS', 'EDS', 'LDS', 'RDS']);
      for (const t of me.types) assert.equal(t.ackedVersion, s.versions[t.type], `${t.type} ACKed at the version served`);
    } finally {
      await k.c.stop();
    }
  });

  it('every push moves the traffic: locality weights, endpoint health, a canary split, priorities, endpoint weights', async () => {
    const k = xdsClient();
    try {
      await push({ localities: { a: { weight: 1 }, b: { weight: 3 } } });
      await k.until('locality weights 1:3', (w) => Math.abs(w.share('echo-3') - 0.75) < 0.07);
      await push({ health: { 'echo-2': 'DRAINING' } });
      await k.until(
        'a DRAINING endpoint takes no calls; its locality goes on with the other',
        (w) => w.share('echo-2') === 0 && Math.abs(w.share('echo-1') - 0.5) < 0.07 && w.errors === 0,
      );
      await push({ split: { subsets: { v1: ['echo-1', 'echo-2'], v2: ['echo-3'] }, weights: { v1: 90, v2: 10 } } });
      await k.until('a 90/10 canary', (w) => Math.abs(w.share('echo-3') - 0.1) < 0.05);
      await push({ split: { subsets: { v1: ['echo-1', 'echo-2'], v2: ['echo-3'] }, weights: { v2: 100 } } });
      await k.until('all on the canary', (w) => w.share('echo-3') === 1 && w.errors === 0);
      await push({ localities: { a: { priority: 0 }, b: { priority: 1 } } });
      await k.until('priority 0 (zone a) takes everything', (w) => w.share('echo-3') === 0 && w.share('echo-1') > 0.4 && w.share('echo-2') > 0.4);
      await push({ weights: { 'echo-1': 1, 'echo-2': 3 } });
      await sleep(1500);
      const rr = k.last(1000);
      assert.ok(Math.abs(rr.share('echo-1') - 0.25) < 0.07, `round_robin ignores endpoint weights (gRPC's does): ${rr.text}`);
      await push({ lb: 'wrr_smooth', weights: { 'echo-1': 1, 'echo-2': 3 } });
      await k.until(
        'wrr_smooth (the lab balancer, as a TypedStruct) weighs endpoints 1:3 within zone a',
        (w) => Math.abs(w.share('echo-2') - 0.375) < 0.06 && Math.abs(w.share('echo-1') - 0.125) < 0.05,
      );
      assert.equal(k.last(1000).errors, 0);
    } finally {
      await k.c.stop();
    }
  });

  it('ring_hash with a hash header: one key stays on one backend, many keys spread', async () => {
    await push({ lb: 'ring_hash', hashHeader: 'x-lab-key' });
    const one = xdsClient({ metadata: { 'x-lab-key': 'customer-42' } });
    const many = xdsClient({ hashKeys: 64 });
    try {
      await one.until('one key, one backend', (w) => Object.keys(w.calls).length === 1);
      await many.until('64 keys over all three', (w) => Object.keys(w.calls).length === 3 && Math.max(...Object.values(w.calls)) / w.total < 0.6);
    } finally {
      await Promise.all([one.c.stop(), many.c.stop()]);
    }
  });

  it('outlier detection ejects a failing backend; a retry policy hides an echo server’s errors; fault injection aborts a share of calls', async () => {
    const echo2 = new EchoControl(`127.91.1.2:50052`);
    const k = xdsClient();
    try {
      await push({});
      await echo2.setFault({ errorRate: 1, errorCode: 14 });
      await k.until('echo-2 fails every call it gets', (w) => w.errors > 0 && Math.abs(w.errors / w.total - 0.25) < 0.08);
      await push({
        outlierDetection: {
          intervalMs: 500,
          baseEjectionTimeMs: 30_000,
          maxEjectionPercent: 50,
          failurePercentage: { threshold: 50, minimumHosts: 3, requestVolume: 10 },
        },
      });
      await k.until('echo-2 ejected', (w) => w.share('echo-2') === 0 && w.errors === 0);
      await echo2.setFault({ errorRate: 0.5, errorCode: 14 });
      await push({ retry: { on: ['unavailable'], numRetries: 4 } });
      await k.until('retries hide half-failing echo-2', (w) => w.errors === 0 && w.share('echo-2') > 0.05);
      await echo2.setFault({});
      await push({ fault: { abort: { code: 14, percent: 30 } } });
      // The fault filter runs above retries (gRFC A33): an injected abort is not retried.
      await k.until('30% of calls aborted by the client itself', (w) => Math.abs(w.errors / w.total - 0.3) < 0.07 && (w.calls['(none)'] ?? 0) > 0);
    } finally {
      await echo2.setFault({}).catch(() => undefined);
      echo2.close();
      await k.c.stop();
    }
  });

  it('a NACKed push leaves traffic unchanged and is reported with the client’s reason; the next good push is ACKed', async () => {
    await push({});
    const k = xdsClient();
    try {
      await k.until('locality-weighted round robin', localitySpread);
      const good = (await ctl.status()).versions.CDS;
      const broken = (await push({ broken: 'cluster' })).versions.CDS;
      assert.notEqual(broken, good);
      await eventually('the client NACKs the broken cluster', async () => {
        const me = (await ctl.status()).clients.find((c) => c.nodeId === k.nodeId && c.connected);
        const cds = me?.types.find((t) => t.type === 'CDS');
        return cds?.nackedVersion === broken && cds.ackedVersion === good && /max_ejection_percent/.test(cds.nackError);
      });
      await sleep(1500);
      const w = k.last(1500);
      assert.equal(w.errors, 0, w.text);
      assert.ok(localitySpread(w), w.text);
      const fixed = (await push({ localities: { a: { weight: 8 } } })).versions.CDS;
      await eventually('the good push is ACKed', async () => {
        const me = (await ctl.status()).clients.find((c) => c.nodeId === k.nodeId && c.connected);
        return me?.types.find((t) => t.type === 'CDS')?.ackedVersion === fixed;
      });
    } finally {
      await k.c.stop();
    }
  });

  it('`lab traffic -t xds:///echo` balances through the control plane and exits by itself once its duration is over', async () => {
    await push({});
    const r = await lab(['-f', file, 'traffic', '-t', 'xds:///echo', '-d', '2s', '--json'], { timeout: 60_000 });
    // A channel left open by grpc-js-xds would hold the process until execa kills it (exit code not 0).
    assert.equal(r.exitCode, 0, r.stderr);
    const buckets = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as TrafficEvent)
      .filter((e): e is Extract<TrafficEvent, { type: 'bucket' }> => e.type === 'bucket');
    const seen = new Set(buckets.flatMap((b) => Object.keys(b.backends)));
    assert.deepEqual([...seen].sort(), ['echo-1', 'echo-2', 'echo-3']);
    assert.ok(
      buckets.every((b) => b.total.ok === b.total.calls),
      'no call failed',
    );
  });

  it('`lab traffic -t xds:///echo` exits by itself after locality priorities were pushed and taken back', async () => {
    await push({});
    // grpc-js-xds arms a 15-minute timer for a priority it deactivates and does not clear it on
    // destroy; the lab clears it (src/traffic/xds.ts). Without that, execa's timeout kills the process.
    const run = lab(['-f', file, 'traffic', '-t', 'xds:///echo', '-d', '6s', '--json'], { timeout: 60_000 });
    await sleep(1500);
    await push({ localities: { a: { priority: 0 }, b: { priority: 1 } } });
    await sleep(1000);
    await push({ localities: { b: { priority: 0 }, a: { priority: 1 } } });
    await sleep(2500);
    await push({});
    const r = await run;
    assert.equal(r.exitCode, 0, `exit ${r.exitCode} after ${r.ms} ms: ${r.stderr}`);
    const buckets = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as TrafficEvent)
      .filter((e): e is Extract<TrafficEvent, { type: 'bucket' }> => e.type === 'bucket');
    assert.ok(
      buckets.some((b) => (b.backends['echo-3']?.calls ?? 0) > 0.95 * b.total.calls && b.total.calls > 0),
      'the priority push moved all calls to zone b at some point',
    );
  });

  it('the load reports (LRS) the control plane received equal the calls the client counted', async () => {
    await push({});
    const k = xdsClient({ concurrency: 4 });
    await sleep(3000);
    await k.c.stop(); // waits one LRS interval before it closes the channel
    const counted = k.c.stats.totals().total;
    const loads = (await ctl.status()).loads.filter((l) => l.nodeId === k.nodeId);
    const reported = loads.reduce((n, l) => n + Number(l.successful) + Number(l.errors), 0);
    assert.ok(counted.calls > 100);
    assert.equal(reported, counted.calls, JSON.stringify(loads));
    assert.deepEqual(loads.map((l) => l.zone).sort(), ['a', 'b']);
  });

  it('the control plane killed: clients keep their last config (no call fails); a backend started meanwhile appears once it is back', async () => {
    await up(rt, loadTopology(file, { xds: true, echo: 4 }));
    await push({});
    const container = async (name: string) => (await rt.listContainers({ ...projectSelector(PROJECT), 'dev.lab.instance': name }))[0];
    const echo4 = await container('echo-4');
    await rt.stopContainer(echo4.id, 5); // SIGTERM: it leaves Consul, so the control plane drops it
    const k = xdsClient();
    try {
      await k.until('three backends', (w) => [1, 2, 3].every((n) => w.share(`echo-${n}`) > 0.15) && !w.calls['echo-4']);
      const xds = await container('xds');
      await rt.killContainer(xds.id, 'SIGKILL');
      await rt.startContainer(echo4.id); // registers in Consul; no control plane to tell the clients
      await sleep(4000);
      const during = k.last(4000);
      assert.equal(during.errors, 0, `no call failed while the control plane was down: ${during.text}`);
      assert.equal(during.calls['echo-4'] ?? 0, 0, `echo-4 stays unknown while the control plane is down: ${during.text}`);
      await rt.startContainer(xds.id);
      await k.until('echo-4 appears once the control plane is back', (w) => w.share('echo-4') > 0.15, 30_000);
      assert.equal(k.last(3000).errors, 0);
    } finally {
      await k.c.stop();
      await up(rt, topology());
    }
  });

  it('gRPC C-core (python3-grpcio) with `lab xds bootstrap` spreads its calls and follows a locality weight push', async () => {
    await push({});
    const dir = tempDir('lab-xds-');
    const bootstrap = path.join(dir, 'bootstrap.json');
    const b = await lab(['-f', file, 'xds', 'bootstrap', '--node-id', 'grpcio-test', '-o', bootstrap]);
    assert.equal(b.exitCode, 0, b.stderr);
    const child = execa('/usr/bin/python3', [path.join(ROOT, 'test/fixtures/xds/grpcio_client.py'), '14'], {
      env: { GRPC_XDS_BOOTSTRAP: bootstrap },
      buffer: false,
      reject: false,
    });
    const seconds: Array<{ backends: Record<string, number>; errors: Record<string, number> }> = [];
    child.stdout!.on('data', (d: Buffer) =>
      d
        .toString()
        .split('\n')
        .filter(Boolean)
        .forEach((l) => seconds.push(JSON.parse(l))),
    );
    const shareOf = (n: number, of = seconds.slice(-2)) => {
      const sum = (x: Record<string, number>) => Object.values(x).reduce((a, v) => a + v, 0);
      const total = of.reduce((a, s) => a + sum(s.backends), 0);
      return total ? of.reduce((a, s) => a + (s.backends[`echo-${n}`] ?? 0), 0) / total : 0;
    };
    try {
      await eventually(
        'C-core balances localities, then endpoints: 25/25/50',
        async () => seconds.length >= 3 && Math.abs(shareOf(3) - 0.5) < 0.1 && Math.abs(shareOf(1) - 0.25) < 0.08,
      );
      await push({ localities: { a: { weight: 1 }, b: { weight: 4 } } });
      await eventually('C-core follows the locality weight push', async () => Math.abs(shareOf(3) - 0.8) < 0.08);
      const me = (await ctl.status()).clients.find((c) => c.nodeId === 'grpcio-test' && c.connected);
      assert.ok(
        me?.types.every((t) => t.ackedVersion),
        'C-core ACKed every type',
      );
      assert.ok(
        seconds.every((s) => Object.keys(s.errors).length === 0),
        JSON.stringify(seconds),
      );
    } finally {
      child.kill('SIGTERM');
      await child;
    }
  });
});
