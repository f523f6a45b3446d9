// Drives the progress display for long sandbox work: ink on a terminal (redrawn at 10 fps, never
// per event), plain lines otherwise.
import React from 'react';
import { render } from 'ink';
import type { SandboxEvent, SandboxListener } from '../../sandbox/events.js';
import { ProgressView } from './ProgressView.js';
import { initialProgress, plainLine, progressReducer, type ProgressState } from './up-progress.js';

export interface Progress {
  onEvent: SandboxListener;
  stop(): void;
}

export function startProgress(title: string, names: string[], quiet = false): Progress {
  if (quiet) return { onEvent: () => undefined, stop: () => undefined };
  if (!process.stdout.isTTY) {
    process.stdout.write(`${title}\n`);
    return {
      onEvent: (e: SandboxEvent) => {
        const line = plainLine(e);
        if (line) process.stdout.write(`  ${line}\n`);
      },
      stop: () => undefined,
    };
  }
  let state: ProgressState = initialProgress(names);
  let frame = 0;
  const ink = render(<ProgressView state={state} frame={frame} title={title} />, { exitOnCtrlC: false, patchConsole: false });
  const timer = setInterval(() => ink.rerender(<ProgressView state={state} frame={++frame} title={title} />), 100);
  return {
    onEvent: (e) => (state = progressReducer(state, e)),
    stop: () => {
      clearInterval(timer);
      ink.rerender(<ProgressView state={state} frame={frame} title={title} />);
      ink.unmount();
    },
  };
}
