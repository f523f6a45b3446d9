// The rebalance view rendered as a person's terminal shows it, without a terminal: a state through
// the real components into a fake stdout of a given size, read back as plain lines.
import { stripVTControlCharacters } from 'node:util';
import React from 'react';
import { render as inkRender } from 'ink';
import { App } from '../../src/view/components/App.js';
import type { ViewState } from '../../src/view/state.js';
import { fakeStdin, framesStdout } from './fake-terminal.js';

/** The last frame ink draws for `state` in a terminal of `columns`×`rows` (debug mode: every frame written whole), with its colours. */
export function frame(state: ViewState, columns: number, rows: number, interactive = true): string {
  const stdout = framesStdout(columns, rows);
  const ink = inkRender(<App state={state} columns={columns} rows={rows} interactive={interactive} />, {
    stdout: stdout as never,
    stdin: fakeStdin() as never,
    debug: true,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  ink.unmount();
  // The last full frame (under CI, ink's unmount writes one more, empty, frame).
  return stdout.frames.filter((f) => f.trim()).at(-1) ?? '';
}

/** The frame ink draws for `state` in a terminal of `columns`×`rows`, as plain lines. */
export function screen(state: ViewState, columns: number, rows: number): string[] {
  return stripVTControlCharacters(frame(state, columns, rows))
    .replace(/\n+$/, '')
    .split('\n');
}

/** A client's section of a screen: its header line and the lines up to the next client's header (or the timeline). */
export function clientSection(lines: string[], header: RegExp, headers: RegExp): string[] {
  const at = lines.findIndex((l) => header.test(l));
  if (at < 0) return [];
  const rest = lines.slice(at + 1);
  const end = rest.findIndex((l) => headers.test(l) || /^Timeline /.test(l));
  return rest.slice(0, end < 0 ? rest.length : end);
}
