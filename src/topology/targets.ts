// A target against the sandbox it is meant for: a registry's service must be one its echo servers
// register as (etcd:///nosuch resolves to nothing, for good); a dns: server that is one of the
// sandbox's addresses must be Consul's DNS interface; a .consul name needs that server (the system's
// resolver does not know .consul).
import { parseTarget, serviceOfTarget } from '../traffic/index.js';
import type { Topology } from './types.js';

/** Why `target` cannot reach this sandbox's backends, or undefined. */
export function sandboxTargetProblem(target: string, t: Topology): string | undefined {
  const service = serviceOfTarget(target);
  const services = [...new Set(t.instances.filter((i) => i.role === 'echo').map((i) => i.service))];
  if (service !== undefined && !services.includes(service))
    return `no service "${service}" in the sandbox (its echo servers register as ${services.map((x) => `"${x}"`).join(', ')})`;
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
