// link: { target: echo-2, latency: 200ms, jitter: 20ms, bandwidth: 100kB/s, blackhole: true,
// reset: true, slowClose: 2s, direction: down|up|both } — a fault on the path between host clients
// and one echo server (or a server of yours), done by the TCP link proxy in front of it (in its
// sidecar). `link: { target: echo-2 }` clears.
// direction: which bytes it applies to; `down` (backend to client) by default, as Toxiproxy does,
// so `latency: 100ms` adds 100 ms to each call.
import { z } from 'zod';
import { describeLinkFault, normalizeLinkFault, type LinkFault } from '../../wire/index.js';
import { duration, toMs } from '../../util/units.js';
import { ArgProblem, checkBackend, defineAction, instanceName } from './action.js';

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
const RATE = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)\/s\s*$/i;

/** "100kB/s", "1MB/s", "512B/s" (a rate carries its unit, as durations do). */
export function parseBandwidth(v: unknown): number | undefined {
  const m = RATE.exec(String(v));
  if (!m) return undefined;
  const bps = Number(m[1]) * UNITS[m[2].toLowerCase()];
  return bps > 0 ? Math.round(bps) : undefined;
}

const arg = z.strictObject({
  target: instanceName,
  latency: duration.optional(),
  jitter: duration.optional(),
  /** A bandwidth cap: 100kB/s, 1MB/s, 512B/s. */
  bandwidth: z
    .string()
    .refine((v) => parseBandwidth(v) !== undefined, { message: 'expected a rate such as 100kB/s, 1MB/s or 512B/s' })
    .optional(),
  /** Bytes vanish, connections stay open. */
  blackhole: z.boolean().optional(),
  /** Every connection, open or new, gets a RST. */
  reset: z.boolean().optional(),
  /** A FIN arrives this much later. */
  slowClose: duration.optional(),
  /** down (backend to client, the default), up or both. */
  direction: z.enum(['down', 'up', 'both']).optional(),
});

export default defineAction({
  kind: 'link',
  summary: 'a fault on the wire, in the link proxy: latency, jitter, bandwidth, blackhole, reset, slow close; `{ target }` alone clears',
  example: 'link: { target: echo-2, latency: 100ms, direction: down }',
  arg,
  resolve(a, names): { target: string; fault: LinkFault } | ArgProblem {
    const problem = checkBackend(names, a.target, ['target']);
    if (problem) return problem;
    const ms = (v: string | number | undefined) => (v === undefined ? 0 : toMs(v));
    return {
      target: a.target,
      fault: normalizeLinkFault({
        latencyMs: ms(a.latency),
        jitterMs: ms(a.jitter),
        slowCloseMs: ms(a.slowClose),
        bandwidthBps: a.bandwidth === undefined ? 0 : parseBandwidth(a.bandwidth),
        blackhole: a.blackhole,
        reset: a.reset,
        direction: a.direction,
      }),
    };
  },
  describe: ({ target, fault }) => `link to ${target}: ${describeLinkFault(fault)}`,
  model({ target, fault }, sandbox) {
    const inst = sandbox.reachable(target, 'set its link proxy');
    if (typeof inst === 'string') return inst;
    if (!inst.linkProxy)
      return new ArgProblem(
        `${target} has no link proxy (x-lab.link-proxy: false in the topology): link faults happen in it; turn it on, or use fault for the echo's own knobs`,
        ['target'],
      );
    const link =
      fault.blackhole || fault.reset || fault.latencyMs
        ? { failsAll: fault.blackhole || fault.reset, latencyMs: fault.latencyMs, line: sandbox.line }
        : undefined;
    sandbox.set(inst, { faults: { ...inst.faults, link } }, link ? 'given a link fault' : 'cleared of link faults');
    return undefined;
  },
  async run({ target, fault }, ctx) {
    await ctx.control(target).setLinkFault(fault);
    ctx.undo(`clear the link fault on ${target}`, async () => void (await ctx.control(target).setLinkFault({})));
  },
});
