// npm run bench -- --scale 30,100: the lab at 3 echo backends and at each N given, in one run, every
// figure of issue 14 beside its goal:
//   lab up (images cached, from nothing) and a no-op up; lab down;
//   the driver's RPS (lab traffic, round_robin over etcd:///echo, 64 in flight) and its CPU per call;
//   the echo servers' CPU per call at full load and at ~30 calls/s each (cgroup CPU / calls served);
//   the idle cluster's CPU (every container, docker-proxy) as a share of one core;
//   p99 of an unloaded backend (20 calls/s to echo-1 alone, the rest idle);
//   the rebalance view's frames per second with 3 clients at full traffic and the cluster poller;
//   echo memory: private (RssAnon) and shared (file-backed) per process;
// and, at 3, warm lab up against docker-compose up -d of the same containers.
// Project labscale on 127.87.x.y; removes all it made, and says so.
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { setupLab } from '../src/setup.js';
import { down, getRuntime, projectSelector } from '../src/sandbox/index.js';
import { loadTopology } from '../src/topology/load.js';
import { ClientSet, serviceConfigFrom, sandboxResolverOptions } from '../src/traffic/index.js';
import { ClusterPoller } from '../src/view/cluster-poller.js';
import { mountView } from '../src/view/mount.js';
import { namesOf, servicesOf } from '../src/view/run-play.js';
import { initialView } from '../src/view/state.js';
import { lab, leftovers, ROOT, tempDir, testTopologyFile } from '../test/helpers/lab.js';
import { fakeStdin } from '../test/helpers/fake-terminal.js';
import { containerCpuMs, cpuDuring } from './cpu.js';
import { echoMemory, type EchoMemory } from './memory.js';
import { cpuPerCall, engineFloor, floorLeftovers, startBareServer, FLOOR_PROJECT, type EngineFloor } from './floors.js';
import { median } from './lib/stats.js';

setupLab();

const PROJECT = 'labscale';
const COMPOSE_PROJECT = 'labscaledc';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ScaleRow {
  echo: number;
  upMs: number;
  /** CPU the echo containers used from their start to ready (per echo), and the engine's (dockerd, containerd, shims, docker-proxy, runc) during up. */
  upEchoCpuMsEach: number;
  upEngineCpuMs: number;
  noopUpMs: number;
  downMs: number;
  rps: number;
  driverCpuPer1000: number;
  echoCpuPerCallFullMs: number;
  lightRpsPerEcho: number;
  echoCpuPerCallLightMs: number;
  idleCores: number;
  idleByPart: Record<string, number>;
  unloadedP99Ms: number;
  /** Frame beats per second (a frame drawn, or the screen already current), frames drawn, and how late a beat came (p99). */
  fps: number;
  drawnFps: number;
  lateP99Ms: number;
  pollMs: number;
  memory: { anonMB: number; sharedMB: number; rssMB: number };
  /** Docker alone, the same containers with a process that only sleeps: start them, remove them. */
  floor: EngineFloor;
}

/** One echo server alone against a bare grpc-js server in the same image: CPU per call, light and full. */
interface BareYardstick {
  echoLightMs: number;
  bareLightMs: number;
  echoFullMs: number;
  bareFullMs: number;
}

interface TrafficSummary {
  total: { calls: number; ok: number; p99Ms: number };
  elapsedMs: number;
  cpuMs: number;
}

async function traffic(file: string, argv: string[]): Promise<TrafficSummary> {
  const args = [`${ROOT}/bin/lab.js`, '-f', file, 'traffic', ...argv, '--json'];
  const t = await $({ cwd: ROOT, quiet: true })`${process.execPath} ${args}`;
  return JSON.parse(t.stdout.trim().split('\n').pop()!) as TrafficSummary;
}

async function containers() {
  const all = await getRuntime().listContainers(projectSelector(PROJECT));
  return { all, echo: all.filter((c) => c.labels['dev.lab.role'] === 'echo') };
}

