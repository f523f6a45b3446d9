// report.html: the run's pictures in one self-contained file (uPlot, its stylesheet, the data and the
// page's script inlined; nothing is fetched when it is opened). Headed by the scenario's "what to
// look for"; per client, the same four panels as chart.svg on one time axis: hover for a bucket's
// exact counts, click a legend entry to hide a backend (the others restack), drag to zoom (every
// panel follows), or zoom to a window around a step from the list.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { byBackendName } from '../../traffic/index.js';
import { clientSeries, allSteps, bandLabels, markersFor } from '../chart/series.js';
import { BACKEND_COLORS, codeColor, FAILED_COLOR, FAILED_MARK_H, MARKER_COLORS, OK_COLOR, P50_COLOR, P99_COLOR } from '../chart/palette.js';
import { TITLES, type ChartInput } from '../chart/svg-chart.js';
import type { ClientLabel } from '../clients.js';
import { escapeXml as esc, verdictWord } from '../text.js';
import { PAGE_SCRIPT, PAGE_STYLE } from './script.js';

const require = createRequire(import.meta.url);
const asset = (p: string) => readFileSync(require.resolve(p), 'utf8');

/** JSON safe inside <script>: nothing in it can close the element. */
const inline = (v: unknown) =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/** What the page draws: each client's series and markers, the steps, the colours. */
export function pageData(run: ChartInput & { about?: string; clients?: ClientLabel[] }) {
  const served = new Set((run.verdict.ownClients ?? []).map((c) => c.name));
  const clients = [...run.buckets.keys()].map((c) => {
    const series = clientSeries(c, run.buckets.get(c)!);
    const named = run.clients?.find((x) => x.name === c);
    return {
      ...series,
      about: named ? [named.target, named.resolver, named.balancer].filter(Boolean).join(' · ') : '',
      labels: bandLabels(series),
      markers: markersFor(c, run.verdict),
      titles: { share: TITLES.share, failed: TITLES.failed, rate: TITLES.rate, latency: served.has(c) ? TITLES.served : TITLES.latency },
    };
  });
  const backends = [...new Set(clients.flatMap((c) => c.backends))].sort(byBackendName);
  const codes = [...new Set(clients.flatMap((c) => c.codes))];
  return {
    name: run.name,
    about: run.about ?? '',
    endS: run.endMs / 1000,
    verdict: verdictWord(run.verdict),
    clients,
    steps: allSteps(run.verdict),
    colors: {
      backends: Object.fromEntries(backends.map((b, i) => [b, BACKEND_COLORS[i % BACKEND_COLORS.length]])),
      codes: Object.fromEntries(codes.map((c, i) => [c, codeColor(c, i)])),
      ok: OK_COLOR,
      failed: FAILED_COLOR,
      failedMark: FAILED_MARK_H,
      p50: P50_COLOR,
      p99: P99_COLOR,
      markers: MARKER_COLORS,
    },
  };
}

export function reportHtml(run: ChartInput & { about?: string; clients?: ClientLabel[] }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(run.name)} · lab report</title>
<style>${asset('uplot/dist/uPlot.min.css')}</style>
<style>${PAGE_STYLE}</style>
</head>
<body>
<div id="app"></div>
<script>${asset('uplot/dist/uPlot.iife.min.js')}</script>
<script>window.LAB_REPORT = ${inline(pageData(run))};</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
