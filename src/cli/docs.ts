// The tables users read about the plug-ins, derived from the registries (so adding a plug-in adds
// its line): for `lab play --help`, `lab traffic --help` and the README (npm run docs writes them
// between its <!-- generated:NAME --> markers; a test checks they are current).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { actionDefinitions, GRFCS, grfcNumber, expectationKinds } from '../scenario/index.js';
import { packageRoot } from '../util/paths.js';
import { balancerDescription, balancerOrigin, knownBalancers, knownSchemes, schemeOrigin, type Origin } from '../traffic/index.js';

const cell = (s: string) => s.replace(/\|/g, '\\|');

export const DOC_TABLES: Record<string, () => string> = {
  actions: () =>
    [
      '| action | what happens |',
      '| --- | --- |',
      ...actionDefinitions()
        .slice()
        .sort((a, b) => a.kind.localeCompare(b.kind))
        .map((a) => `| \`${cell(a.example)}\` | ${cell(a.summary)} |`),
    ].join('\n'),
  expectations: () =>
    ['| key | what it checks |', '| --- | --- |', ...expectationKinds().map((k) => `| \`${cell(k.example)}\` | ${cell(k.summary)} |`)].join('\n'),
  balancers: () =>
    [
      '| name | from | what it does |',
      '| --- | --- | --- |',
      ...knownBalancers().map((n) => `| \`${n}\` | ${balancerOrigin(n)} | ${cell(balancerDescription(n) ?? '')} |`),
    ].join('\n'),
  grfc: () => grfcTable(),
  schemes: () => ['| target scheme | from |', '| --- | --- |', ...knownSchemes().map((s) => `| \`${s}:\` | ${schemeOrigin(s)} |`)].join('\n'),
};

/** The gRFCs the library shows, each with the scenarios that name it (`grfc:` in the file), in number order. */
function grfcTable(dir = path.join(packageRoot(), 'scenarios')): string {
  const shows = new Map<string, string[]>();
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.yaml'))
    .sort()) {
    const ids = (parse(readFileSync(path.join(dir, f), 'utf8')) as { grfc?: string[] } | null)?.grfc ?? [];
    for (const id of ids) shows.set(id, [...(shows.get(id) ?? []), f]);
  }
  return [
    '| gRFC | what | from | shown by |',
    '| --- | --- | --- | --- |',
    ...[...shows.keys()]
      .sort((a, b) => grfcNumber(a) - grfcNumber(b))
      .map((id) => {
        const g = GRFCS[id];
        const title = g ? cell(g.title) + (g.floor ? ` (${cell(g.floor)})` : '') : '(not in the lab’s list)';
        return `| ${id} | ${title} | ${g?.origin ?? ''} | ${shows
          .get(id)!
          .map((f) => `\`${f}\``)
          .join(', ')} |`;
      }),
  ].join('\n');
}

/** Plain lines for --help: "  kill            SIGKILL the container ...". */
export function helpLines(what: 'actions' | 'expectations' | 'balancers'): string {
  const rows: Array<[string, string]> =
    what === 'actions'
      ? actionDefinitions().map((a) => [a.kind, a.summary])
      : what === 'expectations'
        ? expectationKinds().map((k) => [k.key, k.summary])
        : knownBalancers().map((n) => [n, `(${balancerOrigin(n)}) ${balancerDescription(n) ?? ''}`]);
  const w = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `  ${k.padEnd(w)}${v}`)
    .join('\n');
}

/** "dns, ipv4, ... (grpc-js); xds (grpc-js-xds); etcd, consul (the lab's own)". */
export const schemesLine = () => {
  const by = new Map<Origin, string[]>();
  for (const s of knownSchemes()) {
    const o = schemeOrigin(s) ?? 'lab';
    by.set(o, [...(by.get(o) ?? []), s]);
  }
  return [...by].map(([o, ss]) => `${ss.join(', ')} (${o === 'lab' ? "the lab's own" : o})`).join('; ');
};

/** Replaces each <!-- generated:NAME -->…<!-- /generated:NAME --> block of `text` with its table. */
export function withGeneratedTables(text: string): string {
  return text.replace(/(<!-- generated:(\w+) -->)[\s\S]*?(<!-- \/generated:\2 -->)/g, (all, open: string, name: string, close: string) =>
    DOC_TABLES[name] ? `${open}\n${DOC_TABLES[name]()}\n${close}` : all,
  );
}