/** The view, fed by three clients at full traffic and the cluster poller, into a 160×50 terminal. */
async function viewFps(file: string, n: number): Promise<{ fps: number; drawnFps: number; lateP99Ms: number; pollMs: number }> {
  const topology = loadTopology(file, { echo: n });
  const out = Object.assign(new EventEmitter(), { isTTY: true, columns: 160, rows: 50, write: () => true });
  const input = fakeStdin();
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
    { rt: getRuntime(), reach: (a: string) => a },
    () => topology,
    (services) => view.dispatch({ type: 'cluster', services }),
  );
  clients.start();
  await sleep(2000);
  const frames0 = view.frames;
  const beats0 = view.beats;
  const beatAt0 = view.lastBeatAt;
  const f0 = performance.now();
  while (performance.now() - f0 < 8000) {
    const p0 = performance.now();
    await poller.poll();
    polls.push(performance.now() - p0);
    await sleep(1000);
  }
  const secs = (performance.now() - f0) / 1000;
  // Beats between the first and the last one counted: the rate they came at.
  const fps = (view.beats - beats0) / ((view.lastBeatAt - beatAt0) / 1000);
  const drawnFps = (view.frames - frames0) / secs;
  const late = view.lateMs.slice(-(view.beats - beats0));
  const lateP99Ms = [...late].sort((a, b) => a - b)[Math.floor(late.length * 0.99)] ?? 0;
  await clients.stop(500);
  poller.close();
  view.unmount();
  return { fps, drawnFps, lateP99Ms, pollMs: median(polls) };
}

