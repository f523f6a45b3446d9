// Which targets can work, checked before any channel exists: grpc-js takes any string and, for a
// scheme it does not know, falls back to DNS on the whole string, so a typo'd scheme or a bad
// address only shows up as 100% UNAVAILABLE after the run has started.
import { existsSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { experimental } from '@grpc/grpc-js';
import type { Origin } from './origin.js';

/** Why a target's path (what follows "scheme://authority/") cannot work for this scheme, or undefined. */
export type PathCheck = (path: string) => string | undefined;

const BUILT_IN = ['dns', 'ipv4', 'ipv6', 'unix', 'unix-abstract', 'vsock'];
const schemes = new Map<string, { check?: PathCheck; origin: Origin }>(
  BUILT_IN.map((s) => [s, { check: s === 'dns' ? dnsPath : undefined, origin: 'grpc-js' }]),
);

/** Resolvers the lab (or a plug-in such as grpc-js-xds) registers call this, so targets know them and where they come from. */
export function knowScheme(scheme: string, check: PathCheck | undefined, origin: Origin): void {
  schemes.set(scheme, { check, origin });
}

export function knownSchemes(): string[] {
  return [...schemes.keys()];
}

/** Where a target's resolver comes from (grpc-js's dns, ipv4, ...; grpc-js-xds's xds; the lab's etcd and consul). */
export function schemeOrigin(scheme: string | undefined): Origin | undefined {
  return schemes.get((scheme ?? 'dns').toLowerCase())?.origin;
}

/** A target's parts as grpc-js's URI parser reads them (its uri-parser.ts: scheme, authority, path). */
export interface TargetParts {
  scheme?: string;
  authority?: string;
  path: string;
}

const URI = /^(?:([A-Za-z0-9+.-]+):)?(?:\/\/([^/]*)\/)?(.+)$/;

export function parseTarget(target: string): TargetParts {
  const m = URI.exec(target);
  return m ? { scheme: m[1], authority: m[2], path: m[3] } : { path: target };
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** Why `host:port` (a port required unless `portOptional`) is not one grpc-js can dial. */
function hostPortProblem(text: string, what: string, portOptional = false, examplePort = 50051): string | undefined {
  const hp = experimental.splitHostPort(text);
  if (!hp && /^[^:]+:[^:]*$/.test(text)) return `${what} "${text}" needs a port from 1 to 65535 after the colon`;
  if (!hp?.host) return `${what} "${text}" names no host`;
  if (!HOST.test(hp.host) && !isIPv4(hp.host) && !isIPv6(hp.host)) return `${what} "${text}": "${hp.host}" is not a host name or an IP address`;
  if (hp.port === undefined) {
    if (/:[^\]]*$/.test(text.replace(/^\[[^\]]*\]/, ''))) return `${what} "${text}" needs a port from 1 to 65535 after the colon`;
    return portOptional
      ? undefined
      : `${what} "${text}" names no port${what.startsWith('the address') ? ' (grpc-js would dial port 443)' : ''}: add one, e.g. ${hp.host}:${examplePort}`;
  }
  if (badPort(hp.port)) return `${what} "${text}" needs a port from 1 to 65535`;
  return undefined;
}

/** dns:[//dns-server/]host:port — the server's port may be left out (53); the host's may not (grpc-js would dial 443). */
function dnsPath(path: string): string | undefined {
  return hostPortProblem(path.replace(/^\/+/, ''), 'the address');
}

function badPort(port: number | undefined): boolean {
  return port === undefined || !Number.isInteger(port) || port < 1 || port > 65535;
}

/** Why `target` cannot work, or undefined when it may. */
export function targetProblem(target: string): string | undefined {
  if (!target.trim()) return 'the target is empty';
  if (/[\u2018\u2019\u201A\u201B\u201C\u201D\u201E\u201F\u00AB\u00BB]/.test(target))
    return `"${target}" has curly quotes in it: write the target with straight quotes, or none (etcd:///echo)`;
  if (/\s/.test(target)) return `"${target}" has white space in it`;
  if (/^[A-Za-z0-9+.-]+:$/.test(target)) return `"${target}" names nothing after the scheme`;
  const parts = parseTarget(target);
  // host:port with no scheme is grpc-js's default (dns); so is a scheme grpc-js does not know.
  if (parts.scheme === undefined || /^\d+$/.test(parts.path.split('/')[0] ?? '')) return hostPortProblem(target, 'the address');
  const scheme = parts.scheme;
  if (!schemes.has(scheme)) {
    if (schemes.has(scheme.toLowerCase()))
      return `the scheme "${scheme}:" is not "${scheme.toLowerCase()}:": grpc-js matches schemes as written, and would look the whole target up in DNS`;
    return `unknown scheme "${scheme}:" (known: ${knownSchemes().join(', ')}); grpc-js would look the whole target up in DNS`;
  }
  // The authority: a DNS server (dns://), the registry's address (etcd://, consul://; etcd takes a list).
  for (const a of parts.authority ? parts.authority.split(',') : []) {
    const problem = hostPortProblem(a, `the authority (after ${scheme}://)`, scheme === 'dns', scheme === 'consul' ? 8500 : 2379);
    if (problem) return problem;
  }
  // Nothing but slashes after the scheme: the scheme's own words say what it needs.
  if (!parts.path.replace(/^\/+/, '')) return schemes.get(scheme)?.check?.('') ?? `"${target}" names nothing after the scheme`;
  // scheme://name with no third slash: grpc-js reads no authority, and a path "//name".
  if (parts.authority === undefined && parts.path.startsWith('//') && !parts.path.slice(2).includes('/'))
    return `"${target}" names no ${scheme === 'dns' ? 'address' : 'service'} (after ${scheme}:// comes an authority, then a slash): did you mean ${scheme}:///${parts.path.slice(2)}?`;
  const check = schemes.get(scheme)?.check;
  if (check) return check(parts.path);
  if (scheme === 'ipv4' || scheme === 'ipv6') {
    for (const part of parts.path.replace(/^\/+/, '').split(',')) {
      const hp = experimental.splitHostPort(part);
      const ok = scheme === 'ipv4' ? isIPv4(hp?.host ?? '') : isIPv6(hp?.host ?? '');
      if (!hp || !ok) return `"${part}" is not an ${scheme === 'ipv4' ? 'IPv4' : 'IPv6'} address with a port`;
      if (badPort(hp.port)) return `"${part}" needs a port from 1 to 65535`;
    }
  }
  // grpc-js's unix: resolver: unix:///tmp/s (an empty authority) is the absolute path /tmp/s.
  const socket = parts.authority === '' ? `/${parts.path}` : parts.path;
  if (scheme === 'unix' && !existsSync(socket)) return `no socket at ${socket} (is your server running?)`;
  return undefined;
}

/** The service a registry-backed target names (etcd:///echo, consul:///echo?healthy=true, xds:///echo, dns://…/echo.service.consul:50051). */
export function serviceOfTarget(target: string): string | undefined {
  const parts = parseTarget(target);
  const path = parts.path.replace(/^\/+/, '');
  if (parts.scheme === 'etcd' || parts.scheme === 'consul' || parts.scheme === 'xds') return path.replace(/\?.*$/, '');
  return /^([a-z0-9-]+)\.service\.consul(?::\d+)?$/i.exec(path)?.[1];
}
