// npm run bench:sidecar: what the sidecar beside a server of yours costs per call, in one run,
// against a direct connection and against the echo's link proxy. One sandbox, one echo server and
// one replica of the grpc-go example server (examples/servers/go); four paths, each driven by
// `lab traffic` (its own process, 64 calls in flight), taking turns in rounds (the order rotating):
//   - the echo, direct:             its container's address on the lab network, its own port;
//   - the echo, through its link proxy (its host address: the proxy copies bytes, in the echo's process);
//   - your server, direct:          its container's address, its own port (the sidecar not in the way);
//   - your server, through its sidecar (its host address: the link proxy, then the frame-level relay).
// Prints per path RPS, p99 and CPU per 1,000 calls (the client's, the server container's, the
// sidecar's, the machine's), and, as the median of the rounds' ratios: sidecar/direct and link
// proxy/direct for RPS and p99, and what each proxy adds in CPU per 1,000 calls.
//   --rounds N    rounds (default 5)
//   --seconds N   each run's length (default 4)
//   --json        the figures as JSON
// Project labscbench on 127.86.x.y; removes all it made (never the example's image).
import { setupLab } from '../src/setup.js';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Docker from 'dockerode';
import { down, getRuntime, up } from '../src/sandbox/index.js';
import { loadTopology } from '../src/topology/load.js';
import { leftovers, ROOT } from '../test/helpers/lab.js';
import { serverTopologyFile } from '../test/helpers/own-server.js';
import { containerCpuMs } from './lib/cpu.js';
import { labTraffic, type TrafficRun } from './lib/lab-traffic.js';
import { median, ratioText, roundRatio } from './lib/stats.js';

setupLab();

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const SECONDS = Number(arg('--seconds')) || 4;
const ROUNDS = Number(arg('--rounds')) || 5;
const JSON_OUT = args.includes('--json');
const PROJECT = 'labscbench';
const OCTET = 86;
const METHOD = '/helloworld.Greeter/SayHello';
const say = (s: string) => !JSON_OUT && process.stdout.write(`${s}\n`);

const topologyFile = () => serverTopologyFile(PROJECT, OCTET, 'go', 1);

/** A container's address on the lab network (the host reaches it over Docker's bridge). */
async function containerIp(docker: Docker, name: string, network: string): Promise<string> {
  const info = await docker.getContainer(name).inspect();
  const ip = info.NetworkSettings.Networks[network]?.IPAddress;
  if (!ip) throw new Error(`${name} has no address on ${network}`);
  return ip;
}

