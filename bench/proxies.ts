// npm run bench:proxies: RPS, p99 and CPU per 1,000 calls in one run, on the same echo containers
// (1, then 3), through
//   - direct client-side balancing (round_robin over the etcd resolver),
//   - HAProxy's L7 frontend (HTTP/2 both sides),
//   - the lab's gRPC router (`lab router`, its own process),
// each driven by `lab traffic` (its own process, 64 calls in flight).
// The paths take turns in rounds (each round one run of each, in an order that rotates), and the
// ratios are taken within each round, then their median: a machine whose speed drifts from one
// minute to the next (a shared VM's does, by ±15%) moves all three paths of a round alike.
// Prints router/HAProxy and router/direct for RPS and p99 (the median of the rounds, and their
// range), the CPU each path cost per 1,000 calls (the client's own, the proxy's: the router process
// or HAProxy's container, and the whole machine's from /proc/stat), how much the direct path's
// RPS varied between rounds (the machine's own noise), and the router's memory.
//   --rounds N      rounds per echo count (default 5)
//   --seconds N     each run's length (default 4)
//   --scale 1,3     the echo counts to run on
//   --profile DIR   run the router under node --cpu-prof, writing its profile to DIR
//   --router-node-flags "..."   node flags for the router's process (to try V8 settings)
//   --json          the figures as JSON
// Project labpxbench on 127.90.x.y; removes all it made.
import { setupLab } from '../src/setup.js';
import path from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { down, getRuntime, up } from '../src/sandbox/index.js';
import { loadTopology } from '../src/topology/load.js';
import { leftovers, ROOT, testTopologyFile } from '../test/helpers/lab.js';
import { containerCpuMs, memoryMiB, processCpuMs } from './lib/cpu.js';
import { labTraffic } from './lib/lab-traffic.js';
import { ratioText, roundRatio } from './lib/stats.js';

setupLab();

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const SECONDS = Number(arg('--seconds')) || 4;
const ROUNDS = Number(arg('--rounds')) || 5;
const SCALES = (arg('--scale') ?? '1,3').split(',').map(Number);
const PROFILE = arg('--profile');
const NODE_FLAGS = (arg('--router-node-flags') ?? '').split(' ').filter(Boolean);
const JSON_OUT = args.includes('--json');
const PROJECT = 'labpxbench';
const say = (s: string) => !JSON_OUT && process.stdout.write(`${s}\n`);
const lab = path.join(ROOT, 'bin/lab.js');

interface Run {
  rps: number;
  p99: number;
  calls: number;
  /** CPU milliseconds per 1,000 calls: the client's, the proxy's, the whole machine's. */
  clientCpu: number;
  proxyCpu: number;
  machineCpu: number;
}

/** One run through a path: `proxyCpu` reads the proxy's CPU so far (0 for the direct path). */
async function traffic(file: string, target: string, lb: string, proxyCpu: () => Promise<number>): Promise<Run> {
  const r = await labTraffic(file, target, { seconds: SECONDS, args: ['--lb', lb], cpu: { proxy: proxyCpu } });
  return { rps: r.rps, p99: r.p99, calls: r.calls, clientCpu: r.clientCpu, proxyCpu: r.cpu.proxy, machineCpu: r.machineCpu };
}

const mean = (xs: Run[], k: keyof Run) => xs.reduce((n, x) => n + x[k], 0) / xs.length;
/** The median of the per-round ratios a/b, with their range. */
const ratio = (a: Run[], b: Run[], k: 'rps' | 'p99') =>
  roundRatio(
    a.map((x) => x[k]),
    b.map((x) => x[k]),
  );

