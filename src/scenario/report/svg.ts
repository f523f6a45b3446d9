// An SVG chart per client: each backend's share of calls over time, with the steps marked. Readable
// without the terminal (reports, CI artifacts).
import { byBackendName } from '../../traffic/index.js';
import type { Bucket } from '../expectations/index.js';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface ChartStep {
  atMs: number;
  text: string;
  kind: 'action' | 'expect';
  ok?: boolean;
}

export function shareChart(title: string, clients: Map<string, Bucket[]>, steps: ChartStep[], endMs: number): string {
  const W = 900;
  const panelH = 220;
  const left = 50;
  const right = 170;
  const plotW = W - left - right;
  const names = [...clients.keys()];
  const H = 50 + names.length * (panelH + 30) + 20 + steps.length * 14;
  // One colour per backend across every client's panel.
  const allBackends = [...new Set(names.flatMap((n) => clients.get(n)!.flatMap((b) => Object.keys(b.backends))))].sort(byBackendName);
  const colorOf = (b: string) => COLORS[allBackends.indexOf(b) % COLORS.length];
  const x = (t: number) => left + (plotW * Math.min(t, endMs)) / Math.max(1, endMs);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  names.forEach((client, ci) => {
    const top = 50 + ci * (panelH + 30);
    const y = (pct: number) => top + panelH - (panelH * pct) / 100;
    const buckets = clients.get(client)!;
    const backends = [...new Set(buckets.flatMap((b) => Object.keys(b.backends)))].sort(byBackendName);
    out.push(`<text x="${left}" y="${top - 6}" font-weight="bold">client ${esc(client)}: share of calls per backend</text>`);
    out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${panelH}" fill="none" stroke="#999"/>`);
    for (const p of [0, 25, 50, 75, 100]) {
      out.push(
        `<line x1="${left}" x2="${left + plotW}" y1="${y(p)}" y2="${y(p)}" stroke="#eee"/>`,
        `<text x="${left - 6}" y="${y(p) + 4}" text-anchor="end">${p}%</text>`,
      );
    }
    for (let s = 0; s <= endMs / 1000; s += Math.max(1, Math.ceil(endMs / 1000 / 10)))
      out.push(`<text x="${x(s * 1000)}" y="${top + panelH + 14}" text-anchor="middle">${s}s</text>`);
    for (const st of steps) {
      out.push(
        `<line x1="${x(st.atMs)}" x2="${x(st.atMs)}" y1="${top}" y2="${top + panelH}" stroke="${st.kind === 'action' ? '#444' : st.ok === false ? '#d62728' : '#2ca02c'}" stroke-dasharray="${st.kind === 'action' ? '4 3' : '2 2'}"/>`,
      );
    }
    backends.forEach((b, bi) => {
      // A bucket without finished calls (every call stalled) has no share: no point, not 0%.
      const pts = buckets
        .filter((bk) => bk.total.calls > 0)
        .map((bk) => `${x(bk.t).toFixed(1)},${y((100 * (bk.backends[b]?.calls ?? 0)) / bk.total.calls).toFixed(1)}`);
      const color = colorOf(b);
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>`);
      out.push(
        `<rect x="${left + plotW + 12}" y="${top + 8 + bi * 16}" width="10" height="10" fill="${color}"/>`,
        `<text x="${left + plotW + 28}" y="${top + 17 + bi * 16}">${esc(b)}</text>`,
      );
    });
  });
  const legendTop = 50 + names.length * (panelH + 30) + 4;
  steps.forEach((st, i) => {
    const mark = st.kind === 'action' ? '▶' : st.ok === false ? '✗' : '✓';
    out.push(
      `<text x="${left}" y="${legendTop + i * 14}" fill="${st.kind === 'action' ? '#222' : st.ok === false ? '#d62728' : '#2ca02c'}">${mark} ${(st.atMs / 1000).toFixed(1)}s ${esc(st.text)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}
