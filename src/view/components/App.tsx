// The rebalance view: title, cluster, traffic, timeline; the last notice, and the verdict below.
// The frame is the whole screen and nothing is printed outside it (the steps are on the timeline,
// the last thing a key or the run did is the notice); the report keeps the full event log.
import React from 'react';
import { Box, Text } from 'ink';
import { seconds } from '../format.js';
import { layoutFor } from '../layout.js';
import type { ViewState } from '../state.js';
import { ClusterPanel } from './ClusterPanel.js';
import { Help } from './Help.js';
import { Picker } from './Picker.js';
import { Timeline } from './Timeline.js';
import { TrafficPanel } from './TrafficPanel.js';

export function App({ state, columns, rows, interactive }: { state: ViewState; columns: number; rows: number; interactive: boolean }) {
  const layout = layoutFor(state, columns, rows);
  if (layout.tooSmall)
    return (
      <Box flexDirection="column">
        <Text bold color="yellow" wrap="truncate-end">
          {`make the terminal at least ${layout.tooSmall.columns}×${layout.tooSmall.rows}`}
        </Text>
        <Text dimColor wrap="truncate-end">{`(it is ${columns}×${rows}: too small for every client's backends beside the cluster)`}</Text>
        {interactive ? (
          <Text dimColor wrap="truncate-end">
            {'q quits'}
          </Text>
        ) : null}
      </Box>
    );
  const clock =
    state.phase === 'traffic' || state.phase === 'undo' || state.phase === 'done'
      ? `${seconds(state.durationMs ? Math.min(state.nowMs, state.durationMs) : state.nowMs)}${state.durationMs ? ` / ${seconds(state.durationMs)}` : ''}`
      : state.phase;
  return (
    <Box flexDirection="column" width={layout.width}>
      <Text wrap="truncate-end">
        <Text bold color="cyan">
          lab{' '}
        </Text>
        <Text bold>{state.title}</Text>
        <Text dimColor>{`  ${state.phase === 'done' ? 'done' : state.mode === 'play' ? 'playing' : 'watching'} · ${clock}`}</Text>
        {interactive ? <Text dimColor>{'   ? help · q quit'}</Text> : null}
      </Text>
      {state.picker ? (
        <Picker
          files={state.picker.files}
          selected={state.picker.selected}
          width={layout.width}
          // Below the title line: what the notice and the verdict leave.
          rows={rows - 1 - (state.notice ? 1 : 0) - (state.verdict ? 1 + state.verdict.lines.length : 0)}
        />
      ) : state.help ? (
        <Help mode={state.mode} width={layout.width} />
      ) : (
        <>
          <ClusterPanel services={state.services} selected={state.selectedService} layout={layout} />
          <TrafficPanel state={state} layout={layout} />
          {layout.timeline ? <Timeline state={state} layout={layout} /> : null}
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
