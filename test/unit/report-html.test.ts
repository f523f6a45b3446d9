// report.html of a recorded run, opened in headless Chromium (Debian's, driven by playwright-core)
// with every request that is not the file itself refused: it draws, per client, the three panels;
// a hover shows a bucket's exact counts; a legend click hides a backend; a step's button zooms.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { reportHtml } from '../../src/scenario/report/html/page.js';
import { readReport } from '../../src/scenario/report/read.js';
import { TOUR_REPORT as TOUR } from '../helpers/report-fixture.js';

/** What the tests use of a uPlot chart, inside the page (no DOM types here). */
interface Plot {
  over: { getBoundingClientRect(): { left: number; top: number; height: number } };
  valToPos(v: number, scale: string, canvasPixels?: boolean): number;
  scales: { x: { min: number; max: number } };
}

interface CanvasLike {
  getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
}
interface Box {
  top: number;
  height: number;
}

const CHROMIUM = process.env.LAB_CHROMIUM ?? '/usr/bin/chromium';

describe('report.html in headless Chromium, without a network', () => {
  const run = readReport(TOUR);
  let tmp: string;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const errors: string[] = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium`);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'lab-html-'));
    writeFileSync(path.join(tmp, 'report.html'), reportHtml(run));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file://')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(`file://${path.join(tmp, 'report.html')}`);
    await page.waitForSelector('body[data-ready=true]', { timeout: 10_000 });
  });

  after(async () => {
    await browser?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('loads with nothing fetched and no error, and draws three panels per client', async () => {
    assert.deepEqual(requests, [], 'nothing but the file itself');
    assert.deepEqual(errors, []);
    const panels = await page.$$eval('[data-panel]', (els) =>
      els.map((e) => `${e.getAttribute('data-client')}:${e.getAttribute('data-panel')}:${e.querySelectorAll('canvas').length}`),
    );
    assert.deepEqual(panels, ['rr:share:1', 'rr:rate:1', 'rr:latency:1', 'pf:share:1', 'pf:rate:1', 'pf:latency:1']);
    const steps = await page.$$eval('button[data-step]', (els) => els.length);
    assert.equal(steps, run.verdict.actions.length + run.verdict.expectations.length);
  });

  it('a hover over a bucket shows its exact counts', async () => {
    const buckets = run.buckets.get('rr')!;
    // A bucket during the freeze (calls failing) and one in steady state.
    for (const i of [buckets.findIndex((b) => b.t > 20_000), buckets.findIndex((b) => b.t > 26_000 && b.total.calls > b.total.ok)]) {
      const b = buckets[i];
      const at = await page.evaluate((t) => {
        const u = (globalThis as unknown as { labCharts: Record<string, Record<string, Plot>> }).labCharts.rr.rate;
        const r = u.over.getBoundingClientRect();
        return { x: r.left + u.valToPos(t, 'x'), y: r.top + r.height / 2 };
      }, b.t / 1000);
      await page.mouse.move(at.x, at.y);
      const legend = await page.$$eval('[data-client=rr][data-panel=rate] .u-legend .u-series', (rows) =>
        rows.map((r) => `${r.querySelector('.u-label')?.textContent}=${r.querySelector('.u-value')?.textContent}`),
      );
      assert.ok(
        legend.some((l) => l.startsWith(`succeeded=${b.total.ok} calls (`)),
        `${b.t}: ${legend.join(' | ')}`,
      );
      for (const [code, n] of Object.entries(b.total.errors))
        assert.ok(
          legend.some((l) => l.startsWith(`${code}=${n} calls`)),
          `${code} ${n}: ${legend.join(' | ')}`,
        );
      // The share panel follows the same cursor: echo-2's calls of the bucket's total.
      const share = await page.$$eval('[data-client=rr][data-panel=share] .u-legend .u-series', (rows) =>
        rows.map((r) => r.querySelector('.u-value')?.textContent ?? ''),
      );
      const e2 = b.backends['echo-2']?.calls ?? 0;
      assert.ok(
        share.some((v) => v.includes(`(${e2} of ${b.total.calls} calls)`)),
        `${b.t}: ${share.join(' | ')}`,
      );
    }
  });

  it('shades a bucket whose calls failed behind the shares, and leaves a healthy one clear', async () => {
    const buckets = run.buckets.get('rr')!;
    const failing = buckets.find((b) => b.t > 26_000 && b.total.calls > b.total.ok && b.total.ok === 0)!;
    const healthy = buckets.find((b) => b.t > 20_000 && b.total.ok === b.total.calls && b.total.calls > 0)!;
    // The share of a bucket's pixels (inside its span, over the plot's height) that are shaded red;
    // the backends' lines cross it, so not all of them.
    const redShare = (from: number, to: number) =>
      page.evaluate(
        ([t0, t1]) => {
          const u = (globalThis as unknown as { labCharts: Record<string, Record<string, Plot & { ctx: CanvasLike; bbox: Box }>> }).labCharts.rr.share;
          const x0 = Math.ceil(u.valToPos(t0, 'x', true)) + 1;
          const x1 = Math.floor(u.valToPos(t1, 'x', true)) - 1;
          const d = u.ctx.getImageData(x0, Math.round(u.bbox.top), Math.max(1, x1 - x0), Math.round(u.bbox.height)).data;
          let red = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] - d[i + 1] > 40 && d[i] - d[i + 2] > 40) red++;
          return red / (d.length / 4);
        },
        [from, to],
      );
    const bucketS = 0.25;
    // Zoomed in to a second around each, so a bucket is wide and the lines are thin across it.
    const zoom = (t: number) => page.evaluate((at) => (globalThis as unknown as { labZoom(a: number, b: number): void }).labZoom(at - 0.5, at + 0.5), t);
    await zoom(failing.t / 1000);
    const shaded = await redShare(failing.t / 1000 - bucketS, failing.t / 1000);
    assert.ok(shaded > 0.5, `a failing bucket is shaded red: ${shaded}`);
    await zoom(healthy.t / 1000);
    const clear = await redShare(healthy.t / 1000 - bucketS, healthy.t / 1000);
    await page.click('#zoom-reset');
    assert.equal(clear, 0, 'a healthy bucket is not shaded');
  });

  it('a legend click hides a backend; a step’s button zooms every panel to ±5 s around it', async () => {
    await page.click('[data-client=rr][data-panel=share] .u-legend .u-series:nth-child(2)');
    const off = await page.$$eval('[data-client=rr][data-panel=share] .u-legend .u-series', (rows) => rows.map((r) => r.classList.contains('u-off')));
    assert.deepEqual(off, [false, true, false, false], 'echo-1 hidden');
    await page.click('button[data-step="5"]'); // #6 pause echo-2, at 25 s
    const scales = await page.evaluate(() => {
      const charts = (globalThis as unknown as { labCharts: Record<string, Record<string, Plot>> }).labCharts;
      return Object.values(charts).flatMap((c) => ['share', 'rate', 'latency'].map((k) => [c[k].scales.x.min, c[k].scales.x.max]));
    });
    const at = run.verdict.actions.find((a) => a.index === 5)!;
    const t = (at.ranAtMs ?? at.atMs) / 1000;
    for (const [min, max] of scales) {
      assert.ok(Math.abs(min - (t - 5)) < 0.01 && Math.abs(max - (t + 5)) < 0.01, `${min}..${max} around ${t}`);
    }
  });
});