async function main() {
  execFileSync('sh', [path.join(ROOT, 'examples/servers/go/build.sh')], { stdio: 'inherit' });
  const docker = new Docker();
  const rt = getRuntime();
  const file = topologyFile();
  const t = loadTopology(file);
  await down(rt, PROJECT);
  await up(rt, t);
  try {
    const echo = t.instances.find((i) => i.role === 'echo')!;
    const server = t.instances.find((i) => i.role === 'server')!;
    const container = (name: string) => `${PROJECT}-${name}`;
    const echoIp = await containerIp(docker, container(echo.name), t.network);
    const serverIp = await containerIp(docker, container(server.joins!), t.network);
    const port = (address: string) => address.split(':')[1];
    const cpu = {
      echo: () => containerCpuMs(docker, container(echo.name)),
      server: () => containerCpuMs(docker, container(server.name)),
      sidecar: () => containerCpuMs(docker, container(server.joins!)),
    };
    const paths: Array<[string, string, string[]]> = [
      ['echo, direct', `ipv4:${echoIp}:${port(echo.clusterAddress)}`, []],
      ['echo, through its link proxy', `ipv4:${echo.hostAddress}`, []],
      ['your server, direct', `ipv4:${serverIp}:${port(server.clusterAddress)}`, ['--method', METHOD]],
      ['your server, through its sidecar', `ipv4:${server.hostAddress}`, ['--method', METHOD]],
    ];
    const run = ([, target, extra]: (typeof paths)[number]) => labTraffic(file, target, { seconds: SECONDS, args: extra, cpu });
    say(`the sidecar's cost: ${ROUNDS} rounds of ${SECONDS} s per path, 64 calls in flight, the order rotating`);
    for (const p of paths) await run(p); // warm-up: connections, JIT
    const runs = new Map<string, TrafficRun[]>(paths.map(([name]) => [name, []]));
    for (let i = 0; i < ROUNDS; i++)
      for (let j = 0; j < paths.length; j++) {
        const p = paths[(i + j) % paths.length];
        runs.get(p[0])!.push(await run(p));
      }
    const m = (name: string, pick: (r: TrafficRun) => number) => median(runs.get(name)!.map(pick));
    say(`\n  ${'path'.padEnd(34)} ${'RPS'.padStart(6)} ${'p99'.padStart(9)}   CPU ms per 1,000 calls: client  echo  server  sidecar  machine`);
    for (const [name] of paths)
      say(
        `  ${name.padEnd(34)} ${m(name, (r) => r.rps)
          .toFixed(0)
          .padStart(6)} ${m(name, (r) => r.p99)
          .toFixed(1)
          .padStart(6)} ms   ${' '.repeat(24)}${[
          m(name, (r) => r.clientCpu)
            .toFixed(0)
            .padStart(6),
          m(name, (r) => r.cpu.echo)
            .toFixed(0)
            .padStart(5),
          m(name, (r) => r.cpu.server)
            .toFixed(0)
            .padStart(7),
          m(name, (r) => r.cpu.sidecar)
            .toFixed(0)
            .padStart(8),
          m(name, (r) => r.machineCpu)
            .toFixed(0)
            .padStart(8),
        ].join(' ')}`,
      );
    const of = (name: string, k: 'rps' | 'p99') => runs.get(name)!.map((r) => r[k]);
    const sidecar = {
      rps: roundRatio(of('your server, through its sidecar', 'rps'), of('your server, direct', 'rps')),
      p99: roundRatio(of('your server, through its sidecar', 'p99'), of('your server, direct', 'p99')),
      cpuPer1k: m('your server, through its sidecar', (r) => r.cpu.sidecar),
    };
    const linkEcho = runs.get('echo, through its link proxy')!;
    const directEcho = runs.get('echo, direct')!;
    const link = {
      rps: roundRatio(of('echo, through its link proxy', 'rps'), of('echo, direct', 'rps')),
      p99: roundRatio(of('echo, through its link proxy', 'p99'), of('echo, direct', 'p99')),
      // The link proxy runs in the echo's process: what the echo's container spent more per call through it.
      cpuPer1k: median(linkEcho.map((r, i) => r.cpu.echo - directEcho[i].cpu.echo)),
    };
    say(`\n  the median of ${ROUNDS} rounds (their range):`);
    say(
      `  sidecar / direct      RPS ${ratioText(sidecar.rps)}   p99 ${ratioText(sidecar.p99)}   it adds ${sidecar.cpuPer1k.toFixed(0)} ms CPU per 1,000 calls (its container)`,
    );
    say(
      `  link proxy / direct   RPS ${ratioText(link.rps)}   p99 ${ratioText(link.p99)}   it adds ${link.cpuPer1k.toFixed(0)} ms CPU per 1,000 calls (the echo's container, through it less direct)`,
    );
    if (JSON_OUT)
      process.stdout.write(
        `${JSON.stringify({ sidecar, link, paths: Object.fromEntries([...runs].map(([k, v]) => [k, { rps: median(v.map((r) => r.rps)), p99: median(v.map((r) => r.p99)) }])) }, null, 2)}\n`,
      );
  } finally {
    await down(rt, PROJECT);
    say(`\nleft behind: ${JSON.stringify(await leftovers(PROJECT))}`);
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
