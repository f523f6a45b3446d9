// A target against the sandbox it is meant for: a registry's service must be one its echo servers
// register as (etcd:///nosuch resolves to nothing, for good); a dns: server that is one of the
// sandbox's addresses must be Consul's DNS interface; a .consul name needs that server (the system's
// resolver does not know .consul).
import { parseTarget, serviceOfTarget } from '../traffic/index.js';
import type { Topology } from './types.js';

/** A backend: an echo server, or a server of yours (not its sidecar). */
export const isBackend = (i: { role: string }) => i.role === 'echo' || i.role === 'server';

/** The servers of yours by the addresses a client may pick (host and cluster): they do not say who they are. */
export function serverNames(t: Topology): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of t.instances.filter((x) => x.role === 'server')) out[i.hostAddress] = out[i.clusterAddress] = i.name;
  return out;
}

/** Why the lab's own client cannot call `target` so: a server of yours answers its own methods, not the echo's. */
export function callProblem(target: string, t: Topology, method: string | undefined): string | undefined {
  if (method !== undefined && !/^\/[A-Za-z_][\w.]*\/[A-Za-z_]\w*$/.test(method))
    return `"${method}" is not a gRPC method path: write /package.Service/Method, e.g. /helloworld.Greeter/SayHello`;
  if (method) return undefined;
  const service = serviceOfTarget(target);
  const byService = service !== undefined && t.instances.find((i) => i.role === 'server' && i.service === service);
  // Or by address (ipv4:{greeter-2}, a list): the replica whose host or cluster address it is.
  const names = serverNames(t);
  const byAddress = parseTarget(target)
    .path.replace(/^\/+/, '')
    .split(',')
    .map((a) => names[a])
    .find(Boolean);
  const who = byService ? `"${service}"` : byAddress;
  if (who) return `${who} is a server of yours, which answers its own methods, not the echo's: name the method to call, e.g. /helloworld.Greeter/SayHello`;
  return undefined;
}

/** Why `target` cannot reach this sandbox's backends, or undefined. */
export function sandboxTargetProblem(target: string, t: Topology): string | undefined {
  const service = serviceOfTarget(target);
  const services = [...new Set(t.instances.filter(isBackend).map((i) => i.service))];
  if (service !== undefined && !services.includes(service))
    return `no service "${service}" in the sandbox (its ${t.instances.some((i) => i.role === 'server') ? 'backends' : 'echo servers'} register as ${services.map((x) => `"${x}"`).join(', ')})`;
  const parts = parseTarget(target);
  if (parts.scheme !== 'dns') return undefined;
  const dns = t.consul.dnsHostAddress;
  const server = parts.authority;
  const own = t.instances.find((i) => i.ports.some((p) => `${p.hostIp}:${p.hostPort}` === server));
  if (server && own && server !== dns) return `${server} is ${own.name}'s, not a DNS server${dns ? `; Consul answers DNS at ${dns}` : ''}`;
  if (!server && /\.consul(:\d+)?$/.test(parts.path))
    return `.consul names are answered by Consul's DNS, which the system's resolver does not ask: name it, dns://${dns ?? '<consul-dns>'}/${parts.path.replace(/^\/+/, '')}`;
  return undefined;
}
