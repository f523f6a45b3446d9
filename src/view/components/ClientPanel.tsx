// One traffic client: its balancer and target, RPS, errors and latency; per backend a bar of its
// share of the last second, RPS, errors, p50/p99, a sparkline of its share over the last minute and
// its subchannel's state; and the addresses its resolver believes in right now.
import React from 'react';
import chalk from 'chalk';
import { Box, Text } from 'ink';
import { asciiBar, count, errorList, fit, ms, nameLabels, pct, sparkline } from '../format.js';
import { historyLines } from '../history.js';
import type { Layout } from '../layout.js';
import type { BackendView, ClientView } from '../state.js';
import { byBackendName, resolverLabel } from '../../traffic/index.js';

const SUB_COLOR: Record<string, (s: string) => string> = {
  READY: chalk.green,
  CONNECTING: chalk.yellow,
  IDLE: chalk.gray,
  TRANSIENT_FAILURE: chalk.red,
  SHUTDOWN: chalk.gray,
};

/** The backends shown when they do not all fit (one row goes to a "more" line): the busiest (ties in name order), kept in name order. */
export function shown(backends: BackendView[], rows: number): { list: BackendView[]; hidden: BackendView[] } {
  if (backends.length <= rows) return { list: backends, hidden: [] };
  const keep = new Set(
    [...backends]
      .sort((a, b) => b.share - a.share || byBackendName(a.name, b.name))
      .slice(0, Math.max(0, rows - 1))
      .map((b) => b.name),
  );
  return { list: backends.filter((b) => keep.has(b.name)), hidden: backends.filter((b) => !keep.has(b.name)) };
}

/** "… 2 more: echo-2 33%, echo-3 33%" when it fits, else "… 27 more backends with 60% of the calls". */
export function moreLine(hidden: BackendView[], width: number): string {
  const total = hidden.reduce((a, b) => a + b.share, 0);
  const named = `  … ${hidden.length} more: ${hidden.map((b) => `${b.name} ${pct(b.share).trim()}`).join(', ')}`;
  if (named.length <= width) return named;
  return `  … ${hidden.length} more backend${hidden.length === 1 ? '' : 's'} with ${pct(total).trim()} of the calls`;
}

/** The backends' name column: as wide as the longest name and a space, from 9 to 21 columns. */
export const nameWidthOf = (names: readonly string[]) => Math.min(21, Math.max(9, ...names.map((n) => n.length + 1)));

function backendLine(b: BackendView, label: string, barWidth: number, cols: Layout['backendColumns']): string {
  const e = errorList(b.errors, true);
  let line = `  ${label}${chalk.green(asciiBar(b.share, barWidth))}${pct(b.share).padStart(5)}${chalk.dim(`${count(b.rps)}/s`.padStart(7))}`;
  if (cols.errors) line += chalk.red(fit(e ? ` ${e}` : '', 12));
  if (cols.latency) line += chalk.dim(fit(b.rps ? ` ${ms(b.p50Ms)}/${ms(b.p99Ms)}` : '', 16));
  return line;
}

function backendTail(b: BackendView, sub: string | undefined, cols: Layout['backendColumns']): string {
  let line = '';
  if (cols.sparkline) line += chalk.cyan(` ${sparkline(b.history, cols.sparkline)}`);
  if (cols.subchannel) line += (SUB_COLOR[sub ?? ''] ?? chalk.gray)(` ${fit(sub ?? '', 10)}`);
  return line;
}

