// The rebalance view: title, cluster, traffic, timeline; the event log above it (ink's <Static>,
// printed once and left in the scrollback); the last notice, the keys, and the verdict below.
import React from 'react';
import { Box, Static, Text } from 'ink';
import { seconds } from '../format.js';
import { layoutFor } from '../layout.js';
import type { LogLine, ViewState } from '../state.js';
import { ClusterPanel } from './ClusterPanel.js';
import { Help } from './Help.js';
import { Picker } from './Picker.js';
import { Timeline } from './Timeline.js';
import { TrafficPanel } from './TrafficPanel.js';

const LEVEL_COLOR: Record<LogLine['level'], string | undefined> = { info: undefined, warn: 'yellow', error: 'red', step: 'cyan' };

export function App({ state, columns, rows, interactive }: { state: ViewState; columns: number; rows: number; interactive: boolean }) {
  const layout = layoutFor(state, columns, rows);
  const clock =
    state.phase === 'traffic' || state.phase === 'undo' || state.phase === 'done'
      ? `${seconds(state.durationMs ? Math.min(state.nowMs, state.durationMs) : state.nowMs)}${state.durationMs ? ` / ${seconds(state.durationMs)}` : ''}`
      : state.phase;
  return (
    <Box flexDirection="column" width={layout.width}>
      <Static items={state.log}>
        {(l) => (
          <Text key={l.id} color={LEVEL_COLOR[l.level]} wrap="truncate-end">
            {`${seconds(l.t).padStart(7)}  ${l.text}`}
          </Text>
        )}
      </Static>
      <Text wrap="truncate-end">
        <Text bold color="cyan">
          lab{' '}
        </Text>
        <Text bold>{state.title}</Text>
        <Text dimColor>{`  ${state.phase === 'done' ? 'done' : state.mode === 'play' ? 'playing' : 'watching'} · ${clock}`}</Text>
        {interactive ? <Text dimColor>{'   ? help · q quit'}</Text> : null}
      </Text>
      {state.picker ? (
        <Picker files={state.picker.files} selected={state.picker.selected} width={layout.width} />
      ) : state.help ? (
        <Help mode={state.mode} width={layout.width} />
      ) : (
        <>
          <ClusterPanel services={state.services} selected={state.selectedService} layout={layout} />
          <TrafficPanel state={state} layout={layout} />
          <Timeline state={state} layout={layout} />
        </>
      )}
      {state.notice ? (
        <Text dimColor wrap="truncate-end">
          {state.notice}
        </Text>
      ) : null}
      {state.verdict ? (
        <Box flexDirection="column" width={layout.width}>
          <Text bold color={state.verdict.ok ? 'green' : 'red'} wrap="truncate-end">
            {state.verdict.ok ? '✔ PASS' : state.verdict.interrupted ? '✖ INTERRUPTED' : '✖ FAIL'}
            {state.verdict.report ? <Text dimColor>{`  report: ${state.verdict.report}`}</Text> : null}
          </Text>
          {state.verdict.lines.map((l, i) => (
            <Text key={i} wrap="truncate-end">
              {l}
            </Text>
          ))}
        </Box>
      ) : null}
    </Box>
  );
}
