// The scenario picker: the library's files; Enter plays the selected one in the view.
import React from 'react';
import { Box, Text } from 'ink';

export function Picker({ files, selected, width }: { files: string[]; selected: number; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>
        Play a scenario <Text dimColor>(↑/↓ choose · enter plays · esc closes)</Text>
      </Text>
      {files.length === 0 ? <Text dimColor> no .yaml files in scenarios/</Text> : null}
      {files.map((f, i) => (
        <Text key={f} color={i === selected ? 'cyan' : undefined} wrap="truncate-end">
          {`${i === selected ? '>' : ' '} ${f}`}
        </Text>
      ))}
    </Box>
  );
}
