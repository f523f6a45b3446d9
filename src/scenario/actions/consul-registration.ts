// deregister / register: the echo server leaves Consul's catalog (or joins it again) while it keeps
// serving, as a service does on a rolling deploy.
import { instanceArg, isEcho, registerAction } from './action.js';
import { call } from '../../grpc/protos.js';

for (const registered of [false, true]) {
  registerAction<{ target: string }>({
    kind: registered ? 'register' : 'deregister',
    parse: (raw, { instances }) => instanceArg(raw, instances, isEcho, 'an echo server'),
    describe: (a) => `${registered ? 'register' : 'deregister'} ${a.target} ${registered ? 'with' : 'from'} Consul`,
    async run({ target }, ctx) {
      await call(ctx.control(target), 'SetConsulRegistration', { registered });
      if (!registered) ctx.undo(`register ${target} with Consul`, async () => void (await call(ctx.control(target), 'SetConsulRegistration', { registered: true })));
    },
  });
}
