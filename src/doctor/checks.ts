// `lab doctor`: what the lab needs on this machine, each check saying what is wrong and the command
// that fixes it.
import { binaryRecipe, getRecipe, LABEL, projectSelector, bindProblem, PING_TIMEOUT_MS, type ContainerRuntime, echoBundleDir } from '../sandbox/index.js';
import { existsSync } from 'node:fs';
import { LabError } from '../errors.js';
import { loadTopology, type Topology } from '../topology/index.js';
import path from 'node:path';

export interface CheckResult {
  name: string;
  ok: boolean;
  /** A warning does not stop the lab (e.g. an image that will be assembled on first up). */
  warn?: boolean;
  detail: string;
  fix?: string;
}

async function attempt(name: string, fn: () => Promise<Omit<CheckResult, 'name'>>): Promise<CheckResult> {
  try {
    return { name, ...(await fn()) };
  } catch (err) {
    return { name, ok: false, detail: (err as Error).message, fix: err instanceof LabError ? err.hint : undefined };
  }
}

export async function runChecks(rt: ContainerRuntime, topologyFile: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  results.push({ name: 'Node.js', ok: major >= 20, detail: `v${process.versions.node}`, fix: major >= 20 ? undefined : 'Install Node.js 20 or newer.' });

  let t: Topology | undefined;
  results.push(
    await attempt('topology', async () => {
      t = loadTopology(topologyFile);
      return { ok: true, detail: `${topologyFile}: project ${t.project}, ${t.instances.length} services` };
    }),
  );

  const docker = await attempt('Docker engine', async () => {
    await rt.ping(PING_TIMEOUT_MS);
    return { ok: true, detail: 'answers' };
  });
  results.push(docker);

  results.push({
    name: 'echo bundle',
    ok: existsSync(path.join(echoBundleDir(), 'lib/echo/server.cjs')),
    detail: echoBundleDir(),
    fix: 'npm run build',
  });

  if (t && docker.ok) {
    const topo = t;
    const roles = [...new Map(topo.instances.map((i) => [i.role, i])).values()];
    for (const inst of roles) {
      results.push(
        await attempt(`image for ${inst.role === 'sidecar' ? 'sidecars' : inst.service}`, async () => {
          if (!inst.image.binary && !inst.image.ref.startsWith('lab/') && (await rt.imageId(inst.image.ref)))
            return { ok: true, detail: `${inst.image.ref} (present)` };
          // A server of yours from a host executable (x-lab.binary), or one of the lab's recipes.
          const recipe = inst.image.binary ? binaryRecipe(inst.image.ref, inst.image.binary) : inst.image.assemble ? getRecipe(inst.image.assemble) : undefined;
          if (!recipe) return { ok: false, detail: `${inst.image.ref} is absent and has no recipe`, fix: `docker pull ${inst.image.ref}, or lab up --pull` };
          await recipe.rootfs(); // throws with an install hint when a binary is missing
          return { ok: true, detail: `assembled locally from this machine's binaries (${recipe.repository})` };
        }),
      );
    }
    const ours = new Map((await rt.listContainers(projectSelector(topo.project))).map((c) => [c.labels[LABEL.instance], c.state]));
    const taken: string[] = [];
    for (const inst of topo.instances) {
      if (ours.get(inst.name) === 'running' || ours.get(inst.name) === 'paused') continue;
      for (const p of inst.ports) if (await bindProblem(p)) taken.push(`${p.hostIp}:${p.hostPort}/${p.protocol}`);
    }
    results.push({
      name: 'loopback addresses',
      ok: taken.length === 0,
      detail: taken.length ? `in use: ${taken.join(', ')}` : `${topo.instances.reduce((n, i) => n + i.ports.length, 0)} free or held by the lab`,
      fix: taken.length
        ? `ss -lntup | grep -E '${taken.map((a) => a.split('/')[0].replace(/\./g, '\\.')).join('|')}'  # find and stop who holds them`
        : undefined,
    });
  }
  return results;
}
