// The run's chart (chart.svg): per client, on one time axis, four panels — each backend's share of
// the calls as stacked bands (equal shares are equal bands, one backend at 100% fills the panel),
// failed calls per second on a log scale with a mark under every bucket that had one, calls per
// second with the failed ones stacked by status code, and p50/p99 latency on a log scale — under a
// band of labelled step markers; the steps in full below. Laid out from the
// texts' own boxes, so no two overlap (the layout returns them for a test to check).
import { byBackendName } from '../../traffic/index.js';
import type { Bucket, Verdict } from '../../scenario/index.js';
import { verdictWord } from '../text.js';
import type { ClientLabel } from '../clients.js';
import { Canvas, clip, overlaps, type Box, type TextItem } from './canvas.js';
import { backendColor, codeColor, FAILED_COLOR, FAILED_MARK_H, MARKER_COLORS, OK_COLOR, P50_COLOR, P99_COLOR } from './palette.js';
import { allSteps, bandLabels, clientSeries, markersFor, type ClientSeries, type Marker } from './series.js';

export interface ChartInput {
  name: string;
  endMs: number;
  verdict: Pick<Verdict, 'ok' | 'actions' | 'expectations' | 'ownClients'> & { interrupted?: boolean };
  buckets: Map<string, Bucket[]>;
  /** Each client's target, resolver and balancer with their origins (older reports have none). */
  clients?: ClientLabel[];
}

