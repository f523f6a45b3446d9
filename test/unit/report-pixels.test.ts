// The pictures read as a person reads them: chart.svg and report.html of recorded runs drawn by
// headless Chromium, and their pixels checked against the data. In the share panel each backend is a
// band as tall as its share (round_robin's three equal shares are three bands, pick_first's single
// backend fills the panel); in the failed-calls strip every bucket with a failure has a red mark and
// no other bucket has one, so one failure in 400 calls shows beside thousands of successes.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runChart, type PanelBox } from '../../src/report/chart/svg-chart.js';
import { clientSeries, markersFor, type ClientSeries } from '../../src/report/chart/series.js';
import { BACKEND_COLORS, FAILED_COLOR } from '../../src/report/chart/palette.js';
import { reportHtml } from '../../src/report/html/page.js';
import { readReport, type ReportData } from '../../src/report/read.js';
import { ONE_IN_400_REPORT, TOUR_REPORT } from '../helpers/report-fixture.js';

const CHROMIUM = process.env.LAB_CHROMIUM ?? '/usr/bin/chromium';

type Rgb = [number, number, number];
const rgb = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
const near = (a: Rgb, b: Rgb, d = 40) => Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]) <= d;

/** A column of pixels, top to bottom: where a backend's band begins and ends in it (its extent), and which pixels are red. */
interface Column {
  t: number;
  pixels: Rgb[];
}
const extent = (c: Column, color: Rgb) => {
  const rows = c.pixels.flatMap((p, i) => (near(p, color) ? [i] : []));
  return rows.length ? rows[rows.length - 1] - rows[0] + 1 : 0;
};
const reds = (c: Column) => c.pixels.filter((p) => near(p, rgb(FAILED_COLOR), 60)).length;

/** Buckets worth a column: away from every step's marker line (drawn across the panels) and not at the run's edges. */
function buckets(run: ReportData, s: ClientSeries, pxPerS: number): number[] {
  const marks = markersFor(s.client, run.verdict).map((m) => m.at);
  return s.t.flatMap((t, i) => {
    const mid = (s.t0[i] + t) / 2;
    const clear = marks.every((m) => Math.abs(m - mid) * pxPerS > 4) && s.spanS[i] * pxPerS >= 3;
    return clear ? [i] : [];
  });
}

/** The checks, the same for the SVG and the HTML: given each bucket's column through a client's share and failed panels. */
function checkShares(s: ClientSeries, colors: Record<string, string>, columns: Map<number, Column>, height: number, what: string): void {
  let checked = 0;
  for (const [i, col] of columns) {
    const total = s.backends.reduce((n, b) => n + (s.calls[b][i] ?? 0), 0);
    if (total < 50) continue; // a bucket of a handful of calls (a frozen backend's): its bands are a few pixels
    for (const b of s.backends) {
      const want = (s.share[b][i] ?? 0) / 100;
      const got = extent(col, rgb(colors[b])) / height;
      assert.ok(
        Math.abs(got - want) <= 0.04,
        `${what} ${s.client} at ${col.t.toFixed(2)}s: ${b}'s band is ${(100 * got).toFixed(1)}% of the panel, its share ${(100 * want).toFixed(1)}%`,
      );
    }
    checked++;
  }
  assert.ok(checked >= columns.size / 2, `${what} ${s.client}: ${checked} of ${columns.size} buckets checked`);
}

function checkFailed(s: ClientSeries, columns: Map<number, Column>, what: string): number {
  let marked = 0;
  for (const [i, col] of columns) {
    const n = reds(col);
    if (s.failedCalls[i] > 0) assert.ok(n >= 3, `${what} ${s.client} at ${col.t.toFixed(2)}s: ${s.failedCalls[i]} failed, and ${n} red pixels`);
    else assert.equal(n, 0, `${what} ${s.client} at ${col.t.toFixed(2)}s: no call failed, yet ${n} red pixels`);
    if (n) marked++;
  }
  return marked;
}

