// deregister / register: the echo server leaves Consul's catalog (or joins it again) while it keeps
// serving, as a service does on a rolling deploy.
import { defineAction, instanceName, targetOf } from './action.js';

const registration = (registered: boolean) =>
  defineAction({
    kind: registered ? 'register' : 'deregister',
    summary: registered ? "the echo rejoins Consul's catalog" : "the echo leaves Consul's catalog, still serving",
    example: `${registered ? 'register' : 'deregister'}: echo-2`,
    arg: instanceName,
    resolve: targetOf('echo'),
    describe: (a) => `${registered ? 'register' : 'deregister'} ${a.target} ${registered ? 'with' : 'from'} Consul`,
    async run({ target }, ctx) {
      await ctx.control(target).setConsulRegistration(registered);
      if (!registered) ctx.undo(`register ${target} with Consul`, async () => void (await ctx.control(target).setConsulRegistration(true)));
    },
  });

export default [registration(false), registration(true)];
