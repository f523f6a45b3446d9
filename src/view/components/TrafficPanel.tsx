// Every client, side by side when the terminal is wide enough (pick_first beside round_robin).
import React from 'react';
import { Box, Text } from 'ink';
import type { Layout } from '../layout.js';
import type { ViewState } from '../state.js';
import { ClientPanel } from './ClientPanel.js';

export function TrafficPanel({ state, layout }: { state: ViewState; layout: Layout }) {
  const addressByName = new Map(Object.entries(state.names).map(([addr, name]) => [name, addr]));
  const nameOf = (address: string) => state.names[address] ?? address;
  const rows: Array<typeof state.clients> = [];
  for (let i = 0; i < state.clients.length; i += layout.clientColumns) rows.push(state.clients.slice(i, i + layout.clientColumns));
  return (
    <Box flexDirection="column" width={layout.width}>
      <Text bold wrap="truncate-end">
        Traffic{state.trafficPaused ? <Text color="yellow"> (paused)</Text> : null}
      </Text>
      {state.clients.length === 0 ? <Text dimColor> no clients yet</Text> : null}
      {rows.map((row, r) => (
        <Box key={r} flexDirection="row" width={layout.width}>
          {row.map((c) => (
            <Box key={c.name} width={layout.clientWidth} marginRight={layout.clientColumns > 1 ? 1 : 0}>
              <ClientPanel
                client={c}
                width={layout.clientWidth}
                layout={layout}
                selected={state.clients[state.selectedClient]?.name === c.name}
                addressOf={(n) => addressByName.get(n)}
                nameOf={nameOf}
              />
            </Box>
          ))}
        </Box>
      ))}
    </Box>
  );
}
