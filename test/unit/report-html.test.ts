// report.html of a recorded run, opened in headless Chromium (Debian's, driven by playwright-core)
// with every request that is not the file itself refused: it is headed by what the scenario says to
// look for and draws, per client, the four panels; a hover shows a bucket's exact counts; a legend
// click hides a backend and the others restack; a step's button zooms. (Its pixels:
// report-pixels.test.ts.)
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { reportHtml } from '../../src/report/html/page.js';
import { readReport } from '../../src/report/read.js';
import { TOUR_REPORT as TOUR } from '../helpers/report-fixture.js';

/** What the tests use of a uPlot chart, inside the page (no DOM types here). */
interface Plot {
  over: { getBoundingClientRect(): { left: number; top: number; height: number } };
  valToPos(v: number, scale: string, canvasPixels?: boolean): number;
  scales: { x: { min: number; max: number } };
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
    assert.deepEqual(panels, ['rr:share:1', 'rr:failed:1', 'rr:rate:1', 'rr:latency:1', 'pf:share:1', 'pf:failed:1', 'pf:rate:1', 'pf:latency:1']);
    // Headed by what the scenario says to look for.
    assert.match((await page.textContent('#about')) ?? '', /What to look for:\n - round_robin spreads evenly/);
    const steps = await page.$$eval('button[data-step]', (els) => els.length);
    assert.equal(steps, run.verdict.actions.length + run.verdict.expectations.length);
  });

  it('a hover over a bucket shows its exact counts', async () => {
    const buckets = run.buckets.get('rr')!;
    // A bucket during the freeze (calls failing) and one in steady state.
    for (const i of [buckets.findIndex((b) => b.t > 20_000), buckets.findIndex((b) => b.t > 26_000 && b.total.calls > b.total.ok)]) {
      const b = buckets[i];
      // In the middle of the bucket's span (a bucket is drawn from the one before it to its end), on screen.
      await page.locator('[data-client=rr][data-panel=rate]').scrollIntoViewIfNeeded();
      const at = await page.evaluate(
        (t) => {
          const u = (globalThis as unknown as { labCharts: Record<string, Record<string, Plot>> }).labCharts.rr.rate;
          const r = u.over.getBoundingClientRect();
          return { x: r.left + u.valToPos(t, 'x'), y: r.top + r.height / 2 };
        },
        (buckets[i - 1].t + b.t) / 2000,
      );
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

  it('a hover over the failed-calls strip gives the bucket’s failed calls', async () => {
    const buckets = run.buckets.get('rr')!;
    const i = buckets.findIndex((b) => b.t > 26_000 && b.total.calls > b.total.ok);
    const b = buckets[i];
    const failed = Object.values(b.total.errors).reduce((n, k) => n + k, 0);
    await page.locator('[data-client=rr][data-panel=failed]').scrollIntoViewIfNeeded();
    const at = await page.evaluate(
      (t) => {
        const u = (globalThis as unknown as { labCharts: Record<string, Record<string, Plot>> }).labCharts.rr.failed;
        const r = u.over.getBoundingClientRect();
        return { x: r.left + u.valToPos(t, 'x'), y: r.top + r.height / 2 };
      },
      (buckets[i - 1].t + b.t) / 2000,
    );
    await page.mouse.move(at.x, at.y);
    const legend = await page.$$eval('[data-client=rr][data-panel=failed] .u-legend .u-series .u-value', (rows) => rows.map((r) => r.textContent ?? ''));
    assert.ok(
      legend.some((v) => v.startsWith(`${failed} calls (`)),
      legend.join(' | '),
    );
  });

  it('a legend click hides a backend; a step’s button zooms every panel to ±5 s around it', async () => {
    // The legend lists the bands top to bottom: echo-3, echo-2, echo-1.
    const labels = await page.$$eval('[data-client=rr][data-panel=share] .u-legend .u-series .u-label', (rows) => rows.map((r) => r.textContent));
    assert.deepEqual(labels, ['t', 'echo-3', 'echo-2', 'echo-1']);
    await page.click('[data-client=rr][data-panel=share] .u-legend .u-series:nth-child(4)');
    const off = await page.$$eval('[data-client=rr][data-panel=share] .u-legend .u-series', (rows) => rows.map((r) => r.classList.contains('u-off')));
    assert.deepEqual(off, [false, false, false, true], 'echo-1 hidden');
    // The others restack on the ground: echo-2's band now starts at 0, so its top is its own share.
    const steady = run.buckets.get('rr')!.findIndex((b) => b.t > 5_000);
    const top = await page.evaluate((i) => {
      const u = (globalThis as unknown as { labCharts: Record<string, Record<string, { data: number[][] }>> }).labCharts.rr.share;
      return u.data[2][2 * i + 1];
    }, steady);
    const b = run.buckets.get('rr')![steady];
    assert.ok(Math.abs(top - (100 * b.backends['echo-2'].calls) / b.total.calls) < 1e-6, `echo-2's top ${top}`);
    await page.click('button[data-step="5"]'); // #6 pause echo-2, at 25 s
    const scales = await page.evaluate(() => {
      const charts = (globalThis as unknown as { labCharts: Record<string, Record<string, Plot>> }).labCharts;
      return Object.values(charts).flatMap((c) => ['share', 'failed', 'rate', 'latency'].map((k) => [c[k].scales.x.min, c[k].scales.x.max]));
    });
    const at = run.verdict.actions.find((a) => a.index === 5)!;
    const t = (at.ranAtMs ?? at.atMs) / 1000;
    for (const [min, max] of scales) {
      assert.ok(Math.abs(min - (t - 5)) < 0.01 && Math.abs(max - (t + 5)) < 0.01, `${min}..${max} around ${t}`);
    }
  });
});
