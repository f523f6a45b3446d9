// A pure reducer: sandbox events → the rows of `up`'s progress (the live view on a terminal), and
// plainLine() for the same events as plain lines (pipes, CI, `lab play` without the view).
import { type SandboxEvent } from '../../sandbox/index.js';

export interface ProgressRow {
  name: string;
  state: string;
  detail: string;
  done: boolean;
  failed: boolean;
}

export interface ProgressState {
  rows: ProgressRow[];
}

export const initialProgress = (names: string[]): ProgressState => ({
  rows: names.map((name) => ({ name, state: 'pending', detail: '', done: false, failed: false })),
});

const DONE = new Set(['ready', 'removed']);

function upsert(state: ProgressState, name: string, patch: Partial<ProgressRow>): ProgressState {
  const i = state.rows.findIndex((r) => r.name === name);
  const row: ProgressRow = { ...(i >= 0 ? state.rows[i] : { name, state: '', detail: '', done: false, failed: false }), ...patch };
  const rows = i >= 0 ? state.rows.map((r, j) => (j === i ? row : r)) : [...state.rows, row];
  return { rows };
}

export function progressReducer(state: ProgressState, e: SandboxEvent): ProgressState {
  switch (e.type) {
    case 'image': {
      const detail =
        e.state === 'assembling'
          ? `assembling image ${e.ref}`
          : e.state === 'assembled'
            ? `assembled ${e.ref} in ${e.ms} ms`
            : e.state === 'pulling'
              ? `pulling ${e.ref} ${e.progress ?? ''}`.trim()
              : `image ${e.ref}`;
      // An image event concerns every replica of the service that has not moved past it.
      let next = state;
      for (const r of state.rows)
        if ((r.name === e.service || r.name.startsWith(`${e.service}-`)) && !r.done) next = upsert(next, r.name, { state: 'image', detail });
      return next;
    }
    case 'network':
      return state;
    case 'instance':
      return upsert(state, e.instance, {
        state: e.state,
        detail: e.state === 'ready' ? `ready in ${((e.ms ?? 0) / 1000).toFixed(1)} s` : (e.detail ?? e.state),
        done: DONE.has(e.state),
        failed: e.state === 'failed',
      });
  }
}

/** One plain line per event, for when stdout is not a terminal. */
export function plainLine(e: SandboxEvent): string | undefined {
  switch (e.type) {
    case 'image':
      return e.state === 'pulling' && e.progress ? undefined : `${e.service}: image ${e.state} ${e.ref}${e.ms !== undefined ? ` (${e.ms} ms)` : ''}`;
    case 'network':
      return `network ${e.name}: ${e.state}`;
    case 'instance':
      return `${e.instance}: ${e.state}${e.state === 'ready' && e.ms !== undefined ? ` in ${(e.ms / 1000).toFixed(1)} s` : e.detail ? ` (${e.detail})` : ''}`;
  }
}
