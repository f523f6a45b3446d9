// Ready when an HTTP GET answers 200 and its body passes a check.
import { READY, notReady, type WaitStrategy } from './wait-strategy.js';

export function httpWait(what: string, url: string, accept: (body: string) => boolean | string = () => true): WaitStrategy {
  return {
    what,
    async probe(signal) {
      const res = await fetch(url, { signal });
      const body = await res.text();
      if (res.status !== 200) return notReady(`HTTP ${res.status}`);
      const ok = accept(body);
      return ok === true ? READY : notReady(typeof ok === 'string' ? ok : `unexpected answer ${body.slice(0, 80)}`);
    },
  };
}

/** etcd's /health: {"health":"true"}. */
export const etcdHealthWait = (hostAddress: string) => httpWait('etcd /health', `http://${hostAddress}/health`, (b) => /"health"\s*:\s*"true"/.test(b));

/** Consul has elected a leader (a dev agent elects itself). */
export const consulLeaderWait = (hostAddress: string) =>
  httpWait('Consul leader', `http://${hostAddress}/v1/status/leader`, (b) => (b.replace(/"/g, '').trim() ? true : 'no leader yet'));