async function onScale(docker: Docker, echo: number) {
  const rt = getRuntime();
  const file = testTopologyFile(PROJECT, 90);
  const t = loadTopology(file, { proxy: true, echo });
  await down(rt, PROJECT);
  await up(rt, t);
  const prof = PROFILE ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(PROFILE)] : [];
  const router = execa(process.execPath, [...NODE_FLAGS, ...prof, lab, '-f', file, 'router'], { cwd: ROOT, reject: false });
  try {
    await new Promise<void>((resolve, reject) => {
      router.stdout!.on('data', (d: Buffer) => /listens on/.test(d.toString()) && resolve());
      void router.then((r) => reject(new Error(`the router exited: ${String(r.stderr)}`)));
    });
    const pid = router.pid!;
    const haproxy = `${PROJECT}-${t.instances.find((i) => i.role === 'proxy')!.name}`; // the container is project-instance
    const paths: Array<[string, string, string, () => Promise<number>]> = [
      ['direct (client-side round_robin)', 'etcd:///echo', 'round_robin', async () => 0],
      ['HAProxy L7 (HTTP/2)', `ipv4:${t.proxy!.l7}`, 'pick_first', () => containerCpuMs(docker, haproxy)],
      ['lab router', `ipv4:${t.router}`, 'pick_first', async () => processCpuMs(pid)],
    ];
    say(`\n${echo} echo server(s) · 64 in flight · ${ROUNDS} rounds of ${SECONDS} s per path, the order rotating`);
    await traffic(file, paths[0][1], paths[0][2], paths[0][3]); // warm-up
    await traffic(file, paths[2][1], paths[2][2], paths[2][3]); // the router's JIT too
    const runs = new Map<string, Run[]>(paths.map(([name]) => [name, []]));
    for (let i = 0; i < ROUNDS; i++)
      for (let j = 0; j < paths.length; j++) {
        const [name, target, lb, cpu] = paths[(i + j) % paths.length];
        runs.get(name)!.push(await traffic(file, target, lb, cpu));
      }
    const result = Object.fromEntries(
      [...runs].map(([k, v]) => [
        k,
        { rps: mean(v, 'rps'), p99: mean(v, 'p99'), clientCpu: mean(v, 'clientCpu'), proxyCpu: mean(v, 'proxyCpu'), machineCpu: mean(v, 'machineCpu') },
      ]),
    );
    const memory = memoryMiB(pid);
    say(`  ${'path'.padEnd(34)} ${'RPS'.padStart(6)}  ${'p99'.padStart(8)}   CPU ms per 1,000 calls: client  proxy  machine`);
    for (const [name, r] of Object.entries(result))
      say(
        `  ${name.padEnd(34)} ${String(Math.round(r.rps)).padStart(6)}  ${r.p99.toFixed(1).padStart(5)} ms   ${' '.repeat(24)}${r.clientCpu.toFixed(0).padStart(6)} ${r.proxyCpu.toFixed(0).padStart(6)} ${r.machineCpu.toFixed(0).padStart(8)}`,
      );
    const [direct, haproxyR, routed] = paths.map(([name]) => runs.get(name)!);
    const ratios = {
      rpsOverHaproxy: ratio(routed, haproxyR, 'rps'),
      p99OverHaproxy: ratio(routed, haproxyR, 'p99'),
      rpsOverDirect: ratio(routed, direct, 'rps'),
      p99OverDirect: ratio(routed, direct, 'p99'),
    };
    const r = ratioText;
    const directRps = direct.map((x) => x.rps);
    const noise = (Math.max(...directRps) - Math.min(...directRps)) / mean(direct, 'rps');
    say(`\n  the median of ${ROUNDS} rounds (their range):`);
    say(`  router / HAProxy  RPS ${r(ratios.rpsOverHaproxy)} (target ≥ 1.0)   p99 ${r(ratios.p99OverHaproxy)} (target ≤ 1.1)`);
    say(`  router / direct   RPS ${r(ratios.rpsOverDirect)}                  p99 ${r(ratios.p99OverDirect)}`);
    say(`  the machine's noise: the direct path's RPS varied by ${(noise * 100).toFixed(0)}% between rounds`);
    say(`  router memory     RSS ${memory.rss.toFixed(0)} MiB, peak ${memory.peak.toFixed(0)} MiB`);
    return { echo, result, ratios, machineNoise: noise, routerMemoryMiB: memory };
  } finally {
    router.kill('SIGINT');
    await router;
    await down(rt, PROJECT);
  }
}

async function main() {
  const docker = new Docker();
  say('RPS, p99 and CPU through each path to the same echo containers');
  const out = [];
  for (const echo of SCALES) out.push(await onScale(docker, echo));
  if (PROFILE) say(`\nthe router's CPU profile: ${path.resolve(PROFILE)}`);
  if (JSON_OUT) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  say(`\nleft behind: ${JSON.stringify(await leftovers(PROJECT))}`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
