// The keys, in place of the panels while `?` is held open: the same table the keys are matched by.
import React from 'react';
import { Box, Text } from 'ink';
import { KEY_TABLE } from '../keys.js';

export function Help({ mode, width }: { mode: 'watch' | 'play'; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>Keys{mode === 'play' ? ' (during a scenario, q stops it and undoes what it did)' : ''}</Text>
      {KEY_TABLE.map(({ label, help }) => (
        <Text key={label} wrap="truncate-end">
          <Text color="cyan">{`  ${label.padEnd(7)}`}</Text>
          {help}
        </Text>
      ))}
    </Box>
  );
}
