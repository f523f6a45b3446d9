// The keys, in place of the panels while `?` is held open.
import React from 'react';
import { Box, Text } from 'ink';

export const KEYS: Array<[string, string]> = [
  ['↑ ↓', 'select a service (the target of the keys below)'],
  ['tab', 'select the next client'],
  ['k', 'kill the selected service (SIGKILL)'],
  ['p', 'pause / unpause it (docker pause)'],
  ['r', 'restart it'],
  ['e', 'expire its etcd lease'],
  ['h', 'turn its health NOT_SERVING / SERVING'],
  ['l', 'slow its link (+200 ms) / clear the link'],
  ['+ -', 'add / remove an echo server'],
  ['b', "switch the selected client's balancer"],
  ['space', 'pause / resume traffic'],
  ['s', 'pick a scenario from the library and play it here (lab and lab watch)'],
  ['?', 'this help'],
  ['q', 'quit: undo what the keys did, leave the sandbox running'],
];

export function Help({ mode, width }: { mode: 'watch' | 'play'; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>Keys{mode === 'play' ? ' (during a scenario, q stops it and undoes what it did)' : ''}</Text>
      {KEYS.map(([k, what]) => (
        <Text key={k} wrap="truncate-end">
          <Text color="cyan">{`  ${k.padEnd(7)}`}</Text>
          {what}
        </Text>
      ))}
    </Box>
  );
}
