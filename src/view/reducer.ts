// The rebalance view's reducer: engine events (traffic, sandbox, scenario) and what the view itself
// learns (cluster snapshots, expectation states, keys) in, the next ViewState out. Pure: no I/O, no
// clock; the same event stream always gives the same screen.
import { type SandboxEvent } from '../sandbox/index.js';
import { balancerLabel, byBackendName, isXdsTarget, withOrigin, type BucketStats } from '../traffic/index.js';
import { type PlayEvent, sumStats } from '../scenario/index.js';
import { HISTORY_SECONDS, LOG_KEEP, type BackendView, type ClientView, type LogLine, type ServiceView, type StepState, type ViewState } from './state.js';

export type ViewAction =
  | PlayEvent
  | { type: 'cluster'; services: Array<Partial<ServiceView> & { name: string }> }
  | { type: 'expect-state'; index: number; state: StepState; rebalanceMs?: number; detail?: string }
  | { type: 'action-settled'; index: number; rebalanceMs?: number }
  | { type: 'tick'; nowMs: number }
  | { type: 'select'; client?: number; service?: number }
  | { type: 'help'; open?: boolean }
  | { type: 'notice'; text: string; level?: LogLine['level']; t?: number }
  | { type: 'traffic-paused'; paused: boolean }
  | { type: 'client-config'; client: string; lb: string }
  | { type: 'verdict'; ok: boolean; interrupted: boolean; report?: string; lines: string[] }
  | { type: 'picker'; files?: string[]; move?: number; close?: boolean }
  /** A new screen (a scenario starts in the view, or the view goes back to watching); the log stays. */
  | { type: 'reset'; state: ViewState };

const WINDOW_MS = 1000;

export function reduce(state: ViewState, a: ViewAction): ViewState {
  switch (a.type) {
    case 'tick':
      return a.nowMs === state.nowMs ? state : { ...state, nowMs: a.nowMs };
    case 'phase':
      return { ...state, phase: a.phase, ...(a.phase === 'traffic' ? { nowMs: 0 } : {}) };
    case 'sandbox':
      return sandbox(state, a.event);
    case 'cluster':
      return cluster(state, a.services);
    case 'client-started':
      return upsertClient(state, a.client, (c) => ({
        ...c,
        target: a.target,
        lb: a.router ? a.router.balancer : a.observed ? 'seen by the servers' : isXdsTarget(a.target) ? 'xDS' : balancerLabel(a.serviceConfig),
        stopped: false,
        ...(a.observed ? { observed: true } : {}),
        ...(a.router ? { router: true } : {}),
      }));
    case 'client-stopped':
      return upsertClient(state, a.client, (c) => ({ ...c, stopped: true }));
    case 'client-config':
      return upsertClient(state, a.client, (c) => ({ ...c, lb: withOrigin(a.lb) }));
    case 'resolution':
      return upsertClient(state, a.client, (c) => ({ ...c, addresses: a.addresses, resolverError: undefined }));
    case 'resolver-error':
      return log(
        upsertClient(state, a.client, (c) => ({ ...c, resolverError: a.message })),
        a.t,
        `${a.client} resolver: ${a.message}`,
        'warn',
      );
    case 'subchannel':
      return upsertClient(state, a.client, (c) => ({ ...c, subchannels: { ...c.subchannels, [a.address]: a.state } }));
    case 'bucket':
      return bucket(state, a);
    case 'step': {
      const steps = state.steps.map((s) =>
        s.index !== a.index
          ? s
          : {
              ...s,
              state: (a.error ? 'failed' : a.kind === 'action' ? 'done' : 'waiting') as StepState,
              detail: a.error ?? (a.kind === 'action' && a.text !== s.text ? a.text : s.detail),
            },
      );
      const next = { ...state, steps, nowMs: Math.max(state.nowMs, a.t) };
      // Expectations live on the timeline; the log keeps what happened.
      if (a.kind === 'expect' && !a.error) return next;
      return log(next, a.t, `▶ ${a.text}${a.error ? `  ✖ ${a.error}` : ''}`, a.error ? 'error' : 'step');
    }
    case 'undo':
      return log(state, a.t, `undo: ${a.text}${a.error ? `  ✖ ${a.error}` : ''}`, a.error ? 'error' : 'info');
    case 'own-client':
      return log(
        upsertClient(state, a.client, (c) => ({ ...c, stopped: true })),
        a.t,
        `${a.client}: ${a.how}`,
        'error',
      );
    case 'expect-state':
      return {
        ...state,
        steps: state.steps.map((s) =>
          s.index === a.index ? { ...s, state: a.state, rebalanceMs: a.rebalanceMs ?? s.rebalanceMs, detail: a.detail ?? s.detail } : s,
        ),
      };
    case 'action-settled':
      return { ...state, steps: state.steps.map((s) => (s.index === a.index ? { ...s, rebalanceMs: a.rebalanceMs } : s)) };
    case 'select': {
      const wrap = (v: number, n: number) => (n ? ((v % n) + n) % n : 0);
      return {
        ...state,
        selectedClient: a.client === undefined ? state.selectedClient : wrap(a.client, state.clients.length),
        selectedService: a.service === undefined ? state.selectedService : wrap(a.service, state.services.length),
      };
    }
    case 'help':
      return { ...state, help: a.open ?? !state.help };
    case 'notice':
      return log({ ...state, notice: a.text }, a.t ?? state.nowMs, a.text, a.level ?? 'info');
    case 'traffic-paused':
      return { ...state, trafficPaused: a.paused };
    case 'verdict':
      return { ...state, verdict: { ok: a.ok, interrupted: a.interrupted, report: a.report, lines: a.lines } };
    case 'picker': {
      if (a.close) return { ...state, picker: undefined };
      const files = a.files ?? state.picker?.files ?? [];
      const n = files.length;
      const selected = n ? ((((state.picker?.selected ?? 0) + (a.move ?? 0)) % n) + n) % n : 0;
      return { ...state, picker: { files, selected } };
    }
    case 'reset':
      return { ...a.state, log: state.log, nextLogId: state.nextLogId };
    case 'xds':
      return xds(state, a);
  }
}

