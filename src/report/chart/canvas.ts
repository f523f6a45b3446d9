// What a chart is drawn with: shapes and text recorded with their boxes, then written out as SVG.
// Every text knows the box it takes (its width estimated from its characters, on the wide side), so
// a layout can keep them apart and a test can check that no two overlap.

import { escapeXml as esc } from '../text.js';

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface TextOptions {
  size?: number;
  anchor?: 'start' | 'middle' | 'end';
  weight?: 'normal' | 'bold';
  fill?: string;
}

export interface TextItem extends Box {
  text: string;
}

const n = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** Widths in ems of DejaVu Sans (what rsvg and most Linux browsers fall back to), rounded up; wider than Arial. */
function em(ch: string, bold: boolean): number {
  let w: number;
  if ("il.,:;!|'`ıjI".includes(ch)) w = 0.32;
  else if ('ftr()[]{} -/'.includes(ch)) w = 0.42;
  else if ('mwMW%@'.includes(ch)) w = 0.95;
  else if (ch >= 'A' && ch <= 'Z') w = 0.72;
  else if (ch.charCodeAt(0) > 0x2000)
    w = 0.85; // ✓ ✗ ▶ ≈ ± →
  else w = 0.62;
  return bold ? w * 1.1 : w;
}

export function textWidth(text: string, size: number, bold = false): number {
  let w = 0;
  for (const ch of text) w += em(ch, bold);
  return w * size;
}

/** The longest start of `text` (with an ellipsis) that fits in `width` pixels. */
export function clip(text: string, width: number, size: number): string {
  if (textWidth(text, size) <= width) return text;
  let out = text;
  while (out.length > 1 && textWidth(`${out}…`, size) > width) out = out.slice(0, -1);
  return `${out}…`;
}

export class Canvas {
  private readonly items: string[] = [];
  readonly texts: TextItem[] = [];

  constructor(
    readonly width: number,
    public height: number,
  ) {}

  /** The box a text would take at (x, baseline y). */
  static boxOf(x: number, y: number, text: string, o: TextOptions = {}): Box {
    const size = o.size ?? 12;
    const w = textWidth(text, size, o.weight === 'bold');
    const x0 = o.anchor === 'middle' ? x - w / 2 : o.anchor === 'end' ? x - w : x;
    return { x0, y0: y - size * 0.85, x1: x0 + w, y1: y + size * 0.25 };
  }

  text(x: number, y: number, text: string, o: TextOptions = {}): Box {
    const box = Canvas.boxOf(x, y, text, o);
    this.texts.push({ ...box, text });
    const attrs = [
      `x="${n(x)}"`,
      `y="${n(y)}"`,
      o.size && o.size !== 12 ? `font-size="${o.size}"` : '',
      o.anchor && o.anchor !== 'start' ? `text-anchor="${o.anchor}"` : '',
      o.weight === 'bold' ? 'font-weight="bold"' : '',
      o.fill ? `fill="${o.fill}"` : '',
    ].filter(Boolean);
    this.items.push(`<text ${attrs.join(' ')}>${esc(text)}</text>`);
    return box;
  }

  line(x1: number, y1: number, x2: number, y2: number, stroke: string, extra = ''): void {
    this.items.push(`<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${stroke}"${extra ? ` ${extra}` : ''}/>`);
  }

  rect(x: number, y: number, w: number, h: number, fill: string, stroke = 'none', extra = ''): void {
    this.items.push(
      `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" fill="${fill}"${stroke !== 'none' ? ` stroke="${stroke}"` : ''}${extra ? ` ${extra}` : ''}/>`,
    );
  }

  polyline(points: Array<[number, number]>, stroke: string, extra = ''): void {
    if (points.length < 2) {
      if (points.length === 1) this.items.push(`<circle cx="${n(points[0][0])}" cy="${n(points[0][1])}" r="1.5" fill="${stroke}"/>`);
      return;
    }
    this.items.push(`<polyline fill="none" stroke="${stroke}" points="${points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ')}"${extra ? ` ${extra}` : ''}/>`);
  }

  polygon(points: Array<[number, number]>, fill: string, extra = 'stroke="none"'): void {
    if (points.length < 3) return;
    this.items.push(`<polygon fill="${fill}" ${extra} points="${points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ')}"/>`);
  }

  svg(): string {
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${n(this.height)}" viewBox="0 0 ${this.width} ${n(this.height)}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="12">`,
      `<rect width="100%" height="100%" fill="white"/>`,
      ...this.items,
      '</svg>',
    ].join('\n');
  }
}

export const overlaps = (a: Box, b: Box): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
