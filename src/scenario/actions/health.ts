// health: { echo-2: NOT_SERVING } — the echo's grpc.health.v1 answer (Consul's gRPC check follows).
import { call } from '../../grpc/protos.js';
import { isEcho, registerAction } from './action.js';

registerAction<{ target: string; serving: boolean }>({
  kind: 'health',
  parse(raw, { instances }) {
    const entries = raw && typeof raw === 'object' ? Object.entries(raw) : [];
    if (entries.length !== 1) return `expected { <echo server>: SERVING | NOT_SERVING }, found ${JSON.stringify(raw)}`;
    const [target, status] = entries[0];
    if (!instances.has(target) || !isEcho(target)) return `unknown echo server "${target}" (the sandbox has ${[...instances].filter(isEcho).join(', ')})`;
    if (status !== 'SERVING' && status !== 'NOT_SERVING') return `expected SERVING or NOT_SERVING for ${target}, found ${JSON.stringify(status)}`;
    return { target, serving: status === 'SERVING' };
  },
  describe: (a) => `${a.target} health → ${a.serving ? 'SERVING' : 'NOT_SERVING'}`,
  async run({ target, serving }, ctx) {
    await call(ctx.control(target), 'SetHealth', { serving });
    if (!serving) ctx.undo(`${target} health → SERVING`, async () => void (await call(ctx.control(target), 'SetHealth', { serving: true })));
  },
});