async function measure(file: string, n: number, say: (s: string) => void): Promise<ScaleRow> {
  const rt = getRuntime();
  await down(rt, PROJECT);
  const engine = ['dockerd', 'containerd', 'containerd-shim', 'containerd-shim-runc-v2', 'docker-proxy', 'runc', 'docker-init'];
  const upCpu = await cpuDuring([], engine, () => lab(['-f', file, 'up', '--echo', String(n), '--json']));
  const u = upCpu.result;
  if (u.exitCode !== 0) throw new Error(`lab up --echo ${n} failed:\n${u.stderr}`);
  const again = await lab(['-f', file, 'up', '--echo', String(n), '--json']);
  say(`  ${n} echo: up ${(u.ms / 1000).toFixed(1)} s, no-op up ${(again.ms / 1000).toFixed(2)} s`);
  const { all, echo } = await containers();
  const ids = all.map((c) => c.id);
  const echoIds = echo.map((c) => c.id);
  // Where up's CPU went: the containers' own (all of it since they started) and the engine's.
  const upEchoCpuMs = echoIds.reduce((t, id) => t + (containerCpuMs(id) ?? 0), 0);
  const upEngineCpuMs = Object.values(upCpu.byComm).reduce((a, b) => a + b, 0);

  // Idle: 10 s with nothing calling, after 3 s to settle.
  await sleep(3000);
  const before = new Map(all.map((c) => [c.id, containerCpuMs(c.id) ?? 0]));
  const idle = await cpuDuring(ids, ['docker-proxy', 'dockerd', 'containerd'], () => sleep(10_000));
  // Read now: the containers are gone by the time the row is made.
  const roleShare = Object.fromEntries(
    ['echo', 'consul', 'etcd'].map((role) => [
      role,
      all.filter((c) => c.labels['dev.lab.role'] === role).reduce((t, c) => t + (containerCpuMs(c.id) ?? 0) - before.get(c.id)!, 0) / idle.wallMs,
    ]),
  );
  const idleCores = (idle.containersMs + idle.byComm['docker-proxy']) / idle.wallMs;
  const echoIdle = await cpuDuring(echoIds, [], () => sleep(3000));

  // One backend alone, lightly: its p99 while the rest of the cluster idles.
  const e1 = loadTopology(file, { echo: n }).instances.find((i) => i.name === 'echo-1')!;
  const probe = await traffic(file, ['-t', `ipv4:${e1.hostAddress}`, '--rate', '20', '-d', '5s']);

  // Full load: the driver at 64 in flight over every backend.
  const full = await cpuDuring(echoIds, ['docker-proxy'], () =>
    traffic(file, ['-t', 'etcd:///echo', '--lb', 'round_robin', '--concurrency', '64', '-d', '6s']),
  );
  const rps = full.result.total.ok / (full.result.elapsedMs / 1000);
  const idleEchoMsPerS = echoIdle.containersMs / (echoIdle.wallMs / 1000);
  // Per call: what the echo servers used beyond their idle, over the calls they served.
  const perCall = (cpuMs: number, wallMs: number, calls: number) => Math.max(0, cpuMs - (idleEchoMsPerS * wallMs) / 1000) / Math.max(1, calls);
  const echoCpuPerCallFullMs = perCall(full.containersMs, full.wallMs, full.result.total.calls);

  // Light load: ~30 calls/s per backend (at most half of what the driver made at full load).
  const lightRate = Math.max(1, Math.min(30 * n, Math.round(rps / 2)));
  const light = await cpuDuring(echoIds, [], () => traffic(file, ['-t', 'etcd:///echo', '--lb', 'round_robin', '--rate', String(lightRate), '-d', '6s']));
  const echoCpuPerCallLightMs = perCall(light.containersMs, light.wallMs, light.result.total.calls);

  const { fps, drawnFps, lateP99Ms, pollMs } = await viewFps(file, n);
  const mem: EchoMemory[] = await echoMemory(PROJECT, 5);
  const d = await lab(['-f', file, 'down', '--json']);
  if (d.exitCode !== 0) throw new Error(`lab down failed:\n${d.stderr}`);
  const floor = await engineFloor(file, n);
  const row: ScaleRow = {
    floor,
    echo: n,
    upMs: u.ms,
    upEchoCpuMsEach: upEchoCpuMs / n,
    upEngineCpuMs,
    noopUpMs: again.ms,
    downMs: d.ms,
    rps,
    driverCpuPer1000: (full.result.cpuMs / Math.max(1, full.result.total.calls)) * 1000,
    echoCpuPerCallFullMs,
    lightRpsPerEcho: lightRate / n,
    echoCpuPerCallLightMs,
    idleCores,
    idleByPart: {
      containers: idle.containersMs / idle.wallMs,
      echo: roleShare.echo,
      consul: roleShare.consul,
      etcd: roleShare.etcd,
      'docker-proxy': idle.byComm['docker-proxy'] / idle.wallMs,
      dockerd: idle.byComm.dockerd / idle.wallMs,
      containerd: idle.byComm.containerd / idle.wallMs,
    },
    unloadedP99Ms: probe.total.p99Ms,
    fps,
    drawnFps,
    lateP99Ms,
    pollMs,
    memory: { anonMB: median(mem.map((m) => m.anonMB)), sharedMB: median(mem.map((m) => m.sharedMB)), rssMB: median(mem.map((m) => m.rssMB)) },
  };
  say(
    `  ${n} echo: Docker alone starts them in ${(floor.startMs / 1000).toFixed(1)} s, removes them in ${(floor.removeMs / 1000).toFixed(1)} s · ${Math.round(rps)} RPS · echo CPU/call ${row.echoCpuPerCallFullMs.toFixed(3)} ms full, ${row.echoCpuPerCallLightMs.toFixed(3)} ms at ${row.lightRpsPerEcho.toFixed(0)}/s each · idle ${(idleCores * 100).toFixed(1)}% of a core · ${fps.toFixed(1)} fps · down ${(d.ms / 1000).toFixed(1)} s`,
  );
  return row;
}

/**
 * The machine's own penalty for work that runs now and then: the same pure-JS work (~0.4 ms) timed
 * back to back and at 30 runs a second (caches and branch predictors go cold between runs; a
 * virtual CPU may be descheduled). A floor under the echo's light/full ratio that the lab cannot move.
 */
