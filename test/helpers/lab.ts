// Test helpers: a topology on its own project and loopback range (so tests never touch a user's
// running lab), the CLI as a real process, and a check that nothing labelled was left behind.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type Options } from 'execa';
import { parseDocument } from 'yaml';
import { getRuntime, projectSelector } from '../../src/sandbox/index.js';
import { loadTopology } from '../../src/topology/load.js';
import type { Topology } from '../../src/topology/types.js';
import { packageRoot } from '../../src/util/paths.js';

const temps: string[] = [];
process.on('exit', () => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** A temporary directory that is removed when this process exits (tests leave nothing in /tmp). */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
}

export const ROOT = packageRoot();

/** compose/lab.yaml, moved to project `project` on 127.<octet>.x.y, written to a temp file. */
export function testTopologyFile(project = 'labtest', octet = 78, edit?: (doc: ReturnType<typeof parseDocument>) => void): string {
  const doc = parseDocument(readFileSync(path.join(ROOT, 'compose/lab.yaml'), 'utf8'));
  doc.setIn(['x-lab', 'project'], project);
  doc.setIn(['networks', 'default', 'name'], `${project}-net`);
  const swap = (s: string) => s.replace(/^127\.77\./, `127.${octet}.`);
  for (const svc of ['etcd', 'consul', 'proxy', 'xds']) {
    const ports = doc.getIn(['services', svc, 'ports']) as { items: Array<{ value: string }> };
    ports.items.forEach((p, i) => doc.setIn(['services', svc, 'ports', i], swap(p.value)));
  }
  doc.setIn(['services', 'echo', 'x-lab', 'address'], `127.${octet}.1.{n}`);
  doc.setIn(['services', 'etcd', 'x-lab', 'address'], `127.${octet}.2.{n}`);
  edit?.(doc);
  const dir = tempDir('lab-test-');
  const file = path.join(dir, 'lab.yaml');
  writeFileSync(file, doc.toString());
  return file;
}

export function testTopology(file: string, echo?: number): Topology {
  return loadTopology(file, { echo });
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `lab ...args` as a user would (bin/lab.js, built CLI), never throwing on a non-zero exit. */
export async function lab(args: string[], options: Options = {}): Promise<CliResult> {
  const t0 = Date.now();
  const r = await execa(process.execPath, [path.join(ROOT, 'bin/lab.js'), ...args], { reject: false, cwd: ROOT, timeout: 120_000, ...options });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), ms: Date.now() - t0 };
}

/** Containers and networks still carrying the project's label. */
export async function leftovers(project: string): Promise<{ containers: string[]; networks: string[] }> {
  const rt = getRuntime();
  const [cs, ns] = await Promise.all([rt.listContainers(projectSelector(project)), rt.listNetworks(projectSelector(project))]);
  return { containers: cs.map((c) => c.name), networks: ns.map((n) => n.name) };
}

/** Polls `fn` until it returns a truthy value (or throws after `ms`): for events outside our process. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  while (Date.now() - t0 < ms) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`${what}: not within ${ms} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
