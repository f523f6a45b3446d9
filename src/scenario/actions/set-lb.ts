// set-lb: { client: rr, lb: wrr_smooth } — swap a client's service config live (a balancer name with
// its defaults, or a whole service config). The client gets a new channel; its series goes on.
import { z } from 'zod';
import { LabError } from '../../errors.js';
import { isXdsTarget, maxAttemptsOf, serviceConfigFrom, type ServiceConfigJson } from '../../traffic/index.js';
import { ArgProblem, defineAction } from './action.js';

export default defineAction({
  kind: 'set-lb',
  summary: "the client's service config is swapped live (a balancer name, or a whole service config)",
  example: 'set-lb: { client: rr, lb: wrr_smooth }',
  arg: z.strictObject({ client: z.string().min(1), lb: z.union([z.string().min(1), z.record(z.string(), z.unknown())]) }),
  resolve({ client, lb }, { clients, ownClients }): { client: string; lb: string; serviceConfig: ServiceConfigJson } | ArgProblem {
    if (ownClients?.has(client))
      return new ArgProblem(`${client} is a client you run (run:): your command chooses its balancer; set-lb changes the lab's own clients`, ['client']);
    if (!clients.has(client))
      return new ArgProblem(`no client named "${client}" (the scenario has ${[...clients].join(', ') || "none of the lab's own"})`, ['client']);
    try {
      return { client, lb: typeof lb === 'string' ? lb : JSON.stringify(lb), serviceConfig: serviceConfigFrom(lb) };
    } catch (err) {
      if (err instanceof LabError) return new ArgProblem(err.message.replace(/^--lb: |^service config: /, ''), ['lb']);
      throw err;
    }
  },
  describe: (a) => `${a.client} balancer → ${a.lb}`,
  model({ client, serviceConfig }, sandbox) {
    const c = sandbox.model.clients.get(client);
    if (!c) return new ArgProblem(`no client named "${client}"`, ['client']);
    if (c.target && isXdsTarget(c.target))
      return new ArgProblem(
        `${client} dials ${c.target}: an xDS client takes its balancer from the control plane (push it with the xds action: xds: { lb: ... })`,
        ['client'],
      );
    c.maxAttempts = maxAttemptsOf(serviceConfig);
    return undefined;
  },
  // No undo: clients live only as long as the run.
  async run({ client, serviceConfig }, ctx) {
    ctx.setServiceConfig(client, serviceConfig);
  },
});
