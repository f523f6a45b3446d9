// fault: { target: echo-2, latency: 100ms, jitter: 20ms, errorRate: 10%, code: UNAVAILABLE,
// failN: 2, ofM: 3, cpuBurn: 500us } — the echo's own knobs. `fault: { target: echo-2 }` clears them.
import { status } from '@grpc/grpc-js';
import { z } from 'zod';
import { describeFault, type Fault, FAILURE_STATUS_NAMES, statusCode } from '../../wire/index.js';
import { duration, fraction, toFraction, toMs } from '../../util/units.js';
import { checkTarget, defineAction, instanceName, type ArgProblem } from './action.js';

const arg = z
  .strictObject({
    target: instanceName,
    /** Added to every call. */
    latency: duration.optional(),
    /** Uniform, on top of latency. */
    jitter: duration.optional(),
    /** Share of calls that fail with `code`: 10% (or 0.1). */
    errorRate: fraction.optional(),
    code: z.enum(FAILURE_STATUS_NAMES).optional(),
    /** Fail failN of every ofM calls (seed 000's failing server: 2 of 3). */
    failN: z.number().int().min(0).optional(),
    ofM: z.number().int().min(0).optional(),
    /** CPU work per call (a busy loop), e.g. 500us. */
    cpuBurn: duration.optional(),
  })
  .refine((f) => (f.failN ?? 0) <= (f.ofM ?? 0), { message: 'failN must not exceed ofM (fail failN of every ofM calls)', path: ['failN'] });

export default defineAction({
  kind: 'fault',
  summary: "the echo's own knobs: latency, jitter, an error rate with a code, fail N of M, CPU per call; `{ target }` alone clears",
  example: 'fault: { target: echo-2, latency: 100ms, errorRate: 10%, code: UNAVAILABLE }',
  arg,
  resolve(a, names): { target: string; fault: Fault } | ArgProblem {
    const problem = checkTarget(names, a.target, 'echo', ['target']);
    if (problem) return problem;
    const ms = (v: string | number | undefined) => (v === undefined ? 0 : toMs(v));
    return {
      target: a.target,
      fault: {
        latencyMs: ms(a.latency),
        jitterMs: ms(a.jitter),
        errorRate: a.errorRate === undefined ? 0 : toFraction(a.errorRate),
        errorCode: a.code === undefined ? status.UNAVAILABLE : statusCode(a.code),
        failN: a.failN ?? 0,
        failOfM: a.ofM ?? 0,
        cpuBurnUs: Math.round(ms(a.cpuBurn) * 1000),
      },
    };
  },
  describe: ({ target, fault }) => `fault on ${target}: ${describeFault(fault) || 'cleared'}`,
  model({ target, fault }, sandbox) {
    const inst = sandbox.reachable(target, 'set its fault knobs');
    if (typeof inst === 'string') return inst;
    // Only what is sure of every call: all of them fail, or each waits at least this long.
    const failsAll = fault.errorRate >= 1 || (fault.failOfM > 0 && fault.failN >= fault.failOfM);
    const echo = failsAll || fault.latencyMs ? { failsAll, latencyMs: fault.latencyMs, line: sandbox.line } : undefined;
    sandbox.set(inst, { faults: { ...inst.faults, echo } }, describeFault(fault) ? 'given a fault' : 'cleared of faults');
    return undefined;
  },
  async run({ target, fault }, ctx) {
    await ctx.control(target).setFault(fault);
    ctx.undo(`clear faults on ${target}`, async () => void (await ctx.control(target).setFault({})));
  },
});
