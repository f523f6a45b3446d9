// npm run bench -- --scale 30: the lab at 30 echo backends against 3, on this machine, in one run:
// `lab up` time (images cached, from nothing), the driver's RPS (`lab traffic`, round_robin over
// etcd:///echo, 64 in flight), and the rebalance view's refresh rate with 3 clients at full traffic
// and the cluster poller running (frames drawn per second, target 5; and how long one poll of the
// whole cluster takes). Project labscale on 127.87.x.y; removes all it made.
import { EventEmitter } from 'node:events';
import { $ } from 'zx';
import { setupLab } from '../src/setup.js';
import { down, getRuntime } from '../src/sandbox/index.js';
import { loadTopology } from '../src/topology/load.js';
import { ClientSet, serviceConfigFrom, sandboxResolverOptions } from '../src/traffic/index.js';
import { ClusterPoller } from '../src/view/cluster-poller.js';
import { mountView } from '../src/view/mount.js';
import { namesOf, servicesOf } from '../src/view/run-play.js';
import { initialView } from '../src/view/state.js';
import { lab, leftovers, ROOT, testTopologyFile } from '../test/helpers/lab.js';

setupLab();

const PROJECT = 'labscale';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  echo: number;
  upMs: number;
  rps: number;
  fps: number;
  pollMs: number;
}

async function measure(file: string, n: number, say: (s: string) => void): Promise<Row> {
  const rt = getRuntime();
  await down(rt, PROJECT);
  const u = await lab(['-f', file, 'up', '--echo', String(n), '--json']);
  if (u.exitCode !== 0) throw new Error(`lab up --echo ${n} failed:\n${u.stderr}`);
  say(`  ${n} echo: up in ${(u.ms / 1000).toFixed(1)} s`);

  const args = [`${ROOT}/bin/lab.js`, '-f', file, 'traffic', '-t', 'etcd:///echo', '--lb', 'round_robin', '--concurrency', '64', '-d', '6s', '--json'];
  const t = await $({ cwd: ROOT, quiet: true })`${process.execPath} ${args}`;
  const summary = JSON.parse(t.stdout.trim().split('\n').pop()!) as { total: { ok: number }; elapsedMs: number };
  const rps = summary.total.ok / (summary.elapsedMs / 1000);

  // The view, fed by three clients at full traffic and the poller, into a 160×50 terminal.
  const topology = loadTopology(file, { echo: n });
  const out = Object.assign(new EventEmitter(), { isTTY: true, columns: 160, rows: 50, write: () => true });
  const input = Object.assign(new EventEmitter(), {
    isTTY: false,
    setRawMode() {},
    setEncoding() {},
    resume() {},
    pause() {},
    ref() {},
    unref() {},
    read: () => null,
  });
  const view = mountView(initialView({ title: 'scale', mode: 'watch', services: servicesOf(topology), names: namesOf(topology) }), {
    stdout: out as never,
    stdin: input as never,
  });
  const t0 = performance.now();
  const clients = new ClientSet({
    channelOptions: sandboxResolverOptions(topology),
    now: () => Math.round(performance.now() - t0),
    onEvent: (e) => view.dispatch(e),
  });
  for (const lb of ['round_robin', 'least_request', 'pick_first'])
    clients.add({ name: lb, target: 'etcd:///echo', serviceConfig: serviceConfigFrom(lb), concurrency: 16, deadlineMs: 5000 });
  const polls: number[] = [];
  const poller = new ClusterPoller(
    rt,
    () => topology,
    (services) => view.dispatch({ type: 'cluster', services }),
  );
  clients.start();
  await sleep(2000);
  const frames0 = view.frames;
  const f0 = performance.now();
  const pollLoop = (async () => {
    while (performance.now() - f0 < 8000) {
      const p0 = performance.now();
      await poller.poll();
      polls.push(performance.now() - p0);
      await sleep(1000);
    }
  })();
  await sleep(8000);
  await pollLoop;
  const fps = (view.frames - frames0) / ((performance.now() - f0) / 1000);
  await clients.stop(500);
  poller.close();
  view.unmount();
  await down(rt, PROJECT);
  const pollMs = polls.sort((a, b) => a - b)[Math.floor(polls.length / 2)];
  return { echo: n, upMs: u.ms, rps, fps, pollMs };
}

export async function runScale(n: number, json: boolean): Promise<void> {
  const say = (s: string) => !json && process.stdout.write(`${s}\n`);
  const file = testTopologyFile(PROJECT, 87);
  say(`scale benchmark: ${n} echo backends against 3 (project ${PROJECT} on 127.87.x.y)`);
  // Warm the images once (their assembly is not what this measures).
  await lab(['-f', file, 'up', '--echo', '1', '--json']);
  const rows: Row[] = [];
  for (const echo of [3, n]) rows.push(await measure(file, echo, say));
  say('');
  say('ECHO  UP (s)  RPS (round_robin, 64 in flight)  VIEW FRAMES/S (target 5)  ONE CLUSTER POLL (ms)');
  for (const r of rows)
    say(
      `${String(r.echo).padEnd(4)}  ${(r.upMs / 1000).toFixed(1).padStart(6)}  ${String(Math.round(r.rps)).padStart(31)}  ${r.fps.toFixed(1).padStart(24)}  ${r.pollMs.toFixed(0).padStart(21)}`,
    );
  say(`\nleft behind: ${JSON.stringify(await leftovers(PROJECT))}`);
  if (json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
}
