// Drives the progress display for long sandbox work: ink on a terminal (redrawn at 10 fps, never
// per event), plain lines otherwise. ink is loaded lazily, alongside the work, because loading it
// costs ~300 ms that a pipe or CI never needs.
import React from 'react';
import { type SandboxEvent, type SandboxListener } from '../../sandbox/index.js';
import { initialProgress, plainLine, progressReducer, type ProgressState } from './up-progress.js';

export interface Progress {
  onEvent: SandboxListener;
  /** Draws the final frame and releases the terminal. */
  stop(): Promise<void>;
}

export function startProgress(title: string, names: string[], quiet = false): Progress {
  if (quiet) return { onEvent: () => undefined, stop: async () => undefined };
  if (!process.stdout.isTTY) {
    process.stdout.write(`${title}\n`);
    return {
      onEvent: (e: SandboxEvent) => {
        const line = plainLine(e);
        if (line) process.stdout.write(`  ${line}\n`);
      },
      stop: async () => undefined,
    };
  }
  let state: ProgressState = initialProgress(names);
  let frame = 0;
  let stopped = false;
  const ready = Promise.all([import('ink'), import('./ProgressView.js')]).then(([{ render }, { ProgressView }]) => {
    const view = () => <ProgressView state={state} frame={frame} title={title} />;
    const ink = render(view(), { exitOnCtrlC: false, patchConsole: false });
    const timer = setInterval(() => {
      frame++;
      ink.rerender(view());
    }, 100);
    return { ink, timer, view };
  });
  return {
    onEvent: (e) => (state = progressReducer(state, e)),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      const { ink, timer, view } = await ready;
      clearInterval(timer);
      ink.rerender(view());
      ink.unmount();
    },
  };
}