async function coldFactor(): Promise<number> {
  const work = () => {
    const o: string[] = [];
    for (let i = 0; i < 400; i++) o.push(JSON.stringify({ i, s: 'x'.repeat(i % 50), a: [i, i * 2] }));
    return new Map(o.map((x, i) => [x, i])).size;
  };
  for (let i = 0; i < 2000; i++) work();
  let c0 = process.cpuUsage();
  for (let i = 0; i < 3000; i++) work();
  let d = process.cpuUsage(c0);
  const hot = (d.user + d.system) / 3000;
  c0 = process.cpuUsage();
  for (let i = 0; i < 300; i++) {
    work();
    await sleep(33);
  }
  d = process.cpuUsage(c0);
  return (d.user + d.system) / 300 / hot;
}

/** echo-1 alone, and a bare grpc-js server, each at 30 calls/s and at 64 in flight: the lab's own part of an echo's CPU per call. */
async function bareYardstick(file: string): Promise<BareYardstick> {
  await lab(['-f', file, 'up', '--echo', '1', '--json']);
  const bare = await startBareServer(file);
  const [echo1] = (await containers()).echo;
  const e1 = loadTopology(file, { echo: 1 }).instances.find((i) => i.name === 'echo-1')!;
  const calls = (target: string, load: string[], secs: number) => async () =>
    (await traffic(file, ['-t', `ipv4:${target}`, ...load, '-d', `${secs}s`])).total.calls;
  try {
    await traffic(file, ['-t', `ipv4:${bare.address}`, '--rate', '200', '-d', '2s']); // warm both the same way
    await traffic(file, ['-t', `ipv4:${e1.hostAddress}`, '--rate', '200', '-d', '2s']);
    const light = ['--rate', '30'];
    const full = ['--concurrency', '64'];
    return {
      echoLightMs: await cpuPerCall(echo1.id, calls(e1.hostAddress, light, 10)),
      bareLightMs: await cpuPerCall(bare.id, calls(bare.address, light, 10)),
      echoFullMs: await cpuPerCall(echo1.id, calls(e1.hostAddress, full, 4)),
      bareFullMs: await cpuPerCall(bare.id, calls(bare.address, full, 4)),
    };
  } finally {
    await bare.stop();
    await lab(['-f', file, 'down']);
  }
}

/** docker-compose up -d of the same containers at 3 (no health, no registration wait), against the lab's warm up. */
async function composeYardstick(file: string): Promise<{ labUpMs: number; composeUpMs: number }> {
  const expanded = await lab(['-f', file, 'config', '--expanded']);
  const composeFile = path.join(tempDir('lab-scale-compose-'), 'compose.yaml');
  writeFileSync(
    composeFile,
    expanded.stdout.replaceAll(`dev.lab.project: ${PROJECT}`, `dev.lab.project: ${COMPOSE_PROJECT}`).replaceAll(`${PROJECT}-`, `${COMPOSE_PROJECT}-`),
  );
  const labUps: number[] = [];
  const composeUps: number[] = [];
  for (let i = 0; i < 3; i++) {
    labUps.push((await lab(['-f', file, 'up', '--json'])).ms);
    await lab(['-f', file, 'down']);
    const t0 = performance.now();
    await $({ quiet: true })`docker-compose -p ${COMPOSE_PROJECT} -f ${composeFile} up -d --quiet-pull`;
    composeUps.push(performance.now() - t0);
    await $({ quiet: true, nothrow: true })`docker-compose -p ${COMPOSE_PROJECT} -f ${composeFile} down -v`;
  }
  return { labUpMs: median(labUps), composeUpMs: median(composeUps) };
}

