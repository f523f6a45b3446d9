// npm run bench:xds: how long a change takes to reach a client, through the lab's xDS control plane
// against the same change through the etcd resolver, in one run on the same echo containers (one
// zone, so xDS weighs endpoints as the etcd path does). The change: echo-3's weight goes from 1 to 4,
// under wrr_smooth on both clients. Through xDS it is an EDS push; through etcd, echo-3 registers
// again with the new weight (a PUT, a watch event). Measured per trial: from the change to the end
// of the first 100 ms in which echo-3 had at least 60% of the calls (4/6 = 67% when weighed), in
// 20 ms buckets; for xDS also the push's trip to the client's ACK as the control plane saw it.
// 7 trials each, alternating; medians and the slowest. Then the control plane is SIGKILLed and
// started (it keeps its policy and versions in etcd): the same push → ACK, after the restart, and
// whether the versions went on.
// Project labxdsbench on 127.92.x.y; removes all it made.
import { setupLab } from '../src/setup.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { EchoControl } from '../src/grpc/index.js';
import { down, getRuntime, LABEL, projectSelector, up } from '../src/sandbox/index.js';
import { loadTopology } from '../src/topology/load.js';
import { sandboxResolverOptions, serviceConfigFrom, TrafficClient, xdsChannelOptions, type TrafficEvent } from '../src/traffic/index.js';
import { DEFAULT_POLICY } from '../src/wire/xds-policy.js';
import { XdsControl } from '../src/xds/index.js';
import { leftovers, testTopologyFile } from '../test/helpers/lab.js';
import { median } from './lib/stats.js';

setupLab();

const args = process.argv.slice(2);
const TRIALS = Number(args[args.indexOf('--trials') + 1]) || 7;
const JSON_OUT = args.includes('--json');
const PROJECT = 'labxdsbench';
const say = (s: string) => !JSON_OUT && process.stdout.write(`${s}\n`);

/** A client that keeps its 20 ms buckets' calls per backend. */
function client(name: string, target: string, channelOptions: Record<string, unknown>) {
  const buckets: Array<{ at: number; calls: Record<string, number>; total: number }> = [];
  const c = new TrafficClient({ name, target, serviceConfig: serviceConfigFrom('wrr_smooth'), concurrency: 8, bucketMs: 20, channelOptions });
  c.on('event', (e: TrafficEvent) => {
    if (e.type !== 'bucket') return;
    buckets.push({ at: performance.now(), calls: Object.fromEntries(Object.entries(e.backends).map(([b, s]) => [b, s.calls])), total: e.total.calls });
    if (buckets.length > 2000) buckets.splice(0, 1000);
  });
  c.start();
  return { c, buckets };
}

/** The end of the first 100 ms after `since` in which `backend` had a share passing `test`, as ms after `since`. */
async function until(
  k: ReturnType<typeof client>,
  backend: string,
  since: number,
  test: (share: number) => boolean,
  timeoutMs = 10_000,
): Promise<number | undefined> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    await sleep(20);
    const after = k.buckets.filter((b) => b.at > since);
    for (let i = 4; i < after.length; i++) {
      const w = after.slice(i - 4, i + 1);
      const total = w.reduce((n, b) => n + b.total, 0);
      const mine = w.reduce((n, b) => n + (b.calls[backend] ?? 0), 0);
      if (total > 20 && test(mine / total)) return after[i].at - since;
    }
  }
  return undefined;
}

