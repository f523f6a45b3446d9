// Mounts the rebalance view on the terminal. Events go into the reducer as they come (cheap); the
// screen is redrawn at a fixed rate (8 per second) and only when the state changed, never per RPC.
// Keys reach `onKey`; the terminal's size is read at every redraw.
import React from 'react';
import { render, useInput, type Key } from 'ink';
import { App } from './components/App.js';
import { reduce, type ViewAction } from './reducer.js';
import type { ViewState } from './state.js';

export interface ViewHandle {
  dispatch(a: ViewAction): void;
  readonly state: ViewState;
  /** Draws the last frame and releases the terminal. */
  unmount(): void;
  /** Frames drawn so far (for the benchmark). */
  readonly frames: number;
}

export interface MountOptions {
  fps?: number;
  /** Keys are read only when set (and stdin is a terminal). */
  onKey?: (input: string, key: Key) => void;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

function Keys({ onKey }: { onKey: (input: string, key: Key) => void }) {
  useInput((input, key) => onKey(input, key));
  return null;
}

export function mountView(initial: ViewState, opts: MountOptions = {}): ViewHandle {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const interactive = !!opts.onKey && !!stdin.isTTY;
  let state = initial;
  let drawn: ViewState | undefined;
  let lastSize = '';
  let frames = 0;
  const tree = () => (
    <>
      <App state={state} columns={stdout.columns || 100} rows={stdout.rows || 30} interactive={interactive} />
      {interactive ? <Keys onKey={opts.onKey!} /> : null}
    </>
  );
  const ink = render(tree(), { stdout, stdin, exitOnCtrlC: false, patchConsole: false });
  const draw = () => {
    const size = `${stdout.columns}x${stdout.rows}`;
    if (drawn === state && size === lastSize) return;
    drawn = state;
    lastSize = size;
    frames++;
    ink.rerender(tree());
  };
  const timer = setInterval(draw, 1000 / (opts.fps ?? 8));
  return {
    dispatch(a) {
      state = reduce(state, a);
    },
    get state() {
      return state;
    },
    get frames() {
      return frames;
    },
    unmount() {
      clearInterval(timer);
      draw();
      ink.unmount();
    },
  };
}