function table(rows: ScaleRow[], yard: { labUpMs: number; composeUpMs: number }, cold: number, bare: BareYardstick): string[] {
  const at = (n: number) => rows.find((r) => r.echo === n);
  const base = at(3)!;
  const biggest = rows[rows.length - 1];
  const r30 = at(30);
  const cols = rows.map((r) => String(r.echo).padStart(9)).join('');
  const line = (name: string, f: (r: ScaleRow) => string, goal: string, ok?: boolean) =>
    `${name.padEnd(44)}${rows.map((r) => f(r).padStart(9)).join('')}   ${goal}${ok === undefined ? '' : ok ? '  ✓' : '  ✗'}`;
  const ratio30 = r30 ? r30.rps / base.rps : undefined;
  return [
    `${'figure'.padEnd(44)}${cols}   goal`,
    line('lab up, images cached (s)', (r) => (r.upMs / 1000).toFixed(1), `≤ 25 s at 100`, at(100) ? at(100)!.upMs <= 25_000 : undefined),
    line('  Docker alone: start them (s)', (r) => (r.floor.startMs / 1000).toFixed(1), "the engine's floor: same containers, a sleeping process"),
    line('  CPU per echo, start to ready (ms)', (r) => r.upEchoCpuMsEach.toFixed(0), ''),
    line('  engine CPU during up (s)', (r) => (r.upEngineCpuMs / 1000).toFixed(1), 'dockerd, containerd, shims, docker-proxy, runc'),
    line('no-op lab up (s)', (r) => (r.noopUpMs / 1000).toFixed(2), '≤ 0.3 s', base.noopUpMs <= 300),
    line('lab down (s)', (r) => (r.downMs / 1000).toFixed(1), '≤ 5 s at 100', at(100) ? at(100)!.downMs <= 5000 : undefined),
    line('  Docker alone: remove them (s)', (r) => (r.floor.removeMs / 1000).toFixed(1), "the engine's floor"),
    line(
      'driver RPS (round_robin, 64 in flight)',
      (r) => String(Math.round(r.rps)),
      `at 30 ≥ 0.8× at 3${ratio30 !== undefined ? ` (${ratio30.toFixed(2)}×)` : ''}`,
      ratio30 !== undefined ? ratio30 >= 0.8 : undefined,
    ),
    line('driver CPU per 1,000 calls (ms)', (r) => r.driverCpuPer1000.toFixed(0), ''),
    line('echo CPU per call, full load (ms)', (r) => r.echoCpuPerCallFullMs.toFixed(3), ''),
    line('echo CPU per call, light load (ms)', (r) => r.echoCpuPerCallLightMs.toFixed(3), 'within 2× of full load'),
    line('  light load: calls/s per echo', (r) => r.lightRpsPerEcho.toFixed(0), '~30'),
    line(
      '  light / full',
      (r) => (r.echoCpuPerCallLightMs / Math.max(1e-9, r.echoCpuPerCallFullMs)).toFixed(1),
      '≤ 2',
      rows.every((r) => r.echoCpuPerCallLightMs <= 2 * r.echoCpuPerCallFullMs),
    ),
    line('  this machine: pure JS at 30/s ÷ back to back', () => cold.toFixed(1), 'the floor under light / full'),
    `${'  one echo alone vs a bare grpc-js server (ms/call)'.padEnd(44)}light ${bare.echoLightMs.toFixed(3)} vs ${bare.bareLightMs.toFixed(3)} (${(bare.echoLightMs / bare.bareLightMs).toFixed(2)}×) · full ${bare.echoFullMs.toFixed(3)} vs ${bare.bareFullMs.toFixed(3)} (${(bare.echoFullMs / bare.bareFullMs).toFixed(2)}×)   the lab's own part`,
    line('idle cluster, % of one core', (r) => (r.idleCores * 100).toFixed(1), '< 15% at 100', at(100) ? at(100)!.idleCores < 0.15 : undefined),
    line('  of which the echo servers', (r) => (r.idleByPart.echo * 100).toFixed(1), ''),
    line('  of which Consul', (r) => (r.idleByPart.consul * 100).toFixed(1), 'its gRPC checks: a new connection per check, every second'),
    line('  of which etcd', (r) => (r.idleByPart.etcd * 100).toFixed(1), ''),
    line('  of which docker-proxy', (r) => (r.idleByPart['docker-proxy'] * 100).toFixed(1), ''),
    line('  dockerd + containerd (not counted)', (r) => ((r.idleByPart.dockerd + r.idleByPart.containerd) * 100).toFixed(1), ''),
    line(
      'p99 of an unloaded backend (ms)',
      (r) => r.unloadedP99Ms.toFixed(1),
      `≤ 3× at 3 (${(3 * base.unloadedP99Ms).toFixed(1)} ms)`,
      rows.every((r) => r.unloadedP99Ms <= 3 * base.unloadedP99Ms),
    ),
    line('view frames/s (3 clients, full traffic)', (r) => r.fps.toFixed(1), '≥ 5 (a frame drawn, or nothing new to draw)', biggest.fps >= 5),
    line('  frames drawn/s', (r) => r.drawnFps.toFixed(1), 'as often as the state changed'),
    line("  a frame's lateness, p99 (ms)", (r) => r.lateP99Ms.toFixed(0), 'after its 200 ms beat'),
    line('one cluster poll (ms)', (r) => r.pollMs.toFixed(0), ''),
    line('echo memory, private MB (median of 5)', (r) => r.memory.anonMB.toFixed(1), 'report; no CPU for RSS'),
    line('echo memory, shared MB', (r) => r.memory.sharedMB.toFixed(1), ''),
    '',
    `warm lab up at 3 (healthy, registered) ${(yard.labUpMs / 1000).toFixed(2)} s · docker-compose up -d ${(yard.composeUpMs / 1000).toFixed(2)} s · ${(yard.labUpMs / yard.composeUpMs).toFixed(2)}× (goal ≤ 1.0×)${yard.labUpMs <= yard.composeUpMs ? '  ✓' : '  ✗'}`,
  ];
}

