// What the lab cannot go below, measured in the same run, beside the lab's own figures:
//   the engine's floor: Docker creating and starting N containers like the lab's echo servers (same
//   image, options, network and published ports; a process that only sleeps), then removing them;
//   a bare grpc-js server (the same Node.js, in a container of the same image, one Echo handler and
//   nothing else) under the same light load as an echo server: its CPU per call.
// Project labscalefloor on 127.86.x.y; removes all it made.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bulkhead } from 'cockatiel';
import { build } from 'esbuild';
import { $ } from 'zx';
import { down, getRuntime, projectSelector, resolveImage } from '../src/sandbox/index.js';
import { planContainer } from '../src/sandbox/container-plan.js';
import { loadTopology } from '../src/topology/load.js';
import { ROOT, tempDir } from '../test/helpers/lab.js';
import { containerCpuMs } from './cpu.js';

export const FLOOR_PROJECT = 'labscalefloor';

export interface EngineFloor {
  echo: number;
  startMs: number;
  removeMs: number;
}

/** Docker alone: N containers as the lab plans its echo servers, started and removed as the lab does (16 and 8 at a time). */
export async function engineFloor(file: string, n: number): Promise<EngineFloor> {
  const rt = getRuntime();
  const t = loadTopology(file, { echo: n });
  const echoes = t.instances.filter((i) => i.role === 'echo');
  const image = await resolveImage(rt, echoes[0].image);
  const netId = await rt.createNetwork(`${FLOOR_PROJECT}-net`, { 'dev.lab.project': FLOOR_PROJECT });
  try {
    const specs = echoes.map((inst) => {
      const spec = planContainer({ ...t, project: FLOOR_PROJECT, network: `${FLOOR_PROJECT}-net` }, inst, image, 'floor');
      const ports = spec.ports.map((p) => ({ ...p, hostIp: p.hostIp.replace(/^127\.\d+\./, '127.86.') }));
      return { ...spec, ports, entrypoint: ['/usr/bin/node'], command: ['-e', 'setInterval(() => {}, 1e9)'] };
    });
    const starts = bulkhead(16, Infinity);
    const t0 = performance.now();
    await Promise.all(specs.map((s) => starts.execute(async () => rt.startContainer(await rt.createContainer(s)))));
    const startMs = performance.now() - t0;
    const t1 = performance.now();
    await down(rt, FLOOR_PROJECT);
    return { echo: n, startMs, removeMs: performance.now() - t1 };
  } finally {
    await down(rt, FLOOR_PROJECT);
    await rt.removeNetwork(netId).catch(() => undefined);
  }
}

const BARE_SERVER = `
import { Server, ServerCredentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
const def = loadSync('/bare/echo.proto', { keepCase: true });
const pkg = loadPackageDefinition(def) as any;
const server = new Server({ 'grpc.enable_channelz': 0 });
server.addService(pkg.grpc.examples.echo.Echo.service, { UnaryEcho: (call: any, cb: any) => cb(null, { message: call.request.message }) });
server.bindAsync('0.0.0.0:50051', ServerCredentials.createInsecure(), () => undefined);
`;

/**
 * A bare grpc-js echo server in a container of the echo image, on 127.86.9.1:50051; returns its
 * container id and a function that removes it.
 */
export async function startBareServer(file: string): Promise<{ id: string; address: string; stop: () => Promise<void> }> {
  const dir = tempDir('lab-bare-');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'bare.ts'), BARE_SERVER);
  await build({
    entryPoints: [path.join(dir, 'bare.ts')],
    outfile: path.join(dir, 'bare.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'error',
    nodePaths: [path.join(ROOT, 'node_modules')],
  });
  writeFileSync(path.join(dir, 'echo.proto'), readFileSync(path.join(ROOT, 'protos/echo.proto'), 'utf8'));
  // The container runs as nobody: it must be able to read them.
  chmodSync(dir, 0o755);
  for (const f of ['bare.cjs', 'echo.proto']) chmodSync(path.join(dir, f), 0o644);
  const rt = getRuntime();
  const t = loadTopology(file, { echo: 1 });
  const image = await resolveImage(rt, t.instances.find((i) => i.role === 'echo')!.image);
  const name = `${FLOOR_PROJECT}-bare`;
  const address = '127.86.9.1:50051';
  const { stdout } = await $({
    quiet: true,
  })`docker run -d --name ${name} --label dev.lab.project=${FLOOR_PROJECT} -p ${address}:50051 -v ${dir}:/bare:ro --user 65534:65534 --read-only --entrypoint /usr/bin/node ${image} ${'--max-old-space-size=64'} /bare/bare.cjs`;
  const id = stdout.trim();
  return {
    id,
    address,
    stop: async () => {
      await rt.removeContainer(id);
    },
  };
}

/** A container's CPU per call over `run` (which returns the calls it made). */
export async function cpuPerCall(id: string, run: () => Promise<number>): Promise<number> {
  const c0 = containerCpuMs(id) ?? 0;
  const calls = await run();
  return ((containerCpuMs(id) ?? 0) - c0) / Math.max(1, calls);
}

export async function floorLeftovers() {
  const rt = getRuntime();
  const [cs, ns] = await Promise.all([rt.listContainers(projectSelector(FLOOR_PROJECT)), rt.listNetworks(projectSelector(FLOOR_PROJECT))]);
  return { containers: cs.map((c) => c.name), networks: ns.map((x) => x.name) };
}
