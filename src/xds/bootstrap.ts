// Node ids and bootstraps for xDS clients of the lab's control plane.
import type { ChannelOptions } from '@grpc/grpc-js';
import { InputError } from '../errors.js';
import type { Topology } from '../topology/index.js';
import { isXdsTarget, xdsBootstrap, xdsChannelOptions } from '../traffic/index.js';

/** The node id of one of the lab's clients: its name, and this process (so two runs never share one). */
export const xdsNodeId = (client: string) => `lab/${client}/${process.pid}`;

/** A bootstrap for a client outside the lab (grpc-go, grpc-java, C-core): GRPC_XDS_BOOTSTRAP=<file>. */
export function userBootstrap(server: string, opts: { nodeId?: string; zone?: string; addresses?: 'host' | 'cluster' } = {}): object {
  return xdsBootstrap({ server, nodeId: opts.nodeId ?? `user/${process.env.USER ?? 'client'}`, zone: opts.zone, addresses: opts.addresses });
}

/** The channel options an xds: client of this sandbox needs (none for other targets). */
export function xdsOptionsFor(t: Topology, client: string, target: string): ChannelOptions {
  if (!isXdsTarget(target)) return {};
  if (!t.xds)
    throw new InputError(`${target}: the sandbox runs no xDS control plane`, { hint: 'Start it with `lab up --xds` (a scenario: `sandbox: { xds: true }`).' });
  return xdsChannelOptions({ server: t.xds.hostAddress, nodeId: xdsNodeId(client) });
}