export async function runScale(ns: number[], json: boolean): Promise<void> {
  const say = (s: string) => !json && process.stdout.write(`${s}\n`);
  const file = testTopologyFile(PROJECT, 87);
  const sizes = [3, ...ns.filter((n) => n !== 3)];
  say(`scale benchmark: ${sizes.join(', ')} echo backends (project ${PROJECT} on 127.87.x.y)`);
  // Warm the images once (their assembly is not what this measures).
  await lab(['-f', file, 'up', '--echo', '1', '--json']);
  const rows: ScaleRow[] = [];
  try {
    const failed: Array<{ echo: number; error: string }> = [];
    for (const n of sizes)
      try {
        rows.push(await measure(file, n, say));
      } catch (err) {
        // A size this machine cannot hold is a result too: say why, and go on.
        const error = (err as Error).message.split('\n').find((l) => l.startsWith('✖')) ?? (err as Error).message.split('\n')[0];
        failed.push({ echo: n, error });
        say(`  ${n} echo: FAILED: ${error}`);
        await down(getRuntime(), PROJECT);
      }
    const yard = await composeYardstick(file);
    const cold = await coldFactor();
    const bare = await bareYardstick(file);
    const left = [await leftovers(PROJECT), await leftovers(COMPOSE_PROJECT), await floorLeftovers()];
    const clean = left.every((l) => !l.containers.length && !l.networks.length);
    if (json) return void process.stdout.write(`${JSON.stringify({ rows, failed, yardstick: yard, coldFactor: cold, bare, leftovers: left }, null, 2)}\n`);
    say('');
    for (const l of table(rows, yard, cold, bare)) say(l);
    for (const f of failed) say(`${f.echo} echo backends: lab up failed: ${f.error}`);
    say(`left behind: ${clean ? 'nothing' : JSON.stringify(left)}`);
  } finally {
    await down(getRuntime(), PROJECT);
    await down(getRuntime(), FLOOR_PROJECT);
    await $({ quiet: true, nothrow: true })`docker-compose -p ${COMPOSE_PROJECT} down -v`;
  }
}
