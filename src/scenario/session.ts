// The context actions run in, shared by `lab play` and the view's keys: containers by instance,
// control clients on the echo servers' direct ports, scaling, and the undo list that puts the
// sandbox back when the scenario (or the view) ends.
import { EchoControl } from '../grpc/index.js';
import { XdsControl } from '../xds/index.js';
import { LABEL, projectSelector, up } from '../sandbox/index.js';
import type { RunContext } from '../run/index.js';
import type { ServedSource } from '../traffic/index.js';
import type { ActionContext } from './actions/index.js';
import type { GrpcRouter } from '../router/index.js';

export interface SandboxSession {
  ctx: ActionContext;
  /** Runs the undos in reverse order (each reported), then reconciles the sandbox to `topology`. */
  undoAll(report: (text: string, error?: string) => void): Promise<void>;
  /** Closes the control clients. */
  close(): void;
  /** The router the run started in this process, for the actions that act on it (router-fault). */
  useRouter(router: GrpcRouter | undefined): void;
}

/** The backends that count what they served, as the session has them now (scaling changes them): the echo servers, and the sidecars of servers of yours (under the server's name). */
export const servedSourcesOf = (session: SandboxSession): ServedSource[] =>
  session.ctx.topology.instances
    .filter((i) => i.role === 'echo' || i.role === 'server')
    .map((i) => ({ name: i.name, controlAddress: session.ctx.reach(i.controlAddress) }));

export function sandboxSession({ run, signal }: { run: RunContext; signal?: AbortSignal }): SandboxSession {
  const { rt, topology, reach } = run;
  const controls = new Map<string, EchoControl>();
  let xds: XdsControl | undefined;
  let router: GrpcRouter | undefined;
  const undos: Array<{ text: string; fn: () => Promise<void> }> = [];
  let current = topology;
  const ctx: ActionContext = {
    rt,
    reach,
    get topology() {
      return current;
    },
    async container(instance) {
      const [c] = await rt.listContainers({ ...projectSelector(topology.project), [LABEL.instance]: instance });
      if (!c) throw new Error(`${instance} has no container (was it scaled away?)`);
      return c;
    },
    control(instance) {
      let c = controls.get(instance);
      if (!c) {
        const inst = current.instances.find((i) => i.name === instance);
        if (!inst) throw new Error(`${instance} is not in the sandbox`);
        controls.set(instance, (c = new EchoControl(reach(inst.controlAddress))));
      }
      return c;
    },
    xds() {
      if (!current.xds) throw new Error('the sandbox runs no xDS control plane (sandbox: { xds: true } or lab up --xds)');
      return (xds ??= new XdsControl(reach(current.xds.hostAddress)));
    },
    router() {
      if (!router) throw new Error("the lab's router is not running in this run (a client dials {router} to start it)");
      return router;
    },
    async scaleTo(echo) {
      current = run.shape({ ...run.overrides, echo });
      await up(rt, current, { signal, onlyMissing: true, reach });
    },
    undo: (text, fn) => undos.push({ text, fn }),
    setServiceConfig: (client, serviceConfig) => {
      if (!run.clients) throw new Error('traffic has not started');
      return run.clients.setServiceConfig(client, serviceConfig);
    },
  };
  return {
    ctx,
    useRouter: (r) => (router = r),
    async undoAll(report) {
      for (const u of undos.splice(0).reverse()) {
        try {
          await u.fn();
          report(u.text);
        } catch (err) {
          report(u.text, (err as Error).message);
        }
      }
      // And whatever else changed (a killed etcd, a container removed by hand): reconcile.
      current = topology;
      await up(rt, topology, { reach }).catch((err: Error) => report('reconcile the sandbox', err.message));
    },
    close() {
      for (const c of controls.values()) c.close();
      controls.clear();
      xds?.close();
      xds = undefined;
    },
  };
}
