// deregister / register: the echo server (or a server of yours, through its sidecar) leaves Consul's
// catalog (or joins it again) while it keeps serving, as a service does on a rolling deploy.
import { seconds } from '../../util/time-text.js';
import { changeText } from '../timeline/sandbox-model.js';
import { backendTarget, defineAction, instanceName } from './action.js';

const registration = (registered: boolean) =>
  defineAction({
    kind: registered ? 'register' : 'deregister',
    summary: registered ? "the echo rejoins Consul's catalog" : "the echo leaves Consul's catalog, still serving",
    example: `${registered ? 'register' : 'deregister'}: echo-2`,
    arg: instanceName,
    resolve: backendTarget,
    describe: (a) => `${registered ? 'register' : 'deregister'} ${a.target} ${registered ? 'with' : 'from'} Consul`,
    model({ target }, sandbox) {
      const inst = sandbox.reachable(target, `${registered ? 'register it with' : 'deregister it from'} Consul`);
      if (typeof inst === 'string') return inst;
      const consul = [...sandbox.model.instances.values()].find((i) => i.role === 'consul');
      const up = consul && sandbox.reachable(consul.name, `${registered ? 'register' : 'deregister'} ${target}`);
      if (typeof up === 'string') return up;
      if (inst.inConsul === registered)
        return `${target} is ${registered ? 'in' : 'out of'} Consul's catalog at ${seconds(sandbox.atMs)}${inst.last ? `: it was ${changeText(inst.last)}` : ''}; there is nothing to ${registered ? 'register' : 'deregister'}`;
      sandbox.set(inst, { inConsul: registered }, registered ? 'registered with Consul' : 'deregistered from Consul');
      return undefined;
    },
    async run({ target }, ctx) {
      await ctx.control(target).setConsulRegistration(registered);
      if (!registered) ctx.undo(`register ${target} with Consul`, async () => void (await ctx.control(target).setConsulRegistration(true)));
    },
  });

export default [registration(false), registration(true)];
