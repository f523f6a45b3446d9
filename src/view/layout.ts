// How the screen is shared out: which columns fit the width, how many rows each panel gets so the
// frame never grows past the terminal (ink redraws a taller frame by clearing the screen). Pure.
import type { ViewState } from './state.js';

export interface Layout {
  width: number;
  /** Cluster panel: rows of services shown (a window around the selection) and its columns. */
  serviceRows: number;
  serviceColumns: { address: boolean; weight: boolean; registry: boolean };
  /** Traffic: clients per row of panels, each panel's width, and backends shown per client. */
  clientColumns: number;
  clientWidth: number;
  backendRows: number;
  backendColumns: { latency: boolean; sparkline: number; subchannel: boolean; errors: boolean };
  stepRows: number;
  /** Rows under each client's backends for its history (share over time, p99, failures); 0: none fit. */
  historyRows: number;
}

/** A client's history block: a heading, at least two rows of share, and the p99 row. */
export const MIN_HISTORY_ROWS = 4;
const MAX_HISTORY_ROWS = 24;

export const MIN_CLIENT_WIDTH = 64;

export function layoutFor(state: ViewState, columns: number, rows: number): Layout {
  const width = Math.max(40, columns);
  const clients = Math.max(1, state.clients.length);
  const clientColumns = Math.max(1, Math.min(clients, Math.floor(width / MIN_CLIENT_WIDTH)));
  const clientWidth = Math.floor(width / clientColumns) - (clientColumns > 1 ? 1 : 0);
  const clientRowsOfPanels = Math.ceil(clients / clientColumns);

  // Fixed lines: title, section headings, the cluster's column header, the notice/verdict line.
  const fixed = 1 + 1 + 1 + 1 + (state.steps.length ? 2 : 0) + 2 + (state.verdict ? state.verdict.lines.length + 1 : 0);
  let budget = Math.max(6, rows - fixed);
  const wantSteps = state.steps.length ? Math.min(state.steps.length, 6) : 0;
  const stepRows = Math.min(wantSteps, Math.max(state.steps.length ? 2 : 0, Math.floor(budget / 5)));
  budget -= stepRows;
  // Each client panel: a header and a resolver line around its backends.
  const perClient = 2;
  const maxBackends = Math.max(0, ...state.clients.map((c) => c.backends.length), 1);
  const services = Math.max(1, state.services.length);
  // Share what is left between the cluster and the traffic, traffic first (it is what moves).
  const trafficRowsWanted = clientRowsOfPanels * (perClient + maxBackends);
  const serviceRowsWanted = services;
  let serviceRows = Math.min(serviceRowsWanted, Math.max(3, Math.floor(budget * 0.35)));
  let backendRows = Math.floor((budget - serviceRows) / clientRowsOfPanels) - perClient;
  if (trafficRowsWanted <= budget - serviceRows) {
    backendRows = maxBackends;
    serviceRows = Math.min(serviceRowsWanted, budget - trafficRowsWanted);
  }
  backendRows = Math.max(1, Math.min(backendRows, maxBackends));
  serviceRows = Math.max(1, serviceRows);
  // Rows still free: more of the steps, then each client's history.
  let free = budget - serviceRows - clientRowsOfPanels * (perClient + backendRows);
  let moreSteps = 0;
  if (free > 0 && state.steps.length > stepRows) {
    moreSteps = Math.max(0, Math.min(Math.min(state.steps.length, 12) - stepRows, Math.floor(free / 3)));
    free -= moreSteps;
  }
  const perPanel = state.clients.length ? Math.floor(free / clientRowsOfPanels) : 0;
  const historyRows = perPanel >= MIN_HISTORY_ROWS ? Math.min(MAX_HISTORY_ROWS, perPanel) : 0;

  return {
    width,
    serviceRows,
    serviceColumns: { address: width >= 96, weight: width >= 110, registry: width >= 70 },
    clientColumns,
    clientWidth,
    backendRows,
    backendColumns: {
      latency: clientWidth >= 100,
      sparkline: clientWidth >= 110 ? 20 : clientWidth >= 76 ? 12 : clientWidth >= 70 ? 8 : 0,
      subchannel: clientWidth >= 72,
      errors: clientWidth >= 64,
    },
    stepRows: stepRows + moreSteps,
    historyRows,
  };
}

/** A window of `size` items that keeps `selected` in view. */
export function windowAround<T>(items: T[], selected: number, size: number): { start: number; items: T[] } {
  if (items.length <= size) return { start: 0, items };
  const start = Math.max(0, Math.min(items.length - size, selected - Math.floor(size / 2)));
  return { start, items: items.slice(start, start + size) };
}
