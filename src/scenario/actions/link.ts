// link: { target: echo-2, latency: 200ms, jitter: 20ms, bandwidth: 100kB/s, blackhole: true,
// reset: true, slowClose: 2s, direction: down|up|both } — a fault on the path between host clients
// and one echo server, done by the TCP link proxy in front of it. `link: { target: echo-2 }` clears.
// direction: which bytes it applies to; `down` (backend to client) by default, as Toxiproxy does,
// so `latency: 100ms` adds 100 ms to each call.
import { call } from '../../grpc/protos.js';
import { describeLinkFault, normalizeLinkFault, type LinkFault } from '../../echo/link/link-fault.js';
import { parseDuration } from '../../util/duration.js';
import { isEcho, registerAction } from './action.js';

interface LinkArg {
  target: string;
  fault: LinkFault;
}

const KEYS = ['target', 'latency', 'jitter', 'bandwidth', 'blackhole', 'reset', 'slowClose', 'direction'];
const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** "100kB/s", "1MB/s", "512B/s", or a number of bytes per second. */
export function parseBandwidth(v: unknown): number | undefined {
  if (typeof v === 'number') return v > 0 && Number.isFinite(v) ? v : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)\/s\s*$/i.exec(String(v));
  if (!m) return undefined;
  const bps = Number(m[1]) * UNITS[m[2].toLowerCase()];
  return bps > 0 ? Math.round(bps) : undefined;
}

registerAction<LinkArg>({
  kind: 'link',
  parse(raw, { instances }) {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return `expected { target: echo-N, latency, jitter, bandwidth, blackhole, reset, slowClose, direction }, found ${JSON.stringify(raw)}`;
    const r = raw as Record<string, unknown>;
    const unknown = Object.keys(r).find((k) => !KEYS.includes(k));
    if (unknown) return `unknown link setting "${unknown}" (known: ${KEYS.join(', ')})`;
    if (typeof r.target !== 'string' || !instances.has(r.target) || !isEcho(r.target)) return `link.target must be an echo server (${[...instances].filter(isEcho).join(', ')}), found ${JSON.stringify(r.target)}`;
    const ms = (k: string) => (r[k] === undefined ? 0 : parseDuration(r[k] as string | number));
    const latencyMs = ms('latency');
    const jitterMs = ms('jitter');
    const slowCloseMs = ms('slowClose');
    if (latencyMs === undefined || jitterMs === undefined || slowCloseMs === undefined) return 'link.latency, link.jitter and link.slowClose are durations such as 100ms';
    const bandwidthBps = r.bandwidth === undefined ? 0 : parseBandwidth(r.bandwidth);
    if (bandwidthBps === undefined) return `link.bandwidth is a rate such as 100kB/s, 1MB/s or 512B/s, found ${JSON.stringify(r.bandwidth)}`;
    for (const k of ['blackhole', 'reset']) if (r[k] !== undefined && typeof r[k] !== 'boolean') return `link.${k} is true or false, found ${JSON.stringify(r[k])}`;
    if (r.direction !== undefined && !['down', 'up', 'both'].includes(r.direction as string)) return `link.direction is down (backend to client), up or both, found ${JSON.stringify(r.direction)}`;
    return { target: r.target, fault: normalizeLinkFault({ latencyMs, jitterMs, slowCloseMs, bandwidthBps, blackhole: r.blackhole, reset: r.reset, direction: r.direction }) };
  },
  describe: ({ target, fault }) => `link to ${target}: ${describeLinkFault(fault)}`,
  async run({ target, fault }, ctx) {
    await call(ctx.control(target), 'SetLinkFault', { fault });
    ctx.undo(`clear the link fault on ${target}`, async () => void (await call(ctx.control(target), 'SetLinkFault', { fault: {} })));
  },
});