/** A panel the layout placed: what it shows and where (a test finds them by title). */
export interface PanelBox {
  client: string;
  kind: 'share' | 'failed' | 'rate' | 'latency';
  title: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ChartLayout {
  svg: string;
  texts: TextItem[];
  panels: PanelBox[];
  /** Per client, the marker labels drawn (one per step of that client's panels). */
  markers: Record<string, string[]>;
}

const W = 1100;
const LEFT = 78;
const RIGHT = 190;
const PLOT_W = W - LEFT - RIGHT;
const LANE_H = 15;
const PANEL_H = { share: 170, failed: 56, rate: 110, latency: 110 } as const;
const PANEL_GAP = 30; // room for the next panel's title
const LEGEND_ROW = 16;

export const TITLES = {
  share: 'share of calls per backend (%, stacked: a band per backend)',
  failed: 'failed calls per second (log scale; a mark under every bucket with a failure)',
  rate: 'calls per second: succeeded, and failed by status code',
  latency: 'latency p50 and p99 (ms, log scale)',
  /** A client you run: the lab sees its calls only as the servers served them. */
  served: "served time (servers' side) p50 and p99 (ms, log scale)",
} as const;

export function runChart(run: ChartInput): ChartLayout {
  const clients = [...run.buckets.keys()];
  const series = clients.map((c) => clientSeries(c, run.buckets.get(c)!));
  const allBackends = [...new Set(series.flatMap((s) => s.backends))].sort(byBackendName);
  const endS = Math.max(1, run.endMs / 1000);
  const x = (t: number) => LEFT + (PLOT_W * Math.max(0, Math.min(t, endS))) / endS;
  const cv = new Canvas(W, 0);
  const panels: PanelBox[] = [];
  const markers: Record<string, string[]> = {};

  cv.text(LEFT, 26, run.name, { size: 17, weight: 'bold' });
  const verdict = verdictWord(run.verdict);
  cv.text(LEFT, 46, `${verdict} · ${(run.endMs / 1000).toFixed(1)}s · ${clients.length} client(s) · ${allBackends.length} backend(s)`, {
    fill: run.verdict.ok ? '#2ca02c' : '#d62728',
  });
  let top = 62;
  const served = new Set((run.verdict.ownClients ?? []).map((c) => c.name));
  for (const s of series) {
    const ms = markersFor(s.client, run.verdict);
    markers[s.client] = ms.map((m) => m.label);
    const named = run.clients?.find((c) => c.name === s.client);
    const about = named ? [named.resolver, named.balancer].join(' · ') : '';
    top = clientSection({ cv, x, endS, allBackends, panels }, { s, ms, top, served: served.has(s.client), about }) + 28;
  }
  top = stepList(cv, run.verdict, top);
  cv.height = top + 12;
  return { svg: cv.svg(), texts: cv.texts, panels, markers };
}

/** What every client's section of one chart shares: the canvas, the time axis, the backends, the panel boxes drawn so far. */
interface ChartFrame {
  cv: Canvas;
  x: (t: number) => number;
  endS: number;
  allBackends: string[];
  panels: PanelBox[];
}

/** One client: its title, the marker band, the three panels. Returns the bottom. */
function clientSection(
  { cv, x, endS, allBackends, panels }: ChartFrame,
  { s, ms, top, served, about }: { s: ClientSeries; ms: Marker[]; top: number; served: boolean; about: string },
): number {
  const title = cv.text(LEFT - 60, top + 14, `client ${s.client}`, { size: 14, weight: 'bold' });
  if (about) cv.text(title.x1 + 12, top + 14, clip(about, W - title.x1 - 24, 11), { size: 11, fill: '#555' });
  const placed = placeLabels(ms, x, top + 24);
  const bandBottom = top + 24 + placed.lanes * LANE_H + 4;
  let y = bandBottom + PANEL_GAP;
  const share = panel(cv, panels, s.client, 'share', y);
  y += share.h + PANEL_GAP;
  const failed = panel(cv, panels, s.client, 'failed', y);
  y += failed.h + PANEL_GAP;
  const rate = panel(cv, panels, s.client, 'rate', y);
  y += rate.h + PANEL_GAP;
  const latency = panel(cv, panels, s.client, 'latency', y, served ? TITLES.served : TITLES.latency);
  const bottom = latency.y + latency.h;
  // Markers through the band and every panel (not across the panels' titles), behind the data.
  for (const p of placed.labels) {
    const color = MARKER_COLORS[p.marker.kind];
    const dash = `stroke-dasharray="${p.marker.kind === 'action' ? '5 3' : '2 2'}" stroke-opacity="0.8"`;
    const at = x(p.marker.at);
    cv.line(at, p.y + 3, at, bandBottom, color, dash);
    for (const q of [share, failed, rate, latency]) cv.line(at, q.y, at, q.y + q.h, color, dash);
    cv.text(p.x, p.y, p.marker.label, { size: 11, anchor: p.anchor, fill: color, weight: p.marker.kind === 'action' ? 'bold' : 'normal' });
  }
  drawShare(cv, share, s, x, allBackends);
  drawFailed(cv, failed, s, x);
  drawRate(cv, rate, s, x);
  drawLatency(cv, latency, s, x);
  timeAxis(cv, bottom, x, endS);
  return bottom + 34;
}

function panel(cv: Canvas, panels: PanelBox[], client: string, kind: PanelBox['kind'], y: number, title: string = TITLES[kind]): PanelBox {
  const box: PanelBox = { client, kind, title, x: LEFT, y, w: PLOT_W, h: PANEL_H[kind] };
  panels.push(box);
  cv.text(LEFT, y - 8, title, { size: 12, fill: '#333' });
  cv.rect(LEFT, y, PLOT_W, box.h, 'none', '#999');
  return box;
}

interface Placed {
  marker: Marker;
  x: number;
  y: number;
  anchor: 'start' | 'end';
}

/** Marker labels in lanes: each goes to the first lane where it clears the one before it. */
function placeLabels(ms: Marker[], x: (t: number) => number, bandTop: number): { labels: Placed[]; lanes: number } {
  const laneEnds: number[] = [];
  const labels: Placed[] = [];
  for (const m of ms) {
    const at = x(m.at);
    const w = Canvas.boxOf(0, 0, m.label, { size: 11, weight: m.kind === 'action' ? 'bold' : 'normal' }).x1;
    // Right of the marker, or left of it near the plot's right edge.
    const anchor = at + 3 + w > LEFT + PLOT_W + RIGHT - 8 ? 'end' : 'start';
    const x0 = anchor === 'start' ? at + 3 : at - 3 - w;
    let lane = laneEnds.findIndex((end) => end + 6 <= x0);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(0);
    }
    laneEnds[lane] = x0 + w;
    labels.push({ marker: m, x: anchor === 'start' ? at + 3 : at - 3, y: bandTop + (lane + 1) * LANE_H - 3, anchor });
  }
  return { labels, lanes: Math.max(1, laneEnds.length) };
}

