// The scenario's steps on a time axis with the cursor at now, and each step's state: actions done or
// failed (with their time to rebalance), expectations waiting, holding, passed or failed.
import React from 'react';
import { Box, Text } from 'ink';
import { fit, seconds } from '../format.js';
import { windowAround, type Layout } from '../layout.js';
import type { StepView, ViewState } from '../state.js';

const STATE_COLOR: Record<string, string> = {
  pending: 'gray',
  done: 'green',
  passed: 'green',
  holding: 'cyan',
  waiting: 'yellow',
  failed: 'red',
  'not-judged': 'yellow',
};
/** A state as the timeline's 8-letter column says it. */
const STATE_WORD: Record<string, string> = { 'not-judged': 'unjudged' };

/** The axis: ▲ actions, ◆ expectations, ● now. */
export function axis(steps: StepView[], nowMs: number, durationMs: number, width: number): string {
  const w = Math.max(10, width);
  const cells = Array.from({ length: w }, () => '─');
  const at = (t: number) => Math.max(0, Math.min(w - 1, Math.round((t / Math.max(1, durationMs)) * (w - 1))));
  for (const s of steps) if (s.kind === 'expect') cells[at(s.atMs)] = '◆';
  for (const s of steps) if (s.kind === 'action') cells[at(s.atMs)] = '▲';
  cells[at(nowMs)] = '●';
  return cells.join('');
}

export function Timeline({ state, layout }: { state: ViewState; layout: Layout }) {
  if (!state.steps.length) return null;
  const label = ` ${seconds(Math.min(state.nowMs, state.durationMs ?? state.nowMs))}${state.durationMs ? ` / ${seconds(state.durationMs)}` : ''}`;
  // Show the steps around now: the last ones that happened and the next ones.
  const next = state.steps.findIndex((s) => s.atMs > state.nowMs);
  const current = next < 0 ? state.steps.length - 1 : Math.max(0, next - 1);
  const win = windowAround(state.steps, current, layout.stepRows);
  return (
    <Box flexDirection="column" width={layout.width}>
      <Text wrap="truncate-end">
        <Text bold>Timeline </Text>
        <Text color="cyan">{axis(state.steps, state.nowMs, state.durationMs ?? Math.max(1, state.nowMs), layout.width - 9 - label.length)}</Text>
        <Text>{label}</Text>
      </Text>
      {win.items.map((s) => (
        <Box key={s.index} width={layout.width}>
          <Text wrap="truncate-end">
            <Text dimColor>{seconds(s.atMs).padStart(7)} </Text>
            <Text>{s.kind === 'action' ? '▲ ' : '◆ '}</Text>
            <Text color={STATE_COLOR[s.state]}>{fit(STATE_WORD[s.state] ?? s.state, 8)}</Text>
            <Text>{fit(s.detail && s.kind === 'action' && s.state !== 'failed' ? s.detail : s.text, Math.max(10, Math.min(60, layout.width - 40)))}</Text>
            {s.rebalanceMs !== undefined ? <Text color="cyan">{`  ${s.kind === 'action' ? 'settled' : 'held'} after ${seconds(s.rebalanceMs)}`}</Text> : null}
            {(s.state === 'failed' || s.state === 'not-judged') && s.detail ? <Text color={STATE_COLOR[s.state]}>{`  ${s.detail}`}</Text> : null}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
