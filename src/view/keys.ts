// What the view's keys do, as one table that drives both the matching and the help screen (`?`).
// Every failure a key makes is a registered scenario action run through the same context as
// `lab play` (so it really happens and is undone on quit); the rest select, switch a client's
// balancer, pause traffic, or open the help.
import type { Key } from 'ink';
import { getAction, parseActionArg, namesOf, type SandboxSession } from '../scenario/index.js';
import { serviceConfigFrom, type TrafficClients } from '../traffic/index.js';
import type { ViewAction } from './reducer.js';
import type { ServiceView, ViewState } from './state.js';

/** The balancers `b` cycles through. */
export const LB_CYCLE = ['round_robin', 'pick_first', 'least_request', 'p2c_ewma', 'wrr_smooth', 'weighted_round_robin', 'random', 'lab_ring_hash'];

export interface KeyDeps {
  state: () => ViewState;
  dispatch: (a: ViewAction) => void;
  session: SandboxSession;
  clients?: TrafficClients;
  /** Leaves the view (the caller undoes and cleans up). */
  quit: () => void;
}

interface KeyContext {
  deps: KeyDeps;
  state: ViewState;
  input: string;
  key: Key;
  svc?: ServiceView;
  /** The selected backend (an echo server or a server of yours), or undefined (with a notice saying to select one). */
  echo(what: string): string | undefined;
  act(kind: string, raw: unknown): void;
  notice(text: string, level?: 'info' | 'error'): void;
}

export interface KeyBinding {
  /** As the help shows it. */
  label: string;
  help: string;
  /** The inputs it answers to (characters), or a test on ink's key. */
  inputs?: string[];
  key?: (key: Key) => boolean;
  /** Undefined: handled by whoever owns the view (the scenario picker, `s`). */
  run?: (k: KeyContext) => void;
}

export const KEY_TABLE: KeyBinding[] = [
  {
    label: '↑ ↓',
    help: 'select a service (the target of the keys below)',
    key: (k) => k.upArrow || k.downArrow,
    run: ({ deps, state, key }) => deps.dispatch({ type: 'select', service: state.selectedService + (key.upArrow ? -1 : 1) }),
  },
  {
    label: 'tab',
    help: 'select the next client',
    key: (k) => k.tab,
    run: ({ deps, state }) => deps.dispatch({ type: 'select', client: state.selectedClient + 1 }),
  },
  { label: 'k', help: 'kill the selected service (SIGKILL)', inputs: ['k'], run: ({ svc, act }) => svc && act('kill', svc.name) },
  {
    label: 'p',
    help: 'pause / unpause it (docker pause)',
    inputs: ['p'],
    run: ({ svc, act }) => svc && act(svc.container === 'paused' ? 'unpause' : 'pause', svc.name),
  },
  {
    label: 'r',
    help: 'restart it',
    inputs: ['r'],
    run: ({ svc, act }) => svc && act(svc.container === 'running' || svc.container === 'paused' ? 'restart' : 'start', svc.name),
  },
  {
    label: 'e',
    help: 'expire its etcd lease',
    inputs: ['e'],
    run: ({ echo, act }) => {
      const e = echo('expire-lease');
      if (e) act('expire-lease', e);
    },
  },
  {
    label: 'h',
    help: 'turn its health NOT_SERVING / SERVING',
    inputs: ['h'],
    run: ({ echo, act, svc }) => {
      const e = echo('health');
      if (e) act('health', { [e]: svc?.health === 'NOT_SERVING' ? 'SERVING' : 'NOT_SERVING' });
    },
  },
  {
    label: 'l',
    help: 'slow its link (+200 ms) / clear the link',
    inputs: ['l'],
    run: ({ echo, act, svc }) => {
      const e = echo('link');
      if (e) act('link', svc?.link ? { target: e } : { target: e, latency: '200ms' });
    },
  },
  {
    label: '+ -',
    help: 'add / remove an echo server',
    inputs: ['+', '=', '-'],
    run: ({ deps, act, input }) =>
      act('scale', { echo: deps.session.ctx.topology.instances.filter((i) => i.role === 'echo').length + (input === '-' ? -1 : 1) }),
  },
  {
    label: 'b',
    help: "switch the selected client's balancer",
    inputs: ['b'],
    run: ({ deps, state, notice }) => {
      const client = state.clients[state.selectedClient];
      if (!client || !deps.clients) return notice('no client to switch', 'error');
      if (!deps.clients.specs.some((c) => c.name === client.name))
        return notice(`${client.name} is not the lab's own client: it chooses its balancer itself`, 'error');
      const next = LB_CYCLE[(LB_CYCLE.indexOf(client.lb) + 1) % LB_CYCLE.length];
      deps.clients.setServiceConfig(client.name, serviceConfigFrom(next));
      deps.dispatch({ type: 'client-config', client: client.name, lb: next });
      notice(`${client.name} now balances with ${next}`);
    },
  },
  {
    label: 'space',
    help: 'pause / resume traffic',
    inputs: [' '],
    run: ({ deps, notice }) => {
      if (!deps.clients) return;
      if (deps.clients.isRunning) {
        void deps.clients.pause();
        deps.dispatch({ type: 'traffic-paused', paused: true });
        return notice('traffic paused (space resumes)');
      }
      deps.clients.resume();
      deps.dispatch({ type: 'traffic-paused', paused: false });
      notice('traffic resumed');
    },
  },
  { label: 's', help: 'pick a scenario from the library and play it here (lab and lab watch)', inputs: ['s'] },
  { label: '?', help: 'this help', inputs: ['?'], run: ({ deps }) => deps.dispatch({ type: 'help' }) },
  { label: 'q', help: 'quit: undo what the keys did, leave the sandbox running (Ctrl-C too)', inputs: ['q'], run: ({ deps }) => deps.quit() },
];

export function keyHandler(deps: KeyDeps): (input: string, key: Key) => void {
  const notice = (text: string, level: 'info' | 'error' = 'info') => deps.dispatch({ type: 'notice', text, level });

  /** Parses the key's action as a scenario step would (the same checks), runs it, reports. */
  const act = (kind: string, raw: unknown) => {
    const def = getAction(kind)!;
    const ctx = deps.session.ctx;
    const arg = parseActionArg(def, raw, namesOf(ctx.topology, deps.clients?.specs.map((s) => s.name) ?? []));
    if (typeof arg === 'string') return notice(`${kind}: ${arg}`, 'error');
    const text = def.describe(arg);
    notice(`${text}…`);
    def.run(arg, ctx).then(
      (detail) => notice(`✔ ${text}${detail ? ` (${detail})` : ''}`),
      (err: Error) => notice(`✖ ${text}: ${err.message}`, 'error'),
    );
  };

  return (input, key) => {
    const state = deps.state();
    if (key.escape && state.help) return deps.dispatch({ type: 'help', open: false });
    // Ctrl-C comes as a key in raw mode: it quits, like q.
    if (key.ctrl && input === 'c') return deps.quit();
    const binding = KEY_TABLE.find((b) => (!key.ctrl && b.inputs?.includes(input)) || b.key?.(key));
    if (!binding?.run) return;
    const svc = state.services[state.selectedService];
    // The keys that work a backend's knobs: an echo server's, or a server of yours' sidecar's.
    const echo = (what: string) =>
      svc?.role === 'echo' || svc?.role === 'server'
        ? svc.name
        : (notice(`${what}: select an echo server or a server of yours first (↑/↓)`, 'error'), undefined);
    binding.run({ deps, state, input, key, svc, echo, act, notice });
  };
}
