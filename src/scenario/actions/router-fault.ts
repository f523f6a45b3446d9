// router-fault: { method: /grpc.examples.echo.Echo/UnaryEcho, abort: { code: UNAVAILABLE, percent: 30% },
// delay: { duration: 200ms, percent: 50% } } — the lab's gRPC router (the one clients dialling
// {router} go through) aborts a share of the method's calls with a status and delays a share, as
// real gRPC answers, in front of any server. `method` may be /pkg.Svc/* or *; a step with neither
// abort nor delay clears the method's fault. The undo puts back the router's faults as they were.
import { z } from 'zod';
import { FAILURE_STATUS_NAMES, statusCode } from '../../wire/index.js';
import { duration, fraction, toFraction, toMs } from '../../util/units.js';
import { describeRouterFault, methodPatternProblem, type RouterFault } from '../../router/index.js';
import { ArgProblem, defineAction } from './action.js';

const arg = z.strictObject({
  method: z.string().min(1),
  abort: z.strictObject({ code: z.enum(FAILURE_STATUS_NAMES), percent: fraction }).optional(),
  delay: z.strictObject({ duration, percent: fraction }).optional(),
});

export default defineAction({
  kind: 'router-fault',
  summary: "the lab's gRPC router aborts a share of a method's calls with a status and delays a share (any server behind it)",
  example: 'router-fault: { method: /grpc.examples.echo.Echo/UnaryEcho, abort: { code: UNAVAILABLE, percent: 30% } }',
  arg,
  resolve(a): RouterFault | ArgProblem {
    const wrong = methodPatternProblem(a.method);
    if (wrong) return new ArgProblem(wrong, ['method']);
    return {
      method: a.method,
      abort: a.abort && { code: statusCode(a.abort.code), percent: toFraction(a.abort.percent) * 100 },
      delay: a.delay && { ms: toMs(a.delay.duration), percent: toFraction(a.delay.percent) * 100 },
    };
  },
  describe: (f) => (f.abort || f.delay ? `router fault ${describeRouterFault(f)}` : `router fault on ${f.method} cleared`),
  // Whether the scenario runs the router (a client dials {router}) is checked with its clients.
  model: () => undefined,
  async run(f, ctx) {
    const faults = ctx.router().faults;
    const before = faults.list();
    const others = before.filter((r) => r.method !== f.method);
    faults.set(f.abort || f.delay ? [...others, f] : others);
    ctx.undo(`router faults as before (${before.length ? before.map(describeRouterFault).join('; ') : 'none'})`, async () => faults.set(before));
  },
});
