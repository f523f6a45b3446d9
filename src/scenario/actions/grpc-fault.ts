// grpc-fault: { target: greeter-2, method: /helloworld.Greeter/SayHello, abort: { code: UNAVAILABLE,
// percent: 30% }, delay: { duration: 200ms, percent: 50% } } — the sidecar beside a server of yours
// aborts a share of the method's calls with a status and delays a share, at the frame level (as the
// router does for whatever is behind it). Host clients' calls go through the sidecar; clients in
// the lab network dial the server's own port and get none. `method` may be /pkg.Svc/* or *; a step
// with neither abort nor delay clears the method's fault. The undo puts back the faults as they were.
import { z } from 'zod';
import { FAILURE_STATUS_NAMES, statusCode } from '../../wire/index.js';
import { duration, fraction, toFraction, toMs } from '../../util/units.js';
import { describeRouterFault, methodPatternProblem, type RouterFault } from '../../router/index.js';
import { ArgProblem, checkTarget, defineAction, instanceName } from './action.js';

const arg = z.strictObject({
  target: instanceName,
  method: z.string().min(1),
  abort: z.strictObject({ code: z.enum(FAILURE_STATUS_NAMES), percent: fraction }).optional(),
  delay: z.strictObject({ duration, percent: fraction }).optional(),
});

type Resolved = { target: string; fault: RouterFault };

/** A fault as the control service carries it. */
const toWire = (f: RouterFault) => ({
  method: f.method,
  abortCode: f.abort?.code ?? 0,
  abortPercent: f.abort?.percent ?? 0,
  delayMs: f.delay?.ms ?? 0,
  delayPercent: f.delay?.percent ?? 0,
});

const fromWire = (f: { method: string; abortCode: number; abortPercent: number; delayMs: number; delayPercent: number }): RouterFault => ({
  method: f.method,
  abort: f.abortPercent > 0 ? { code: f.abortCode, percent: f.abortPercent } : undefined,
  delay: f.delayPercent > 0 ? { ms: f.delayMs, percent: f.delayPercent } : undefined,
});

export default defineAction({
  kind: 'grpc-fault',
  summary: 'the sidecar of a server of yours aborts a share of a method’s calls with a status and delays a share (host clients’ calls)',
  example: 'grpc-fault: { target: greeter-2, method: /helloworld.Greeter/SayHello, abort: { code: UNAVAILABLE, percent: 30% } }',
  arg,
  resolve(a, names): Resolved | ArgProblem {
    const problem = checkTarget(names, a.target, 'server', ['target']);
    if (problem) return problem;
    const wrong = methodPatternProblem(a.method);
    if (wrong) return new ArgProblem(wrong, ['method']);
    return {
      target: a.target,
      fault: {
        method: a.method,
        abort: a.abort && { code: statusCode(a.abort.code), percent: toFraction(a.abort.percent) * 100 },
        delay: a.delay && { ms: toMs(a.delay.duration), percent: toFraction(a.delay.percent) * 100 },
      },
    };
  },
  describe: ({ target, fault: f }) =>
    f.abort || f.delay ? `${target}'s sidecar: ${describeRouterFault(f)}` : `${target}'s sidecar: fault on ${f.method} cleared`,
  model({ target, fault }, sandbox) {
    const inst = sandbox.reachable(target, 'set its sidecar’s call faults');
    if (typeof inst === 'string') return inst;
    // As the sidecar holds them: one rule per method pattern, this step's replacing the pattern's.
    const others = (inst.faults?.calls ?? []).filter((r) => r.method !== fault.method);
    const rule =
      fault.abort || fault.delay
        ? { method: fault.method, failsAll: fault.abort?.percent === 100, latencyMs: fault.delay?.percent === 100 ? fault.delay.ms : 0, line: sandbox.line }
        : undefined;
    const calls = rule ? [...others, rule] : others;
    sandbox.set(inst, { faults: { ...inst.faults, calls } }, rule ? 'given a call fault' : 'cleared of a call fault');
    return undefined;
  },
  async run({ target, fault }, ctx) {
    const control = ctx.control(target);
    const before = (await control.getStats()).callFaults.map(fromWire);
    const others = before.filter((r) => r.method !== fault.method);
    await control.setCallFaults((fault.abort || fault.delay ? [...others, fault] : others).map(toWire));
    ctx.undo(`${target}'s call faults as before (${before.length ? before.map(describeRouterFault).join('; ') : 'none'})`, async () => {
      await ctx.control(target).setCallFaults(before.map(toWire));
    });
  },
});
