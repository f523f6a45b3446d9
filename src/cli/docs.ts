// The tables users read about the plug-ins, derived from the registries (so adding a plug-in adds
// its line): for `lab play --help`, `lab traffic --help` and the README (npm run docs writes them
// between its <!-- generated:NAME --> markers; a test checks they are current).
import { actionDefinitions } from '../scenario/actions/index.js';
import { expectationKinds } from '../scenario/expectations/index.js';
import { balancerDescription, knownBalancers, knownSchemes } from '../traffic/index.js';

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
    ['| name | what it does |', '| --- | --- |', ...knownBalancers().map((n) => `| \`${n}\` | ${cell(balancerDescription(n) ?? '')} |`)].join('\n'),
};

/** Plain lines for --help: "  kill            SIGKILL the container ...". */
export function helpLines(what: 'actions' | 'expectations' | 'balancers'): string {
  const rows: Array<[string, string]> =
    what === 'actions'
      ? actionDefinitions().map((a) => [a.kind, a.summary])
      : what === 'expectations'
        ? expectationKinds().map((k) => [k.key, k.summary])
        : knownBalancers().map((n) => [n, balancerDescription(n) ?? '']);
  const w = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `  ${k.padEnd(w)}${v}`)
    .join('\n');
}

export const schemesLine = () => knownSchemes().join(', ');

/** Replaces each <!-- generated:NAME -->…<!-- /generated:NAME --> block of `text` with its table. */
export function withGeneratedTables(text: string): string {
  return text.replace(/(<!-- generated:(\w+) -->)[\s\S]*?(<!-- \/generated:\2 -->)/g, (all, open: string, name: string, close: string) =>
    DOC_TABLES[name] ? `${open}\n${DOC_TABLES[name]()}\n${close}` : all,
  );
}