/** Splits a series at its gaps (null), each run a polyline. */
function runs(ts: number[], vs: Array<number | null>, x: (t: number) => number, y: (v: number) => number): Array<Array<[number, number]>> {
  const out: Array<Array<[number, number]>> = [];
  let cur: Array<[number, number]> = [];
  ts.forEach((t, i) => {
    const v = vs[i];
    if (v === null) {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push([x(t), y(v)]);
  });
  if (cur.length) out.push(cur);
  return out;
}

function legend(cv: Canvas, p: PanelBox, entries: Array<{ label: string; color: string; dash?: boolean; opacity?: number }>): void {
  const fit = Math.max(1, Math.floor(p.h / LEGEND_ROW));
  const shown = entries.length > fit ? [...entries.slice(0, fit - 1), { label: `+${entries.length - fit + 1} more`, color: '#999' }] : entries;
  const lx = p.x + p.w + 12;
  shown.forEach((e, i) => {
    const ly = p.y + 4 + i * LEGEND_ROW;
    if (e.dash !== undefined) cv.line(lx, ly + 6, lx + 14, ly + 6, e.color, `stroke-width="2"${e.dash ? ' stroke-dasharray="4 2"' : ''}`);
    else cv.rect(lx, ly + 1, 10, 10, e.color, 'none', e.opacity ? `fill-opacity="${e.opacity}"` : '');
    cv.text(lx + 18, ly + 10, clip(e.label, RIGHT - 34, 11), { size: 11 });
  });
}

function yTicks(cv: Canvas, p: PanelBox, ticks: Array<{ v: number; label: string }>, y: (v: number) => number): void {
  for (const t of ticks) {
    cv.line(p.x, y(t.v), p.x + p.w, y(t.v), '#eee');
    cv.text(p.x - 6, y(t.v) + 4, t.label, { size: 11, anchor: 'end', fill: '#555' });
  }
}

function drawShare(cv: Canvas, p: PanelBox, s: ClientSeries, x: (t: number) => number, all: string[]): void {
  const y = (v: number) => p.y + p.h - (p.h * Math.max(0, Math.min(100, v))) / 100;
  yTicks(
    cv,
    p,
    [0, 50, 100].map((v) => ({ v, label: `${v}%` })),
    y,
  );
  // Each backend a band over each bucket's span, stacked in name order (the first at the bottom); a
  // thin white edge between bands, so two equal shares are two bands, not one line.
  for (const b of s.backends) {
    const { lo, hi } = s.band[b];
    let upper: Array<[number, number]> = [];
    let lower: Array<[number, number]> = [];
    const flush = () => {
      if (upper.length) cv.polygon([...upper, ...lower.reverse()], backendColor(all, b), 'stroke="#fff" stroke-width="0.6"');
      upper = [];
      lower = [];
    };
    s.t.forEach((t, i) => {
      const l = lo[i];
      const h = hi[i];
      if (l === null || h === null || h - l <= 0) return flush();
      const t0 = s.t0[i];
      upper.push([x(t0), y(h)], [x(t), y(h)]);
      lower.push([x(t0), y(l)], [x(t), y(l)]);
    });
    flush();
  }
  // Each band named where it is widest for longest, when the name fits inside it.
  const placed: Box[] = [];
  for (const l of bandLabels(s)) {
    const cy = (y(l.lo) + y(l.hi)) / 2 + 4;
    const box = Canvas.boxOf(x(l.at), cy, l.backend, { size: 11, anchor: 'middle' });
    const fits = y(l.lo) - y(l.hi) >= 13 && box.x0 >= Math.max(p.x, x(l.from)) && box.x1 <= Math.min(p.x + p.w, x(l.to));
    if (!fits || placed.some((q) => overlaps(q, box))) continue;
    placed.push(cv.text(x(l.at), cy, l.backend, { size: 11, anchor: 'middle', fill: '#fff', weight: 'bold' }));
  }
  legend(
    cv,
    p,
    s.backends.map((b) => ({ label: b, color: backendColor(all, b) })),
  );
}

/**
 * Failed calls per second on a log scale, so one failure a second shows beside thousands of
 * successes: a bar per bucket with a failure, never shorter than a mark at the bottom.
 */
function drawFailed(cv: Canvas, p: PanelBox, s: ClientSeries, x: (t: number) => number): void {
  const rates = s.failedCalls.map((n, i) => n / s.spanS[i]);
  const some = rates.filter((r) => r > 0);
  if (!some.length) {
    cv.text(p.x + p.w / 2, p.y + p.h / 2 + 4, 'no call failed', { anchor: 'middle', fill: '#888', size: 11 });
    return;
  }
  const lo = 10 ** Math.floor(Math.log10(Math.min(...some)));
  const hi = Math.max(lo * 10, 10 ** Math.ceil(Math.log10(Math.max(...some))));
  const y = (v: number) => p.y + p.h - (p.h * (Math.log10(Math.max(lo, v)) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const ticks = [lo, hi];
  yTicks(
    cv,
    p,
    ticks.map((v) => ({ v, label: v >= 1 ? `${v}/s` : `${v.toPrecision(1)}/s` })),
    y,
  );
  s.t.forEach((t, i) => {
    if (!rates[i]) return;
    const x0 = x(s.t0[i]);
    const w = Math.max(2, x(t) - x0 - 0.5);
    const top = Math.min(y(rates[i]), p.y + p.h - FAILED_MARK_H);
    cv.rect(x0, top, w, p.y + p.h - top, FAILED_COLOR, 'none', `data-failed="${s.failedCalls[i]}"`);
  });
  legend(cv, p, [{ label: 'failed calls', color: FAILED_COLOR }]);
}

/** A round top for an axis: 1, 2 or 5 times a power of ten. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

function drawRate(cv: Canvas, p: PanelBox, s: ClientSeries, x: (t: number) => number): void {
  const layers = [{ label: 'ok', color: OK_COLOR, values: s.ok }, ...s.codes.map((c, i) => ({ label: c, color: codeColor(c, i), values: s.failed[c] }))];
  const totals = s.t.map((_, i) => layers.reduce((n, l) => n + l.values[i], 0) / s.spanS[i]);
  const max = niceMax(Math.max(1, ...totals));
  const y = (v: number) => p.y + p.h - (p.h * Math.min(v, max)) / max;
  yTicks(
    cv,
    p,
    [0, max / 2, max].map((v) => ({ v, label: `${Math.round(v)}` })),
    y,
  );
  // Stacked: each layer's band from the layers under it to its own top, drawn as steps (a bucket is a span).
  const base = s.t.map(() => 0);
  for (const l of layers) {
    const upper: Array<[number, number]> = [];
    const lower: Array<[number, number]> = [];
    s.t.forEach((t, i) => {
      const t0 = s.t0[i];
      const lo = base[i];
      const hi = lo + l.values[i] / s.spanS[i];
      upper.push([x(t0), y(hi)], [x(t), y(hi)]);
      lower.push([x(t0), y(lo)], [x(t), y(lo)]);
      base[i] = hi;
    });
    cv.polygon([...upper, ...lower.reverse()], l.color);
  }
  legend(
    cv,
    p,
    layers.map((l) => ({ label: l.label === 'ok' ? 'succeeded' : l.label, color: l.color })),
  );
}

const MAX_AXIS_MS = 86_400_000;

function drawLatency(cv: Canvas, p: PanelBox, s: ClientSeries, x: (t: number) => number): void {
  // Bounded before the axis: no latency the lab can measure is over a day (a damaged number would make an endless axis).
  const values = [...s.p50, ...s.p99].filter((v): v is number => v !== null && Number.isFinite(v)).map((v) => Math.min(v, MAX_AXIS_MS));
  const lo = Math.max(0.1, 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(1000, ...values)))));
  const hi = Math.max(lo * 10, 10 ** Math.ceil(Math.log10(Math.max(1, ...values))));
  const y = (v: number) => p.y + p.h - (p.h * (Math.log10(Math.max(lo, v)) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const ticks: Array<{ v: number; label: string }> = [];
  for (let v = lo; v <= hi * 1.001; v *= 10) ticks.push({ v, label: v >= 1000 ? `${v / 1000} s` : `${v} ms` });
  yTicks(cv, p, ticks, y);
  for (const r of runs(s.t, s.p50, x, y)) cv.polyline(r, P50_COLOR, 'stroke-width="1.5" stroke-dasharray="4 2"');
  for (const r of runs(s.t, s.p99, x, y)) cv.polyline(r, P99_COLOR, 'stroke-width="2"');
  legend(cv, p, [
    { label: 'p50', color: P50_COLOR, dash: true },
    { label: 'p99', color: P99_COLOR, dash: false },
  ]);
}

function timeAxis(cv: Canvas, bottom: number, x: (t: number) => number, endS: number): void {
  const step = [1, 2, 5, 10, 15, 30, 60, 120, 300].find((st) => endS / st <= 12) ?? Math.ceil(endS / 12);
  for (let t = 0; t <= endS + 1e-9; t += step) {
    cv.line(x(t), bottom, x(t), bottom + 4, '#999');
    cv.text(x(t), bottom + 19, `${t}s`, { size: 11, anchor: 'middle', fill: '#555' });
  }
  cv.text(LEFT + PLOT_W + 12, bottom + 19, 'time since traffic started', { size: 11, fill: '#555' });
}

/** The steps in full, one per line, under the chart. */
function stepList(cv: Canvas, verdict: ChartInput['verdict'], top: number): number {
  cv.text(LEFT - 60, top, 'Steps', { size: 14, weight: 'bold' });
  let y = top + 20;
  for (const m of allSteps(verdict)) {
    cv.text(LEFT - 60, y, clip(m.text, W - LEFT, 12), { fill: MARKER_COLORS[m.kind] });
    y += 17;
  }
  return y;
}
