// The scenario picker: the library's files; Enter plays the selected one in the view. A library
// longer than the screen scrolls with the selection: the rows it has, with how many are above and
// below, never a list that pushes the selection off the screen.
import React from 'react';
import { Box, Text } from 'ink';

/** The files shown in `rows` lines (a line each for "N more" above and below when some are hidden). */
export function pickerWindow(count: number, selected: number, rows: number): { start: number; end: number; above: number; below: number } {
  const room = Math.max(1, rows);
  if (count <= room) return { start: 0, end: count, above: 0, below: 0 };
  // Lines for the markers come out of the room; the selection stays inside what is left. At either
  // end one marker is enough, and its line shows one more file.
  const half = (n: number) => Math.max(0, selected - Math.floor(n / 2));
  if (half(room - 2) === 0) return { start: 0, end: room - 1, above: 0, below: count - (room - 1) };
  if (half(room - 2) + (room - 2) >= count) return { start: count - (room - 1), end: count, above: count - (room - 1), below: 0 };
  const start = half(room - 2);
  return { start, end: start + room - 2, above: start, below: count - start - (room - 2) };
}

export function Picker({ files, selected, width, rows }: { files: string[]; selected: number; width: number; rows: number }) {
  const w = pickerWindow(files.length, selected, rows - 1);
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate-end">
        Play a scenario <Text dimColor>(↑/↓ choose · enter plays · esc closes)</Text>
      </Text>
      {files.length === 0 ? <Text dimColor> no .yaml files in scenarios/</Text> : null}
      {w.above ? <Text dimColor>{`  ↑ ${w.above} more`}</Text> : null}
      {files.slice(w.start, w.end).map((f, k) => {
        const i = w.start + k;
        return (
          <Text key={f} color={i === selected ? 'cyan' : undefined} wrap="truncate-end">
            {`${i === selected ? '>' : ' '} ${f}`}
          </Text>
        );
      })}
      {w.below ? <Text dimColor>{`  ↓ ${w.below} more`}</Text> : null}
    </Box>
  );
}
