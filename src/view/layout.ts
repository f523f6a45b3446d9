// How the screen is shared out. Data rows first: every backend of every client while the screen
// has rows for them (a row of its own each), then the cluster, the timeline, the resolver lines,
// more of the steps, and each client's history last. The frame is exactly as tall as the terminal
// (ink redraws a taller frame by clearing the screen) and leaves no row blank while data is hidden.
// Below a real minimum size, there is no layout: the view asks for a bigger terminal. Pure.
import type { ViewState } from './state.js';

export interface Layout {
  width: number;
  /** Set when the terminal is below the view's minimum: what it needs. */
  tooSmall?: { columns: number; rows: number };
  /** Cluster panel: rows of services shown (a window around the selection) and its columns. */
  serviceRows: number;
  serviceColumns: { address: boolean; weight: boolean; registry: boolean };
  /** Traffic: clients per row of panels, each panel's width, and rows for backends (the same in every panel). */
  clientColumns: number;
  clientWidth: number;
  backendRows: number;
  backendColumns: { latency: boolean; sparkline: number; subchannel: boolean; errors: boolean };
  /** Each panel's resolver (or xDS, or servers') line. */
  resolverLine: boolean;
  /** The timeline's axis, and the steps listed under it (0: no timeline). */
  timeline: boolean;
  stepRows: number;
  /** Rows under each client's backends for its history (share over time, p99, failures); 0: none fit. */
  historyRows: number;
}

/** Below this, the view cannot show a client's backends beside the cluster: it says so instead. */
export const MIN_COLUMNS = 60;
export const MIN_ROWS = 14;

export const MIN_CLIENT_WIDTH = 64;
const MAX_HISTORY_ROWS = 24;
const MAX_STEP_ROWS = 12;

/** A client's history block: a heading, a chart row per backend (2 at least), p99 and failures. */
export const historyRowsFor = (backends: number) => 3 + Math.max(2, backends);

/** Rows the frame takes besides the panels: the title, and the notice line under them when there is one. */
export const TITLE_ROWS = 1;

export function layoutFor(state: ViewState, columns: number, rows: number): Layout {
  const width = Math.max(1, columns);
  const clients = Math.max(1, state.clients.length);
  const clientColumns = Math.max(1, Math.min(clients, Math.floor(width / MIN_CLIENT_WIDTH)));
  const clientWidth = Math.floor(width / clientColumns) - (clientColumns > 1 ? 1 : 0);
  const panels = Math.ceil(clients / clientColumns);
  const base: Layout = {
    width,
    serviceRows: 0,
    serviceColumns: { address: width >= 96, weight: width >= 110, registry: width >= 70 },
    clientColumns,
    clientWidth,
    backendRows: 0,
    backendColumns: {
      latency: clientWidth >= 100,
      sparkline: clientWidth >= 110 ? 20 : clientWidth >= 76 ? 12 : clientWidth >= 70 ? 8 : 0,
      subchannel: clientWidth >= 72,
      errors: clientWidth >= 64,
    },
    resolverLine: false,
    timeline: false,
    stepRows: 0,
    historyRows: 0,
  };
  const verdictRows = state.verdict ? 1 + state.verdict.lines.length : 0;
  const NOTICE_ROWS = state.notice ? 1 : 0;
  // What must fit: the title, the cluster's heading and one service, the traffic heading, each panel's header and one backend row, the notice.
  const essential = TITLE_ROWS + 2 + 1 + panels * 2 + NOTICE_ROWS + verdictRows;
  if (columns < MIN_COLUMNS || rows < Math.max(MIN_ROWS, essential))
    return { ...base, tooSmall: { columns: MIN_COLUMNS, rows: Math.max(MIN_ROWS, Math.min(essential, 200)) } };

  let free = rows - TITLE_ROWS - NOTICE_ROWS - verdictRows - 2 /* cluster: heading, one service */ - 1 /* traffic heading */ - panels;
  // 1. Backends: one row each, for every client (the widest client sets the rows of every panel).
  const maxBackends = Math.max(1, ...state.clients.map((c) => c.backends.length));
  const backendRows = Math.max(1, Math.min(maxBackends, Math.floor(free / panels)));
  free -= backendRows * panels;
  // 2. The rest of the cluster.
  const services = state.services.length;
  const serviceRows = 1 + Math.max(0, Math.min(services - 1, free));
  free -= serviceRows - 1;
  // 3. The timeline: its axis and the step around now.
  const timeline = state.steps.length > 0 && free >= 2;
  let stepRows = timeline ? 1 : 0;
  if (timeline) free -= 2;
  // 4. Each panel's resolver line.
  const resolverLine = free >= panels && state.clients.length > 0;
  if (resolverLine) free -= panels;
  // 5. More of the steps.
  if (timeline) {
    const more = Math.max(0, Math.min(Math.min(state.steps.length, MAX_STEP_ROWS) - stepRows, free));
    stepRows += more;
    free -= more;
  }
  // 6. Each client's history, when its chart has a row for every backend.
  const perPanel = state.clients.length ? Math.floor(free / panels) : 0;
  const historyRows = perPanel >= historyRowsFor(maxBackends) ? Math.min(MAX_HISTORY_ROWS, perPanel) : 0;
  free -= historyRows * panels;
  // 7. Whatever is left: the rest of the steps (no row stays blank while a step is hidden).
  if (timeline) stepRows += Math.max(0, Math.min(state.steps.length - stepRows, free));
  return { ...base, serviceRows, backendRows, timeline, stepRows, resolverLine, historyRows };
}

/** A window of `size` items that keeps `selected` in view. */
export function windowAround<T>(items: T[], selected: number, size: number): { start: number; items: T[] } {
  if (items.length <= size) return { start: 0, items };
  const start = Math.max(0, Math.min(items.length - size, selected - Math.floor(size / 2)));
  return { start, items: items.slice(start, start + size) };
}