export function ClientPanel({
  client,
  width,
  layout,
  selected,
  addressOf,
  nameOf,
}: {
  client: ClientView;
  width: number;
  layout: Layout;
  selected: boolean;
  addressOf: (name: string) => string | undefined;
  nameOf: (address: string) => string;
}) {
  const cols = layout.backendColumns;
  const errs = errorList(client.errors, true);
  const { list, hidden } = shown(client.backends, layout.backendRows);
  const nameWidth = nameWidthOf(client.backends.map((b) => b.name));
  const labels = nameLabels(
    list.map((b) => b.name),
    nameWidth,
  );
  const fixedCols =
    nameWidth + 5 + 7 + (cols.errors ? 12 : 0) + (cols.latency ? 16 : 0) + (cols.sparkline ? cols.sparkline + 1 : 0) + (cols.subchannel ? 11 : 0);
  const barWidth = Math.max(6, width - fixedCols - 2);
  // Every panel of a row has as many backend rows (and history rows) as the widest: their lines align.
  const blank = Math.max(0, layout.backendRows - list.length - (hidden.length ? 1 : 0));
  const history = layout.historyRows ? historyLines(client, width, layout.historyRows) : [];
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text color="cyan">{selected ? '▸ ' : '  '}</Text>
        <Text bold>{client.name}</Text>
        {/* A client named after its balancer (lab watch's): "least_request (lab)", not the name twice. */}
        {client.lb === client.name ? null : client.lb.startsWith(`${client.name} (`) ? (
          <Text>{client.lb.slice(client.name.length)}</Text>
        ) : (
          <Text> · {client.lb || '…'}</Text>
        )}
        <Text> {count(client.rps)} rps</Text>
        <Text dimColor>{`  p50 ${ms(client.p50Ms)} p99 ${ms(client.p99Ms)}`}</Text>
        {errs ? <Text color="red">{`  ✖ ${errs}`}</Text> : null}
        <Text dimColor> · {client.target}</Text>
        {client.stopped ? <Text dimColor> (stopped)</Text> : null}
      </Text>
      {list.map((b) => (
        // Pre-styled: the line in plain ASCII (# bars), so ink measures it on its fast path without
        // Unicode segmentation (a third of a frame's CPU), and the sparkline in a node of its own.
        <Box key={b.name} width={width}>
          <Text wrap="truncate-end">{backendLine(b, labels.get(b.name)!, barWidth, cols)}</Text>
          {cols.sparkline || cols.subchannel ? <Text wrap="truncate-end">{backendTail(b, client.subchannels[addressOf(b.name) ?? ''], cols)}</Text> : null}
        </Box>
      ))}
      {hidden.length ? (
        <Text dimColor wrap="truncate-end">
          {moreLine(hidden, width)}
        </Text>
      ) : null}
      {Array.from({ length: blank }, (_, i) => (
        <Text key={`b${i}`}> </Text>
      ))}
      {!layout.resolverLine ? null : client.xds ? (
        <Text dimColor wrap="truncate-end">
          {'  xds: '}
          {client.xds.types.map((t) => (
            <Text key={t.type}>
              {`${t.type} ${t.acked ? `v${t.acked}` : '-'}`}
              {t.nacked ? <Text color="red">{` NACK v${t.nacked}`}</Text> : null}
              {'  '}
            </Text>
          ))}
          {Object.keys(client.xds.loads).length
            ? `LRS ${Object.entries(client.xds.loads)
                .map(([z, l]) => `${z} ${l.ok}${l.errors ? `/${l.errors}err` : ''}`)
                .join(' ')}`
            : ''}
        </Text>
      ) : client.router ? (
        <Text dimColor wrap="truncate-end">
          {"  counted by the lab's router: the calls it forwarded per backend, its own answers as (none)"}
        </Text>
      ) : client.observed ? (
        <Text dimColor wrap="truncate-end">
          {'  counted by the echo servers: what reached them, with the status they returned'}
        </Text>
      ) : (
        <Text dimColor wrap="truncate-end">
          {`  ${resolverLabel(client.target)}: `}
          {client.resolverError ? <Text color="yellow">{client.resolverError} </Text> : null}
          {client.addresses.length ? client.addresses.map(nameOf).sort(byBackendName).join(' ') : '(no addresses yet)'}
        </Text>
      )}
      {Array.from({ length: layout.historyRows }, (_, i) => (
        <Text key={`h${i}`} wrap="truncate-end">
          {history[i] ?? ' '}
        </Text>
      ))}
    </Box>
  );
}
