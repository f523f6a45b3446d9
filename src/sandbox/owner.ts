// Who is changing a project's sandbox right now. Every command that changes it (up, play, watch,
// lab) writes a marker file (its pid and command) while it runs and removes it when it ends: after
// success, an error or Ctrl-C alike. A marker whose process is gone means that command died without
// cleaning up (kill -9, a crash, a closed laptop): the next lab command sweeps what it left — every
// container, network and volume with the project's label — and says so. No reaper container: one
// would need the Docker socket mounted, which the lab never does.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { EnvironmentError } from '../errors.js';
import { readJsonFile } from '../util/json-file.js';
import { cacheDir } from '../util/paths.js';
import { down, type DownResult } from './down.js';
import type { ContainerRuntime } from './runtime/container-runtime.js';

/** A marker as written; read back parsed (one that is not this shape is no marker). */
const markerSchema = z.object({ pid: z.number().int().positive(), command: z.string(), startedAt: z.string(), host: z.string() });
export type Marker = z.infer<typeof markerSchema>;

export interface Swept {
  marker: Marker;
  removed: DownResult;
}

export const markerPath = (project: string) => path.join(cacheDir(), 'run', `${project}.json`);

let eventFiles = 0;
/** Where a playing process writes its event log until the report takes it (swept with its marker). */
export function eventsFileFor(pid: number): string {
  mkdirSync(path.join(cacheDir(), 'run'), { recursive: true });
  return path.join(cacheDir(), 'run', `events-${pid}-${Date.now()}-${eventFiles++}.jsonl`);
}

/** A dead process's event logs: nobody will take them into a report now. */
function removeEventFiles(pid: number): void {
  const dir = path.join(cacheDir(), 'run');
  for (const f of existsSync(dir) ? readdirSync(dir) : []) if (f.startsWith(`events-${pid}-`)) rmSync(path.join(dir, f), { force: true });
}

const readMarker = (project: string): Marker | undefined => readJsonFile(markerPath(project), markerSchema);

/** Is the marker's process still running (and still a lab, not a reused pid)? */
export function alive(m: Marker): boolean {
  if (m.host !== os.hostname()) return true; // another machine's: not ours to judge
  if (m.pid === process.pid) return true;
  try {
    process.kill(m.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return /lab|node/.test(readFileSync(`/proc/${m.pid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** Sweeps what a dead owner left, if anything; for every command that touches the sandbox. */
export async function sweepIfOrphaned(rt: ContainerRuntime, project: string): Promise<Swept | undefined> {
  const m = readMarker(project);
  if (!m || alive(m)) return undefined;
  const removed = await down(rt, project);
  removeEventFiles(m.pid);
  try {
    unlinkSync(markerPath(project));
  } catch {
    // another command swept it first
  }
  return { marker: m, removed };
}

/** After `lab down` removed everything anyway: forget a dead owner's marker (a live one's stays). */
export function forgetIfOrphaned(project: string): void {
  const m = readMarker(project);
  if (m && !alive(m)) {
    try {
      unlinkSync(markerPath(project));
    } catch {
      // already gone
    }
  }
}

export interface Claim {
  swept?: Swept;
  release(): void;
}

/**
 * Marks the sandbox as changed by this process (sweeping first what a dead one left). Refuses when
 * another live lab command is changing it: two scenarios on one sandbox would spoil each other.
 */
export async function claimSandbox(rt: ContainerRuntime, project: string, command: string): Promise<Claim> {
  const other = readMarker(project);
  if (other && other.pid !== process.pid && alive(other)) {
    throw new EnvironmentError(`another lab command is changing the sandbox ${project}: \`${other.command}\` (pid ${other.pid}, since ${other.startedAt})`, {
      hint: `Wait for it to end, or stop it (kill ${other.pid}; Ctrl-C in its terminal). If it is gone for good, remove ${markerPath(project)}.`,
    });
  }
  const swept = await sweepIfOrphaned(rt, project);
  const file = markerPath(project);
  mkdirSync(path.dirname(file), { recursive: true });
  const marker: Marker = { pid: process.pid, command, startedAt: new Date().toISOString(), host: os.hostname() };
  writeFileSync(file, JSON.stringify(marker));
  const release = () => {
    process.off('exit', release);
    const now = readMarker(project);
    if (now?.pid === process.pid && existsSync(file)) unlinkSync(file);
  };
  // Also on process.exit() paths that skip finally blocks; kill -9 is what the sweep is for.
  process.on('exit', release);
  return { swept, release };
}

/** One line for the terminal about a sweep. */
export function sweptLine(s: Swept): string {
  return `a previous \`${s.marker.command}\` (pid ${s.marker.pid}, started ${s.marker.startedAt}) died without cleaning up: removed what it left (${s.removed.containers.length} container(s), ${s.removed.networks.length} network(s))`;
}
