// What the view's keys do. Every failure a key makes is a registered scenario action run through the
// same context as `lab play` (so it really happens and is undone on quit); the rest select, switch a
// client's balancer, pause traffic, or open the help.
import type { Key } from 'ink';
import { getAction } from '../scenario/actions/index.js';
import type { SandboxSession } from '../scenario/session.js';
import type { ClientSet } from '../traffic/driver/client-set.js';
import { serviceConfigFrom } from '../traffic/driver/service-config.js';
import type { ViewAction } from './reducer.js';
import type { ViewState } from './state.js';

/** The balancers `b` cycles through. */
export const LB_CYCLE = ['round_robin', 'pick_first', 'least_request', 'p2c_ewma', 'wrr_smooth', 'weighted_round_robin', 'random', 'ring_hash'];

export interface KeyDeps {
  state: () => ViewState;
  dispatch: (a: ViewAction) => void;
  session: SandboxSession;
  clients?: ClientSet;
  /** Leaves the view (the caller undoes and cleans up). */
  quit: () => void;
}

export function keyHandler(deps: KeyDeps): (input: string, key: Key) => void {
  const notice = (text: string, level: 'info' | 'error' = 'info') => deps.dispatch({ type: 'notice', text, level });

  /** Parses the key's action as a scenario step would (the same checks), runs it, reports. */
  const act = (kind: Parameters<typeof getAction>[0], raw: unknown) => {
    const def = getAction(kind)!;
    const ctx = deps.session.ctx;
    const arg = def.parse(raw, { instances: new Set(ctx.topology.instances.map((i) => i.name)), clients: new Set(deps.clients?.specs.map((s) => s.name) ?? []) });
    if (typeof arg === 'string') return notice(`${kind}: ${arg}`, 'error');
    const text = def.describe(arg);
    notice(`${text}…`);
    def.run(arg, ctx).then(
      (detail) => notice(`✔ ${text}${detail ? ` (${detail})` : ''}`),
      (err: Error) => notice(`✖ ${text}: ${err.message}`, 'error'),
    );
  };

  return (input, key) => {
    const s = deps.state();
    const svc = s.services[s.selectedService];
    const echo = svc?.role === 'echo' ? svc.name : undefined;
    const needEcho = (what: string) => (echo ? true : (notice(`${what}: select an echo server first (↑/↓)`, 'error'), false));
    if (input === 'q' || (key.ctrl && input === 'c')) return deps.quit();
    if (input === '?') return deps.dispatch({ type: 'help' });
    if (key.escape && s.help) return deps.dispatch({ type: 'help', open: false });
    if (key.upArrow) return deps.dispatch({ type: 'select', service: s.selectedService - 1 });
    if (key.downArrow) return deps.dispatch({ type: 'select', service: s.selectedService + 1 });
    if (key.tab) return deps.dispatch({ type: 'select', client: s.selectedClient + 1 });
    switch (input) {
      case 'k':
        return svc && act('kill', svc.name);
      case 'p':
        return svc && act(svc.container === 'paused' ? 'unpause' : 'pause', svc.name);
      case 'r':
        return svc && act(svc.container === 'running' || svc.container === 'paused' ? 'restart' : 'start', svc.name);
      case 'e':
        return needEcho('expire-lease') && act('expire-lease', echo);
      case 'h':
        return needEcho('health') && act('health', { [echo!]: svc.health === 'NOT_SERVING' ? 'SERVING' : 'NOT_SERVING' });
      case 'l':
        return needEcho('link') && act('link', svc.link ? { target: echo } : { target: echo, latency: '200ms' });
      case '+':
      case '=':
      case '-': {
        const n = deps.session.ctx.topology.instances.filter((i) => i.role === 'echo').length + (input === '-' ? -1 : 1);
        return act('scale', { echo: n });
      }
      case 'b': {
        const client = s.clients[s.selectedClient];
        if (!client || !deps.clients) return notice('no client to switch', 'error');
        const next = LB_CYCLE[(LB_CYCLE.indexOf(client.lb) + 1) % LB_CYCLE.length];
        deps.clients.setServiceConfig(client.name, serviceConfigFrom(next));
        deps.dispatch({ type: 'client-config', client: client.name, lb: next });
        return notice(`${client.name} now balances with ${next}`);
      }
      case ' ': {
        if (!deps.clients) return;
        if (deps.clients.isRunning) {
          void deps.clients.pause();
          deps.dispatch({ type: 'traffic-paused', paused: true });
          return notice('traffic paused (space resumes)');
        }
        deps.clients.resume();
        deps.dispatch({ type: 'traffic-paused', paused: false });
        return notice('traffic resumed');
      }
    }
  };
}
