// Which lab project a command works on, found as git finds its repository: the nearest folder, from
// the current one upward, that holds compose/lab.yaml. Outside any project, the topology the
// package ships. The project's .lab/ holds its reports and its log (outside a project: ./.lab).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from './paths.js';

export const TOPOLOGY_IN_PROJECT = path.join('compose', 'lab.yaml');

export interface Project {
  /** The project folder (outside any project: the current folder). */
  root: string;
  topology: string;
  /** No project was found: the topology is the package's own. */
  packaged: boolean;
}

export function findProject(from = process.cwd()): Project {
  for (let dir = path.resolve(from); ;) {
    const topology = path.join(dir, TOPOLOGY_IN_PROJECT);
    if (existsSync(topology)) return { root: dir, topology, packaged: false };
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return { root: path.resolve(from), topology: path.join(packageRoot(), TOPOLOGY_IN_PROJECT), packaged: true };
}

/** The project's own folder for reports and the log. */
export function labDir(from = process.cwd()): string {
  return path.join(findProject(from).root, '.lab');
}

/** The scenario library: the project's scenarios/ folder, else the one the package ships. */
export function libraryDir(from = process.cwd()): string {
  const p = findProject(from);
  const own = path.join(p.root, 'scenarios');
  return !p.packaged || existsSync(own) ? own : path.join(packageRoot(), 'scenarios');
}
