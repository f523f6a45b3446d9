// Options every command shares, and how a command gets its topology.
import { InputError } from '../errors.js';
import { loadTopology, type TopologyOverrides, type Topology } from '../topology/index.js';
import { findProject } from '../util/project.js';

export interface GlobalOptions {
  file?: string;
  /** docker or swarm: main.ts hands it to every topology this process loads, as LAB_ENGINE. */
  engine?: string;
}

/** The topology file: --file, else $LAB_TOPOLOGY, else the project's (found upward), else the package's. */
export function topologyFileOf(opts: GlobalOptions): string {
  return opts.file ?? (process.env.LAB_TOPOLOGY || findProject().topology);
}

export function topologyFrom(opts: GlobalOptions, overrides: TopologyOverrides = {}): Topology {
  return loadTopology(topologyFileOf(opts), overrides);
}

/** Commander's argParser for a positive integer flag, with the flag named in the error. */
export const positiveInt = (flag: string, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) throw new InputError(`${flag} expects a whole number from 1 to ${max}, found "${value}"`);
  return n;
};
