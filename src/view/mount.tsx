// Mounts the rebalance view on the terminal. Events go into the reducer as they come (cheap); the
// screen is redrawn at a fixed rate (5 per second) and only when the state changed, never per RPC.
// Keys reach `onKey`; the terminal's size is read at every redraw. On a terminal the view has the
// alternate screen to itself (as less and top do): its header is on the first line, nothing scrolls
// above it, and what was on the terminal comes back when it leaves; the caller then prints what the
// run came to.
import React from 'react';
import { render, useInput, type Key } from 'ink';
import { App } from './components/App.js';
import { reduce, type ViewAction } from './reducer.js';
import type { ViewState } from './state.js';

export type KeyListener = (input: string, key: Key) => void;

export interface ViewHandle {
  dispatch(a: ViewAction): void;
  /** Where keys go from now on (the view's owner changes it as it moves between watching and playing). */
  setKeys(listener: KeyListener): void;
  readonly state: ViewState;
  /** Draws the last frame and releases the terminal. */
  unmount(): void;
  /** Frames drawn so far, the time spent reducing events and the CPU time drawing frames (for the benchmark). */
  readonly frames: number;
  /** Frame beats so far (a frame drawn, or nothing new to draw), and how late each came, in ms (the last 1,000). */
  readonly beats: number;
  readonly lateMs: readonly number[];
  /** When the last beat came (performance.now()). */
  readonly lastBeatAt: number;
  readonly reduceMs: number;
  readonly drawMs: number;
}

export interface MountOptions {
  fps?: number;
  /** Read keys (when stdin is a terminal); they go to the listener given to setKeys. */
  keys?: boolean;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

/** The alternate screen (xterm's 1049: the cursor saved, the screen cleared), and back. */
const ENTER_ALT = '\x1b[?1049h\x1b[H';
const LEAVE_ALT = '\x1b[?1049l';

function Keys({ onKey }: { onKey: (input: string, key: Key) => void }) {
  useInput((input, key) => onKey(input, key));
  return null;
}

export function mountView(initial: ViewState, opts: MountOptions = {}): ViewHandle {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const interactive = !!opts.keys && !!stdin.isTTY;
  let listener: KeyListener = () => undefined;
  let state = initial;
  let drawn: ViewState | undefined;
  let lastSize = '';
  let frames = 0;
  let beats = 0;
  let lastBeatAt = performance.now();
  const lateMs: number[] = [];
  let reduceMs = 0;
  let drawMs = 0;
  const alt = !!stdout.isTTY;
  if (alt) stdout.write(ENTER_ALT);
  // One row short of the terminal: the cursor's line, so ink redraws in place instead of clearing the screen.
  const tree = () => (
    <>
      <App state={state} columns={stdout.columns || 100} rows={(stdout.rows || 31) - 1} interactive={interactive} />
      {interactive ? <Keys onKey={(input, key) => listener(input, key)} /> : null}
    </>
  );
  const ink = render(tree(), { stdout, stdin, exitOnCtrlC: false, patchConsole: false });
  const draw = () => {
    const size = `${stdout.columns}x${stdout.rows}`;
    if (drawn === state && size === lastSize) return;
    drawn = state;
    lastSize = size;
    frames++;
    // CPU time, not wall time: on a busy machine the thread may be preempted mid-frame.
    const c0 = process.cpuUsage();
    ink.rerender(tree());
    const c = process.cpuUsage(c0);
    drawMs += (c.user + c.system) / 1000;
  };
  // Frames on a fixed beat: each is due one period after the one before was due, not after it was
  // drawn (setInterval's next tick counts from when a late one ran, so a busy loop lost frames).
  const period = 1000 / (opts.fps ?? 5);
  let due = performance.now() + period;
  let timer: NodeJS.Timeout;
  const tick = () => {
    beats++;
    lastBeatAt = performance.now();
    lateMs.push(Math.max(0, lastBeatAt - due));
    if (lateMs.length > 1000) lateMs.shift();
    draw();
    const now = performance.now();
    due = Math.max(due + period, now + period / 4); // never a burst to catch up more than one frame
    timer = setTimeout(tick, due - now);
  };
  timer = setTimeout(tick, period);
  return {
    setKeys(l) {
      listener = l;
    },
    dispatch(a) {
      const t0 = performance.now();
      state = reduce(state, a);
      reduceMs += performance.now() - t0; // microseconds each: wall time is fine here
    },
    get state() {
      return state;
    },
    get frames() {
      return frames;
    },
    get beats() {
      return beats;
    },
    get lateMs() {
      return lateMs;
    },
    get lastBeatAt() {
      return lastBeatAt;
    },
    get reduceMs() {
      return reduceMs;
    },
    get drawMs() {
      return drawMs;
    },
    unmount() {
      clearTimeout(timer);
      draw();
      ink.unmount();
      if (alt) stdout.write(LEAVE_ALT);
    },
  };
}
