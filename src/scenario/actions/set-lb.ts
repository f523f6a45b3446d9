// set-lb: { client: rr, lb: wrr_smooth } — swap a client's service config live (a balancer name with
// its defaults, or a whole service config). The client gets a new channel; its series goes on.
import { LabError } from '../../errors.js';
import { serviceConfigFrom, type ServiceConfigJson } from '../../traffic/index.js';
import { registerAction } from './action.js';

registerAction<{ client: string; lb: string; serviceConfig: ServiceConfigJson }>({
  kind: 'set-lb',
  parse(raw, { clients }) {
    const r = (raw ?? {}) as { client?: unknown; lb?: unknown };
    if (typeof r.client !== 'string' || !clients.has(r.client)) return `set-lb.client must be one of the scenario's clients (${[...clients].join(', ')}), found ${JSON.stringify(r.client)}`;
    if (typeof r.lb !== 'string' && (typeof r.lb !== 'object' || r.lb === null)) return `set-lb.lb must be a balancer name or a service config, found ${JSON.stringify(r.lb)}`;
    try {
      return { client: r.client, lb: typeof r.lb === 'string' ? r.lb : JSON.stringify(r.lb), serviceConfig: serviceConfigFrom(r.lb as string | object) };
    } catch (err) {
      if (err instanceof LabError) return `set-lb.lb: ${err.message.replace(/^--lb: |^service config: /, '')}`;
      throw err;
    }
  },
  describe: (a) => `${a.client} balancer → ${a.lb}`,
  // No undo: clients live only as long as the run.
  async run({ client, serviceConfig }, ctx) {
    ctx.setServiceConfig(client, serviceConfig);
  },
});
