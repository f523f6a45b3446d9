// `lab play` without the view (a pipe, CI, --no-tui): one plain line per event worth reading, a line
// per client per second with its shares, and the verdict as tables.
import { shareLine } from '../../traffic/index.js';
import { type PlayEvent, windowAt, type Bucket, type Verdict } from '../../scenario/index.js';
import { c, table } from '../output.js';
import { expectWord, heldText, MEASURES, settledText } from '../../report/index.js';
import { plainLine } from './up-progress.js';

export const sec = (ms: number) => `${(ms / 1000).toFixed(1)}s`.padStart(6);

/** Prints the run as it goes; `buckets` is the player's own series (filled before each bucket event). */
export function playLinePrinter(buckets: Map<string, Bucket[]>, out: (line: string) => void): (e: PlayEvent) => void {
  const lastPrinted = new Map<string, number>();
  return (e) => {
    if (e.type === 'sandbox') {
      const line = plainLine(e.event);
      if (line && /ready|created|started|unpaused|removed|failed/.test(line)) out(c.dim(`  sandbox: ${line}`));
    } else if (e.type === 'phase' && e.phase !== 'done') out(c.dim(`── ${e.phase}`));
    else if (e.type === 'step') out(`${sec(e.t)} ${e.kind === 'action' ? '▶' : '?'} ${e.text}${e.error ? c.red(`  ✖ ${e.error}`) : ''}`);
    else if (e.type === 'own-client') out(c.red(`${sec(e.t)} ✖ ${e.client}: ${e.how}`));
    else if (e.type === 'undo') out(c.dim(`  undo: ${e.text}${e.error ? `  ✖ ${e.error}` : ''}`));
    else if (e.type === 'resolver-error') out(c.yellow(`${sec(e.t)}   ${e.client} resolver: ${e.message}`));
    else if (e.type === 'bucket' && e.t - (lastPrinted.get(e.client) ?? 0) >= 1000) {
      lastPrinted.set(e.client, e.t);
      const w = windowAt(buckets.get(e.client) ?? [], e.t, 1000);
      const errs = w.total.calls - w.total.ok;
      out(
        c.dim(
          `${sec(e.t)}   ${e.client.padEnd(8)} ${String(w.total.calls).padStart(5)}/s  ${shareLine(w.backends, w.total.calls, 0, ' ')}${errs ? c.yellow(`  errors ${errs}`) : ''}`,
        ),
      );
    }
  };
}

/** The expectations and actions tables, and the verdict line. */
export function verdictText(v: Verdict, reportDir: string): string {
  const paint = (word: string) => (word === 'pass' ? c.green(word) : word === 'not judged' ? c.yellow(word) : c.red(word));
  const expectations = table(
    ['AT', 'EXPECTATION', 'VERDICT', 'HELD AFTER', 'SEEN'],
    v.expectations.map((e) => [
      sec(e.atMs).trim(),
      e.text,
      paint(expectWord(e)),
      heldText(e).replace('held after ', '') || '—',
      `${e.saw}${e.note ? ` (${e.note})` : ''}`,
    ]),
  );
  const rebalance = (a: Verdict['actions'][number]) =>
    a.error ? c.red(`failed: ${a.error}`) : a.ranAtMs === undefined ? c.yellow('not reached') : settledText(a);
  const actions = v.actions.length
    ? `\n\n${table(
        ['AT', 'ACTION', 'CLIENTS AFTER IT'],
        v.actions.map((a) => [sec(a.atMs).trim(), a.text, rebalance(a)]),
      )}`
    : '';
  const defined = c.dim(
    [
      MEASURES.held,
      ...(v.actions.length ? [MEASURES.settled] : []),
      ...(v.actions.some((a) => a.joined) ? [MEASURES.fair] : []),
      ...(v.cutShortAtMs !== undefined ? [MEASURES.notJudged] : []),
    ].join('\n'),
  );
  const own = v.ownClients?.length
    ? `\n\n${table(
        ['YOUR CLIENT', 'COMMAND', 'ENDED'],
        v.ownClients.map((o) => [o.name, o.run, o.early ? c.red(o.how) : o.how]),
      )}`
    : '';
  const line = `${v.ok ? c.green('✔ PASS') : c.red(v.interrupted ? '✖ INTERRUPTED' : '✖ FAIL')}  report: ${reportDir}/report.html (and summary.md)`;
  return `\n${expectations}${actions}${own}\n${defined}\n\n${line}`;
}
