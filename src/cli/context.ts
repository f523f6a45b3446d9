// Options every command shares, and how a command gets its topology.
import { InputError } from '../errors.js';
import { DEFAULT_TOPOLOGY, loadTopology, type TopologyOverrides } from '../topology/load.js';
import type { Topology } from '../topology/types.js';

export interface GlobalOptions {
  file?: string;
}

export function topologyFrom(opts: GlobalOptions, overrides: TopologyOverrides = {}): Topology {
  return loadTopology(opts.file ?? process.env.LAB_TOPOLOGY ?? DEFAULT_TOPOLOGY, overrides);
}

/** Commander's argParser for a positive integer flag, with the flag named in the error. */
export const positiveInt = (flag: string, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) throw new InputError(`${flag} expects a whole number from 1 to ${max}, found "${value}"`);
  return n;
};
