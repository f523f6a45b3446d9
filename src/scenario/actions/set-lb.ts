// set-lb: { client: rr, lb: wrr_smooth } — swap a client's service config live (a balancer name with
// its defaults, or a whole service config). The client gets a new channel; its series goes on.
import { z } from 'zod';
import { LabError } from '../../errors.js';
import { serviceConfigFrom, type ServiceConfigJson } from '../../traffic/index.js';
import { ArgProblem, defineAction } from './action.js';

export default defineAction({
  kind: 'set-lb',
  summary: "the client's service config is swapped live (a balancer name, or a whole service config)",
  example: 'set-lb: { client: rr, lb: wrr_smooth }',
  arg: z.strictObject({ client: z.string().min(1), lb: z.union([z.string().min(1), z.record(z.string(), z.unknown())]) }),
  resolve({ client, lb }, { clients }): { client: string; lb: string; serviceConfig: ServiceConfigJson } | ArgProblem {
    if (!clients.has(client)) return new ArgProblem(`no client named "${client}" (the scenario has ${[...clients].join(', ')})`, ['client']);
    try {
      return { client, lb: typeof lb === 'string' ? lb : JSON.stringify(lb), serviceConfig: serviceConfigFrom(lb) };
    } catch (err) {
      if (err instanceof LabError) return new ArgProblem(err.message.replace(/^--lb: |^service config: /, ''), ['lb']);
      throw err;
    }
  },
  describe: (a) => `${a.client} balancer → ${a.lb}`,
  // No undo: clients live only as long as the run.
  async run({ client, serviceConfig }, ctx) {
    ctx.setServiceConfig(client, serviceConfig);
  },
});