function log(state: ViewState, t: number, text: string, level: LogLine['level']): ViewState {
  const line: LogLine = { id: state.nextLogId, t, text, level };
  const all = [...state.log, line];
  return { ...state, log: all.length > LOG_KEEP ? all.slice(all.length - LOG_KEEP) : all, nextLogId: state.nextLogId + 1 };
}

function emptyClient(name: string): ClientView {
  return {
    name,
    target: '',
    lb: '',
    rps: 0,
    errors: {},
    p50Ms: 0,
    p99Ms: 0,
    backends: [],
    addresses: [],
    subchannels: {},
    stopped: false,
    history: { p99Ms: [], failed: [] },
    order: [],
    recent: [],
    second: -1,
  };
}

function upsertClient(state: ViewState, name: string, fn: (c: ClientView) => ClientView): ViewState {
  const i = state.clients.findIndex((c) => c.name === name);
  const old = i >= 0 ? state.clients[i] : emptyClient(name);
  const next = fn(old);
  const clients = i >= 0 ? state.clients.map((c, j) => (j === i ? next : c)) : [...state.clients, next];
  return { ...state, clients };
}

function bucket(state: ViewState, e: Extract<PlayEvent, { type: 'bucket' }>): ViewState {
  return upsertClient({ ...state, nowMs: Math.max(state.nowMs, e.t) }, e.client, (c) => {
    const buckets = [...c.recent.filter((b) => b.t > e.t - WINDOW_MS), { t: e.t, total: e.total, backends: e.backends }];
    const span = Math.max(1, Math.min(WINDOW_MS, e.t)) / 1000;
    const total = sumStats(buckets.map((b) => b.total));
    // Every backend the client knows of: served it before, serves it now, or its resolver lists it (by
    // name: an address the cluster has not named yet waits, rather than show as a row of its own).
    const named = Object.keys(state.names).length > 0;
    const names = new Set([
      ...c.backends.map((b) => b.name),
      ...buckets.flatMap((b) => Object.keys(b.backends)),
      ...c.addresses.flatMap((a) => (state.names[a] ? [state.names[a]] : named ? [] : [a])),
    ]);
    const second = Math.floor(e.t / 1000);
    const newSecond = second > c.second;
    // A sample per second of the last minute, oldest first.
    const keep = (xs: number[], v: number) => [...xs, v].slice(-HISTORY_SECONDS);
    const backends: BackendView[] = [...names].sort(byBackendName).map((name) => {
      const s = sumStats(buckets.map((b) => b.backends[name]).filter((x): x is BucketStats => !!x));
      const share = total.calls ? s.calls / total.calls : 0;
      const old = c.backends.find((b) => b.name === name);
      const history = newSecond || !old ? keep(old?.history ?? [], share) : old.history;
      return { name, share, rps: s.calls / span, errors: s.errors, p50Ms: s.p50Ms, p99Ms: s.p99Ms, history };
    });
    const history = newSecond
      ? { p99Ms: keep(c.history.p99Ms, total.calls ? total.p99Ms : 0), failed: keep(c.history.failed, (total.calls - total.ok) / span) }
      : c.history;
    const order = [...c.order, ...backends.map((b) => b.name).filter((n) => !c.order.includes(n))];
    return {
      ...c,
      order,
      history,
      rps: total.calls / span,
      errors: total.errors,
      p50Ms: total.p50Ms,
      p99Ms: total.p99Ms,
      backends,
      recent: buckets,
      second: Math.max(second, c.second),
    };
  });
}

