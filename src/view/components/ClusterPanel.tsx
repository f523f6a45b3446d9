// The cluster: each service with its container state, address, registry state, health, weight and
// any fault or link fault in force. The selected row (the target of keys) is marked.
import React from 'react';
import chalk, { foregroundColorNames, type ForegroundColorName } from 'chalk';
import { Box, Text } from 'ink';
import { fit, nameLabels } from '../format.js';
import { windowAround, type Layout } from '../layout.js';
import type { ServiceView } from '../state.js';

const isColor = (c: string): c is ForegroundColorName => (foregroundColorNames as readonly string[]).includes(c);

const STATE_COLOR: Record<string, string> = {
  running: 'green',
  paused: 'yellow',
  exited: 'red',
  dead: 'red',
  absent: 'gray',
  created: 'gray',
  restarting: 'yellow',
};

function healthColor(h?: string): string | undefined {
  if (!h) return undefined;
  if (h === 'SERVING' || h === 'healthy') return 'green';
  if (h === 'NOT_SERVING' || h.startsWith('unhealthy')) return 'red';
  return 'yellow';
}

function registry(s: ServiceView): { text: string; color?: string } {
  if (s.role !== 'echo' && s.role !== 'server') return { text: '' };
  const lease = s.etcdRegistered === false || s.leaseTtl === undefined ? 'no key' : `lease ${s.leaseTtl}s`;
  const consul = s.consulCheck ?? 'not in Consul';
  const bad = s.etcdRegistered === false || (s.consulCheck !== undefined && s.consulCheck !== 'passing') || s.consulCheck === undefined;
  return { text: `${lease}, ${consul}`, color: bad ? 'yellow' : undefined };
}

export function ClusterPanel({ services, selected, layout }: { services: ServiceView[]; selected: number; layout: Layout }) {
  const { width, serviceRows, serviceColumns: cols } = layout;
  const win = windowAround(services, selected, serviceRows);
  // As wide as the longest name and a space (9 to 21 columns), so that no name runs into its state.
  const labels = nameLabels(
    services.map((s) => s.name),
    Math.min(21, Math.max(9, ...services.map((s) => s.name.length + 1))),
  );
  const hidden = services.length - win.items.length;
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate-end">
        Cluster{hidden > 0 ? <Text dimColor>{`  (${win.start + 1}–${win.start + win.items.length} of ${services.length}; ↑/↓ to move)`}</Text> : null}
      </Text>
      {win.items.map((s, i) => {
        const idx = win.start + i;
        const reg = registry(s);
        const extras = [
          s.weight !== undefined && cols.weight && (s.role === 'echo' || s.role === 'server') ? `w${s.weight}` : '',
          s.fault ? `fault ${s.fault}` : '',
          s.link ? `link ${s.link}` : '',
          s.progress && s.progress !== 'ready' ? s.progress : '',
        ]
          .filter(Boolean)
          .join('  ');
        const color = (c: string | undefined) => (c && isColor(c) ? chalk[c] : (x: string) => x);
        // One pre-styled line per service: ink lays out and measures one node.
        const line =
          chalk.cyan(idx === selected ? '>' : ' ') +
          (idx === selected ? chalk.bold : (x: string) => x)(labels.get(s.name)!) +
          color(STATE_COLOR[s.container] ?? 'yellow')(fit(s.container, 9)) +
          (cols.address ? chalk.dim(fit(s.hostAddress, 18)) : '') +
          color(healthColor(s.health))(fit(s.health ?? '', 12)) +
          (cols.registry ? color(reg.color)(fit(reg.text, 27)) : '') +
          chalk.magenta(extras);
        return (
          <Text key={s.name} wrap="truncate-end">
            {line}
          </Text>
        );
      })}
    </Box>
  );
}
