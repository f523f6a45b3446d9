// Which of the sandbox's backends a client can send calls to at one moment: those its target names
// (a service through a registry, an address list, a proxy in front of them all) whose process is up.
// A target the lab does not know (your own server) may reach anything: the model then asks nothing
// of backend names.
import { isBackend } from '../../topology/index.js';
import { parseTarget } from '../../traffic/index.js';
import type { ClientModel, InstanceModel, SandboxModel } from './sandbox-model.js';

/** Addresses in front of every echo server: HAProxy's frontends, the router. */
export interface Fronts {
  all: string[];
}

export interface Reach {
  /** Backends it dials (alive or not). */
  dialled: string[];
  /** It may reach servers outside the sandbox. */
  external: boolean;
}

/** The backends (echo servers, servers of yours) that register as one service. */
const backendsOf = (m: SandboxModel, service: string) => [...m.instances.values()].filter((i) => isBackend(i) && i.service === service).map((i) => i.name);

/** Every echo server: what HAProxy and the router stand in front of (both route to the echo servers only). */
const echoesOf = (m: SandboxModel) => [...m.instances.values()].filter((i) => i.role === 'echo').map((i) => i.name);

/** Every backend that counts calls per client: the echo servers, and the servers of yours (their sidecars count). */
const countedOf = (m: SandboxModel) => [...m.instances.values()].filter((i) => isBackend(i)).map((i) => i.name);

/** The backends a client's target dials in this sandbox. */
export function dialled(client: ClientModel, m: SandboxModel, fronts: Fronts): Reach {
  // A client you run: its own target, unknown to the lab; it may reach any backend that counts its calls.
  if (client.observed || !client.target) return { dialled: countedOf(m), external: false };
  const t = parseTarget(client.target);
  const scheme = t.scheme?.toLowerCase();
  if (scheme === 'etcd' || scheme === 'consul' || scheme === 'xds')
    return { dialled: backendsOf(m, t.path.replace(/^\/+/, '').replace(/\?.*$/, '')), external: false };
  if (scheme === 'ipv4' || scheme === 'ipv6' || scheme === 'dns' || scheme === undefined) {
    const names: string[] = [];
    let external = false;
    for (const address of t.path.replace(/^\/+/, '').split(',')) {
      const host = address.replace(/:\d+$/, '');
      const consul = /^([a-z0-9-]+)\.service\.consul$/i.exec(host);
      if (consul) names.push(...backendsOf(m, consul[1]));
      else if (fronts.all.includes(address)) names.push(...echoesOf(m));
      else {
        const inst = [...m.instances.values()].find((i: InstanceModel) => i.hostAddress === address || `${i.name}` === host);
        if (inst && isBackend(inst)) names.push(inst.name);
        else external = true;
      }
    }
    return { dialled: [...new Set(names)], external };
  }
  return { dialled: [], external: true };
}

/** Up at (or after) `ms`: a frozen process still takes calls (they stall); one stopping gracefully takes them until it is gone. */
export const isUp = (i: InstanceModel, ms: number) => i.process !== 'exited' || (i.upUntil ?? -Infinity) > ms;
