// set-weight: { echo-2: 5 } — the echo server registers again with the new weight (etcd's value,
// Consul's Meta.weight and Weights), which weighted balancers read through the resolver.
import { call } from '../../grpc/protos.js';
import { isEcho, registerAction } from './action.js';

registerAction<{ target: string; weight: number }>({
  kind: 'set-weight',
  parse(raw, { instances }) {
    const entries = raw && typeof raw === 'object' ? Object.entries(raw) : [];
    if (entries.length !== 1) return `expected { <echo server>: <weight> }, found ${JSON.stringify(raw)}`;
    const [target, weight] = entries[0];
    if (!instances.has(target) || !isEcho(target)) return `unknown echo server "${target}" (the sandbox has ${[...instances].filter(isEcho).join(', ')})`;
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 1000) return `expected a whole weight from 0 to 1000 for ${target}, found ${JSON.stringify(weight)}`;
    return { target, weight };
  },
  describe: (a) => `${a.target} weight → ${a.weight}`,
  async run({ target, weight }, ctx) {
    const before = await call<object, { weight: number }>(ctx.control(target), 'GetStats', {});
    await call(ctx.control(target), 'SetWeight', { weight });
    ctx.undo(`${target} weight → ${before.weight}`, async () => void (await call(ctx.control(target), 'SetWeight', { weight: before.weight })));
  },
});
