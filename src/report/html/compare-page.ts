// compare.html: the comparison's two tables in a page of their own (self-contained, like report.html),
// each run linked to its own report.html.
import path from 'node:path';
import { comparisonRows, isBadResult, type Comparison } from '../compare.js';
import { escapeXml as esc } from '../text.js';
import { PAGE_STYLE } from './script.js';

export function comparisonHtml(c: Comparison, outDir: string): string {
  const { head, steps, totals } = comparisonRows(c);
  const table = (rows: string[][]) =>
    `<table class="compare"><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows
      .map((r) => `<tr>${r.map((x) => `<td class="${isBadResult(x) ? 'bad' : ''}">${esc(x)}</td>`).join('')}</tr>`)
      .join('')}</table>`;
  const runs = c.runs
    .map((r, i) => {
      const link = path.relative(outDir, path.join(r.dir, 'report.html'));
      return `<li><b>${String.fromCharCode(65 + i)}</b>: <a href="${esc(link)}">${esc(r.dir)}</a> — ${esc(r.name)} (${esc(r.file)}), ${(r.endMs / 1000).toFixed(1)}s, <span class="verdict-${r.ok ? 'PASS' : 'FAIL'}">${r.ok ? 'PASS' : 'FAIL'}</span></li>`;
    })
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Comparing ${c.runs.length} runs · lab</title>
<style>${PAGE_STYLE}
table.compare { border-collapse: collapse; } table.compare th, table.compare td { border: 1px solid #ddd; padding: 4px 10px; text-align: left; vertical-align: top; }
table.compare th { background: #f4f4f4; } td.bad { color: #d62728; }</style></head>
<body><h1>Comparing ${c.runs.length} runs</h1><ul>${runs}</ul>
<h2>Steps: time to rebalance (actions) and to hold (expectations)</h2>${table(steps)}
<h2>Totals per client</h2>${table(totals)}
</body></html>
`;
}