const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(0)} ms`);

async function main() {
  const rt = getRuntime();
  const file = testTopologyFile(PROJECT, 92, (doc) => doc.setIn(['services', 'echo', 'x-lab', 'zones'], ['a']));
  const t = loadTopology(file, { xds: true });
  const echo3 = new EchoControl(t.instances.find((i) => i.name === 'echo-3')!.controlAddress);
  await down(rt, PROJECT);
  say('bringing up the sandbox with the xDS control plane …');
  await up(rt, t);
  const ctl = new XdsControl(t.xds!.hostAddress);
  const even = { ...DEFAULT_POLICY, lb: 'wrr_smooth' };
  await ctl.setPolicy(even);
  const viaXds = client('xds', 'xds:///echo', xdsChannelOptions({ server: t.xds!.hostAddress, nodeId: `bench/xds/${process.pid}` }));
  const viaEtcd = client('etcd', 'etcd:///echo', sandboxResolverOptions(t));
  const results = { xds: [] as number[], xdsAck: [] as number[], etcd: [] as number[], afterRestartAck: [] as number[], versions: { before: '', after: '' } };
  /** A push of echo-3's weight and back: the client's ACK of the first, as the control plane saw it. */
  const ackOf = async (weight: number) => {
    const pushed = await ctl.setPolicy({ ...even, weights: { 'echo-3': weight } });
    let ack: number | undefined;
    for (let i = 0; i < 50 && ack === undefined; i++) {
      await sleep(100);
      const me = (await ctl.status()).clients.find((c) => c.nodeId === `bench/xds/${process.pid}` && c.connected)?.types.find((x) => x.type === 'EDS');
      if (me && me.ackedVersion === pushed.versions.EDS) ack = Number(me.ackedAtMs) - Number(me.sentAtMs);
    }
    return { ack, version: pushed.versions.EDS };
  };
  try {
    await sleep(3000);
    const weighed = (x: number) => x >= 0.6;
    const evened = (x: number) => x < 0.4;
    for (let i = 0; i < TRIALS; i++) {
      // Through xDS: an EDS push with echo-3's weight 4, then back to 1.
      let t0 = performance.now();
      const pushed = await ctl.setPolicy({ ...even, weights: { 'echo-3': 4 } });
      const xdsMs = await until(viaXds, 'echo-3', t0, weighed);
      const me = (await ctl.status()).clients.find((c) => c.nodeId === `bench/xds/${process.pid}` && c.connected)?.types.find((x) => x.type === 'EDS');
      if (me && me.ackedVersion === pushed.versions.EDS) results.xdsAck.push(Number(me.ackedAtMs) - Number(me.sentAtMs));
      if (xdsMs !== undefined) results.xds.push(xdsMs);
      t0 = performance.now();
      await ctl.setPolicy(even);
      await until(viaXds, 'echo-3', t0, evened);
      // Through etcd: echo-3 registers again with weight 4 (its etcd value), then back to 1.
      t0 = performance.now();
      await echo3.setWeight(4);
      const etcdMs = await until(viaEtcd, 'echo-3', t0, weighed);
      if (etcdMs !== undefined) results.etcd.push(etcdMs);
      t0 = performance.now();
      await echo3.setWeight(1);
      await until(viaEtcd, 'echo-3', t0, evened);
      say(`  trial ${i + 1}: xDS ${ms(xdsMs)} (push → ACK ${ms(results.xdsAck.at(-1))}), etcd ${ms(etcdMs)}`);
    }
    // The control plane SIGKILLed and started: what it pushed is kept; the client reconnects (its backoff).
    results.versions.before = (await ctl.status()).versions.EDS;
    const [xds] = (await rt.listContainers(projectSelector(PROJECT))).filter((c) => c.labels[LABEL.instance] === 'xds');
    await rt.killContainer(xds.id, 'SIGKILL');
    await rt.startContainer(xds.id);
    for (let i = 0; i < 100; i++) {
      await sleep(200);
      const s = await ctl.status(1000).catch(() => undefined);
      if (s?.clients.some((c) => c.nodeId === `bench/xds/${process.pid}` && c.connected && c.types.some((x) => x.type === 'EDS' && x.ackedVersion))) break;
    }
    results.versions.after = (await ctl.status()).versions.EDS;
    say(`  the control plane restarted: EDS was at v${results.versions.before}, serves v${results.versions.after}`);
    for (let i = 0; i < TRIALS; i++) {
      const up4 = await ackOf(4);
      await ackOf(1);
      if (up4.ack !== undefined) results.afterRestartAck.push(up4.ack);
      say(`  after the restart, trial ${i + 1}: push → ACK ${ms(up4.ack)} (EDS v${up4.version})`);
    }
  } finally {
    await Promise.all([viaXds.c.stop(), viaEtcd.c.stop()]);
    echo3.close();
    ctl.close();
    await down(rt, PROJECT);
  }
  const left = await leftovers(PROJECT);
  const summary = {
    trials: TRIALS,
    xds: { medianMs: median(results.xds), maxMs: Math.max(...results.xds), pushToAckMedianMs: median(results.xdsAck) },
    afterRestart: { pushToAckMedianMs: median(results.afterRestartAck), edsVersionBefore: results.versions.before, edsVersionAfter: results.versions.after },
    etcd: { medianMs: median(results.etcd), maxMs: Math.max(...results.etcd) },
    ratio: median(results.xds) / median(results.etcd),
    leftovers: left,
  };
  if (JSON_OUT) return void process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  say('');
  say(`echo-3 weight 1 → 4 under wrr_smooth, time until it has 60% of the calls (median of ${TRIALS}, slowest):`);
  say(
    `  through the xDS control plane (an EDS push):        ${ms(summary.xds.medianMs)}, slowest ${ms(summary.xds.maxMs)}; push → ACK ${ms(summary.xds.pushToAckMedianMs)}`,
  );
  say(`  through the etcd resolver (a PUT, a watch event):   ${ms(summary.etcd.medianMs)}, slowest ${ms(summary.etcd.maxMs)}`);
  say(`  xDS / etcd: ${summary.ratio.toFixed(2)}`);
  say(
    `push → ACK before the control plane's restart: ${ms(summary.xds.pushToAckMedianMs)}; after it: ${ms(summary.afterRestart.pushToAckMedianMs)} (EDS v${results.versions.before} before, v${results.versions.after} after: ${Number(results.versions.after) > Number(results.versions.before) ? 'versions went on' : 'versions started over'})`,
  );
  say(`left behind: ${left.containers.length + left.networks.length ? JSON.stringify(left) : 'nothing'}`);
}

main().catch((err) => {
  process.stderr.write(`bench:xds: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
