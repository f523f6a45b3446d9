// fault: { target: echo-2, latency: 100ms, jitter: 20ms, errorRate: 10%, code: UNAVAILABLE,
// failN: 2, ofM: 3, cpuBurn: 500us } — the echo's own knobs. `fault: { target: echo-2 }` clears them.
import { status } from '@grpc/grpc-js';
import { describeFault } from '../../echo/faults.js';
import { call } from '../../grpc/protos.js';
import { parseDuration } from '../../util/duration.js';
import { isEcho, registerAction } from './action.js';

interface FaultArg {
  target: string;
  fault: { latencyMs: number; jitterMs: number; errorRate: number; errorCode: number; failN: number; failOfM: number; cpuBurnUs: number };
}

const KEYS = ['target', 'latency', 'jitter', 'errorRate', 'code', 'failN', 'ofM', 'cpuBurn'];

registerAction<FaultArg>({
  kind: 'fault',
  parse(raw, { instances }) {
    if (!raw || typeof raw !== 'object') return `expected { target: echo-N, latency, jitter, errorRate, code, failN, ofM, cpuBurn }, found ${JSON.stringify(raw)}`;
    const r = raw as Record<string, unknown>;
    const unknown = Object.keys(r).find((k) => !KEYS.includes(k));
    if (unknown) return `unknown fault setting "${unknown}" (known: ${KEYS.join(', ')})`;
    if (typeof r.target !== 'string' || !instances.has(r.target) || !isEcho(r.target)) return `fault.target must be an echo server (${[...instances].filter(isEcho).join(', ')}), found ${JSON.stringify(r.target)}`;
    const ms = (k: string) => (r[k] === undefined ? 0 : parseDuration(r[k] as string | number));
    const latencyMs = ms('latency');
    const jitterMs = ms('jitter');
    if (latencyMs === undefined || jitterMs === undefined) return 'fault.latency and fault.jitter are durations such as 100ms';
    let errorRate = 0;
    if (r.errorRate !== undefined) {
      const m = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(String(r.errorRate));
      errorRate = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
      if (!(errorRate >= 0 && errorRate <= 1)) return `fault.errorRate must be 0..1 or 0%..100%, found ${JSON.stringify(r.errorRate)}`;
    }
    const code = r.code === undefined ? status.UNAVAILABLE : (status as unknown as Record<string, number>)[String(r.code)];
    if (code === undefined) return `fault.code must be a gRPC status name (UNAVAILABLE, INTERNAL, ...), found ${JSON.stringify(r.code)}`;
    const int = (k: string) => (r[k] === undefined ? 0 : Number.isInteger(r[k]) && (r[k] as number) >= 0 ? (r[k] as number) : NaN);
    const failN = int('failN');
    const failOfM = int('ofM');
    if (Number.isNaN(failN) || Number.isNaN(failOfM) || failN > failOfM) return 'fault.failN and fault.ofM are whole numbers with failN <= ofM';
    let cpuBurnUs = 0;
    if (r.cpuBurn !== undefined) {
      const m = /^(\d+)\s*(us|µs)?$/.exec(String(r.cpuBurn));
      if (!m) return `fault.cpuBurn is CPU time per call in microseconds, e.g. 500us, found ${JSON.stringify(r.cpuBurn)}`;
      cpuBurnUs = Number(m[1]);
    }
    return { target: r.target, fault: { latencyMs, jitterMs, errorRate, errorCode: code, failN, failOfM, cpuBurnUs } };
  },
  describe: ({ target, fault }) => `fault on ${target}: ${describeFault(fault) || 'cleared'}`,
  async run({ target, fault }, ctx) {
    await call(ctx.control(target), 'SetFault', { fault });
    ctx.undo(`clear faults on ${target}`, async () => void (await call(ctx.control(target), 'SetFault', { fault: {} })));
  },
});