/** Each of the run's xDS clients gets what the control plane knows of it; a new NACK goes to the log. */
function xds(state: ViewState, e: Extract<PlayEvent, { type: 'xds' }>): ViewState {
  let next = state;
  for (const c of e.clients) {
    if (!state.clients.some((x) => x.name === c.client)) continue;
    const before = state.clients.find((x) => x.name === c.client)?.xds;
    for (const t of c.types)
      if (t.nacked && !before?.types.some((b) => b.type === t.type && b.nacked === t.nacked))
        next = log(next, e.t, `${c.client} NACKed ${t.type} v${t.nacked}: ${t.error ?? ''}`, 'warn');
    // The balancer is the control plane's to choose: the client is labelled by the policy it serves.
    next = upsertClient(next, c.client, (cv) => ({
      ...cv,
      lb: e.lb ? withOrigin(e.lb, true) : 'xDS',
      xds: { types: c.types, loads: c.loads, connected: c.connected },
    }));
  }
  return next;
}

function upsertService(state: ViewState, name: string, patch: Partial<ServiceView>): ViewState {
  // A server of yours is one row: its sidecar (which shares its address and speaks for it) has none.
  if (patch.role === 'sidecar') return state;
  const i = state.services.findIndex((s) => s.name === name);
  if (i < 0) {
    // A service the view did not know: its role comes with the event (the sandbox's label).
    return { ...state, services: [...state.services, { name, role: patch.role ?? '', hostAddress: '', container: 'absent', ...patch }] };
  }
  return { ...state, services: state.services.map((s, j) => (j === i ? { ...s, ...patch } : s)) };
}

function sandbox(state: ViewState, e: SandboxEvent): ViewState {
  switch (e.type) {
    case 'network':
      return state;
    case 'image': {
      let next = state;
      const what =
        e.state === 'pulling'
          ? `pulling ${e.progress ?? ''}`.trim()
          : e.state === 'assembling'
            ? 'assembling image'
            : e.state === 'assembled'
              ? 'image assembled'
              : 'image found';
      for (const s of state.services)
        if (s.name === e.service || s.name.startsWith(`${e.service}-`)) if (s.progress !== 'ready') next = upsertService(next, s.name, { progress: what });
      return next;
    }
    case 'instance': {
      if (e.state === 'removed')
        return log({ ...state, services: state.services.filter((s) => s.name !== e.instance) }, state.nowMs, `${e.instance} removed`, 'info');
      const progress =
        e.state === 'ready'
          ? 'ready'
          : e.state === 'waiting'
            ? `waiting${e.detail ? ` (${e.detail})` : ''}`
            : e.state === 'failed'
              ? `failed: ${e.detail ?? ''}`
              : e.state;
      const container = e.state === 'failed' ? undefined : e.state === 'planned' ? undefined : 'running';
      return upsertService(state, e.instance, { progress, ...(container ? { container } : {}), ...(e.role ? { role: e.role } : {}) });
    }
  }
}

function cluster(state: ViewState, services: Array<Partial<ServiceView> & { name: string }>): ViewState {
  let next = state;
  for (const s of services) next = upsertService(next, s.name, s);
  // Keep etcd, Consul, then echo servers in number order.
  const rank = (s: ServiceView) => (s.role === 'etcd' ? 0 : s.role === 'consul' ? 1 : 2);
  const sorted = [...next.services].sort((a, b) => rank(a) - rank(b) || byBackendName(a.name, b.name));
  const names = { ...next.names };
  // A sidecar shares its server's address: the address names the server (a backend), never the sidecar.
  for (const s of sorted) if (s.hostAddress && s.role !== 'sidecar') names[s.hostAddress] = s.name;
  // A backend a client met by its address before the cluster named it takes its name.
  const clients = next.clients.map((c) =>
    c.backends.some((b) => names[b.name])
      ? {
          ...c,
          backends: c.backends
            .filter((b) => !names[b.name] || !c.backends.some((o) => o.name === names[b.name]))
            .map((b) => (names[b.name] ? { ...b, name: names[b.name] } : b)),
          order: [...new Set(c.order.map((n) => names[n] ?? n))],
        }
      : c,
  );
  return { ...next, services: sorted, names, clients };
}
