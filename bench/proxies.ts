// npm run bench:proxies: RPS and p99 in one run, on the same three echo containers, through
//   - direct client-side balancing (round_robin over the etcd resolver),
//   - HAProxy's L7 frontend (HTTP/2 both sides),
//   - the lab's gRPC router (`lab router`, its own process),
// each driven by `lab traffic` (its own process, 64 calls in flight, alternating, 2 runs each), and
// the router's RPS as a fraction of direct (target: at least 0.5) and of HAProxy's.
// Project labpxbench on 127.90.x.y; removes all it made.
import { setupLab } from '../src/setup.js';
import path from 'node:path';
import { $ } from 'zx';
import { down, getRuntime, up } from '../src/sandbox/index.js';
import { loadTopology } from '../src/topology/load.js';
import { leftovers, ROOT, testTopologyFile } from '../test/helpers/lab.js';

setupLab();

const args = process.argv.slice(2);
const SECONDS = Number(args[args.indexOf('--seconds') + 1]) || 5;
const JSON_OUT = args.includes('--json');
const PROJECT = 'labpxbench';
const say = (s: string) => !JSON_OUT && process.stdout.write(`${s}\n`);
const lab = path.join(ROOT, 'bin/lab.js');

interface Run {
  rps: number;
  p99: number;
}

async function traffic(file: string, target: string, lb: string): Promise<Run> {
  const args = [lab, '-f', file, 'traffic', '-t', target, '--lb', lb, '--concurrency', '64', '-d', `${SECONDS}s`, '--deadline', '5s', '--json'];
  const r = await $({ cwd: ROOT, quiet: true })`${process.execPath} ${args}`;
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type?: string; total?: { ok: number; p99Ms: number }; elapsedMs?: number });
  const summary = lines.at(-1)!;
  const buckets = lines
    .filter((l) => l.type === 'bucket' && l.total)
    .map((l) => l.total!.p99Ms)
    .sort((a, b) => a - b);
  return { rps: summary.total!.ok / (summary.elapsedMs! / 1000), p99: buckets[Math.floor(buckets.length / 2)] ?? NaN };
}

async function main() {
  const rt = getRuntime();
  const file = testTopologyFile(PROJECT, 90);
  const t = loadTopology(file, { proxy: true });
  await down(rt, PROJECT);
  await up(rt, t);
  const router = $({ cwd: ROOT, nothrow: true, quiet: true })`${process.execPath} ${[lab, '-f', file, 'router']}`;
  try {
    await new Promise<void>((resolve, reject) => {
      router.stdout.on('data', (d: Buffer) => /listens on/.test(d.toString()) && resolve());
      void router.then((r) => reject(new Error(`the router exited: ${r.stderr}`)));
    });
    const paths: Array<[string, string, string]> = [
      ['direct (client-side round_robin)', 'etcd:///echo', 'round_robin'],
      ['HAProxy L7 (HTTP/2)', `ipv4:${t.proxy!.l7}`, 'pick_first'],
      ['lab router', `ipv4:${t.router}`, 'pick_first'],
    ];
    say(`RPS and p99 through each path to the same 3 echo containers · 64 in flight · ${SECONDS} s × 2 runs each, alternating`);
    await traffic(file, paths[0][1], paths[0][2]); // warm-up
    const runs = new Map<string, Run[]>(paths.map(([name]) => [name, []]));
    for (let i = 0; i < 2; i++) for (const [name, target, lb] of paths) runs.get(name)!.push(await traffic(file, target, lb));
    const avg = (xs: Run[]) => ({ rps: xs.reduce((n, x) => n + x.rps, 0) / xs.length, p99: xs.reduce((n, x) => n + x.p99, 0) / xs.length });
    const result = Object.fromEntries([...runs].map(([k, v]) => [k, avg(v)]));
    for (const [name, r] of Object.entries(result)) say(`  ${name.padEnd(34)} ${String(Math.round(r.rps)).padStart(6)} RPS   p99 ${r.p99.toFixed(1)} ms`);
    const direct = result[paths[0][0]].rps;
    const haproxy = result[paths[1][0]].rps;
    const routed = result[paths[2][0]].rps;
    say(`\n  router / direct   ${(routed / direct).toFixed(2)} (target: at least 0.5)`);
    say(`  router / HAProxy  ${(routed / haproxy).toFixed(2)}`);
    if (JSON_OUT) process.stdout.write(`${JSON.stringify({ result, routerOverDirect: routed / direct, routerOverHaproxy: routed / haproxy }, null, 2)}\n`);
  } finally {
    router.kill('SIGINT');
    await router.catch(() => undefined);
    await down(rt, PROJECT);
  }
  say(`\nleft behind: ${JSON.stringify(await leftovers(PROJECT))}`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