describe('the pictures, drawn by Chromium and read pixel by pixel', () => {
  let browser: Browser;
  let page: Page;
  let tmp: string;
  const runs = { tour: readReport(TOUR_REPORT), one: readReport(ONE_IN_400_REPORT) };

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium`);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'lab-pixels-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
    await page.route('**/*', (route) => (route.request().url().startsWith('file://') ? route.continue() : route.abort()));
  });
  after(async () => {
    await browser?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** chart.svg as an image on a canvas: the columns asked for, top to bottom between y0 and y1. */
  async function svgColumns(svg: string, asks: Array<{ x: number; y0: number; y1: number }>): Promise<Rgb[][]> {
    // As a data: address, so the canvas it is drawn on can be read (a file: image taints it).
    const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
    writeFileSync(path.join(tmp, 'chart.html'), `<!doctype html><body style="margin:0"><img id="chart" src="${src}"></body>`);
    await page.goto(`file://${path.join(tmp, 'chart.html')}`);
    // In the page, as plain script text (no helper the test's compiler adds).
    return page.evaluate(`(async (cols) => {
      const img = document.getElementById('chart');
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      return cols.map(({ x, y0, y1 }) => {
        const d = ctx.getImageData(Math.round(x), Math.ceil(y0) + 1, 1, Math.floor(y1) - Math.ceil(y0) - 2).data;
        const out = [];
        for (let i = 0; i < d.length; i += 4) out.push([d[i], d[i + 1], d[i + 2]]);
        return out;
      });
    })(${JSON.stringify(asks)})`);
  }

  /** report.html's share and failed canvases of a client: the column at each time, over the plot's height. */
  function htmlColumns(
    client: string,
    ts: number[],
  ): Promise<{ share: Rgb[][]; failed: Rgb[][]; height: number; pxPerS: number; colors: Record<string, string> }> {
    return page.evaluate(`((c, ts) => {
      const ch = window.labCharts[c];
      const read = (u) => ts.map((t) => {
        const x = Math.round(u.valToPos(t, 'x', true));
        const d = u.ctx.getImageData(x, Math.ceil(u.bbox.top) + 1, 1, Math.floor(u.bbox.height) - 2).data;
        const out = [];
        for (let i = 0; i < d.length; i += 4) out.push([d[i], d[i + 1], d[i + 2]]);
        return out;
      });
      return { share: read(ch.share), failed: read(ch.failed), height: ch.share.bbox.height - 3, pxPerS: ch.share.bbox.width / ch.share.scales.x.max, colors: window.LAB_REPORT.colors.backends };
    })(${JSON.stringify(client)}, ${JSON.stringify(ts)})`);
  }

  for (const [name, runName] of [
    ['the tour', 'tour'],
    ['one in 400', 'one'],
  ] as const)
    it(`chart.svg of ${name}: bands as tall as the shares, a red mark in every bucket with a failure and in no other`, async () => {
      const run = runs[runName];
      const chart = runChart(run);
      const endS = run.endMs / 1000;
      const all = [...new Set([...run.buckets.values()].flatMap((bs) => bs.flatMap((b) => Object.keys(b.backends))))];
      for (const client of run.buckets.keys()) {
        const s = clientSeries(client, run.buckets.get(client)!);
        const panel = (k: PanelBox['kind']) => chart.panels.find((p) => p.client === client && p.kind === k)!;
        const share = panel('share');
        const failed = panel('failed');
        const x = (t: number) => share.x + (share.w * t) / endS;
        const idx = buckets(run, s, share.w / endS);
        const cols = await svgColumns(
          chart.svg,
          idx.flatMap((i) => [share, failed].map((p) => ({ x: x((s.t0[i] + s.t[i]) / 2), y0: p.y, y1: p.y + p.h }))),
        );
        const shareCols = new Map(idx.map((i, k) => [i, { t: s.t[i], pixels: cols[2 * k] }]));
        const failedCols = new Map(idx.map((i, k) => [i, { t: s.t[i], pixels: cols[2 * k + 1] }]));
        const sorted = [...all].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
        const colors = Object.fromEntries(sorted.map((b, i) => [b, BACKEND_COLORS[i % BACKEND_COLORS.length]]));
        checkShares(s, colors, shareCols, share.h - 3, 'chart.svg');
        const marked = checkFailed(s, failedCols, 'chart.svg');
        if (runName === 'one' && client === 'rr') assert.ok(marked >= 20, `one failure in 400 marked in ${marked} buckets`);
      }
    });

  for (const [name, runName] of [
    ['the tour', 'tour'],
    ['one in 400', 'one'],
  ] as const)
    it(`report.html of ${name}: the same, on the page's canvases`, async () => {
      const run = runs[runName];
      const file = path.join(tmp, 'report.html');
      writeFileSync(file, reportHtml(run));
      await page.goto(`file://${file}`);
      await page.waitForSelector('body[data-ready=true]', { timeout: 10_000 });
      for (const client of run.buckets.keys()) {
        const s = clientSeries(client, run.buckets.get(client)!);
        const got = await htmlColumns(
          client,
          s.t.map((t, i) => (s.t0[i] + t) / 2),
        );
        const idx = buckets(run, s, got.pxPerS);
        checkShares(s, got.colors, new Map(idx.map((i) => [i, { t: s.t[i], pixels: got.share[i] }])), got.height, 'report.html');
        const marked = checkFailed(s, new Map(idx.map((i) => [i, { t: s.t[i], pixels: got.failed[i] }])), 'report.html');
        if (runName === 'one' && client === 'rr') assert.ok(marked >= 20, `one failure in 400 marked in ${marked} buckets`);
      }
    });
});
