// Which targets can work, checked before any channel exists: grpc-js takes any string and, for a
// scheme it does not know, falls back to DNS on the whole string, so a typo'd scheme or a bad
// address only shows up as 100% UNAVAILABLE after the run has started.
import { isIPv4, isIPv6 } from 'node:net';
import { experimental } from '@grpc/grpc-js';

/** Why a target's path (what follows "scheme://authority/") cannot work for this scheme, or undefined. */
export type PathCheck = (path: string) => string | undefined;

const BUILT_IN = ['dns', 'ipv4', 'ipv6', 'unix', 'unix-abstract', 'vsock'];
const schemes = new Map<string, PathCheck | undefined>(BUILT_IN.map((s) => [s, s === 'dns' ? dnsPath : undefined]));

/** Resolvers the lab (or a plug-in such as grpc-js-xds) registers call this, so targets know them. */
export function knowScheme(scheme: string, check?: PathCheck): void {
  schemes.set(scheme, check);
}

export function knownSchemes(): string[] {
  return [...schemes.keys()];
}

/** dns:[//authority/]host:port — the port, when given, is a port. */
function dnsPath(path: string): string | undefined {
  const hp = experimental.splitHostPort(path);
  if (!hp?.host) return `"${path}" names no host`;
  if (hp.port !== undefined && badPort(hp.port)) return `"${path}" needs a port from 1 to 65535`;
  return undefined;
}

function badPort(port: number | undefined): boolean {
  return port === undefined || !Number.isInteger(port) || port < 1 || port > 65535;
}

/** Why `target` cannot work, or undefined when it may. */
export function targetProblem(target: string): string | undefined {
  if (!target.trim()) return 'the target is empty';
  if (/\s/.test(target)) return `"${target}" has white space in it`;
  const m = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(target);
  // host:port with no scheme is grpc-js's default (dns).
  if (!m || /^\d+$/.test(m[2].split('/')[0] ?? '')) return undefined;
  const scheme = m[1].toLowerCase();
  if (!schemes.has(scheme)) return `unknown scheme "${scheme}:" (known: ${knownSchemes().join(', ')}); grpc-js would look the whole target up in DNS`;
  // scheme:path or scheme://authority/path (grpc-js's URI forms).
  const path = m[2].startsWith('//') ? m[2].slice(2).replace(/^[^/]*\/?/, '') : m[2];
  const check = schemes.get(scheme);
  if (check) return check(path);
  if (scheme === 'ipv4' || scheme === 'ipv6') {
    const list = m[2].replace(/^\/\/\//, '');
    for (const part of list.split(',')) {
      const hp = experimental.splitHostPort(part);
      const ok = scheme === 'ipv4' ? isIPv4(hp?.host ?? '') : isIPv6(hp?.host ?? '');
      if (!hp || !ok) return `"${part}" is not an ${scheme === 'ipv4' ? 'IPv4' : 'IPv6'} address with a port`;
      if (badPort(hp.port)) return `"${part}" needs a port from 1 to 65535`;
    }
  }
  return undefined;
}
