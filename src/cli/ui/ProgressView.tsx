// Renders progress rows: a spinner while working, a tick when done, a cross on failure.
import React from 'react';
import { Box, Text } from 'ink';
import type { ProgressState } from './up-progress.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function ProgressView({ state, frame, title }: { state: ProgressState; frame: number; title: string }) {
  const width = Math.max(8, ...state.rows.map((r) => r.name.length));
  return (
    <Box flexDirection="column">
      <Text bold>{title}</Text>
      {state.rows.map((r) => (
        <Box key={r.name}>
          <Text color={r.failed ? 'red' : r.done ? 'green' : 'cyan'}>{r.failed ? '✖' : r.done ? '✔' : FRAMES[frame % FRAMES.length]} </Text>
          <Text>{r.name.padEnd(width)} </Text>
          <Text dimColor wrap="truncate-end">
            {r.detail || r.state}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
