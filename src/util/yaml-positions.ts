// Maps a path in a YAML document to file:line:column, so every complaint points at its place.
import { isMap, isNode, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { SourcePosition } from '../errors.js';

export type Path = ReadonlyArray<PropertyKey>;

export class YamlPositions {
  constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** The position of the value at `path`, or of the nearest existing parent (a missing key's map). */
  at(path: Path, prefer: 'value' | 'key' = 'value'): SourcePosition {
    let node: unknown = this.doc.contents;
    let offset = (this.doc.contents as Node | null)?.range?.[0] ?? 0;
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
        if (!pair) break;
        const keyNode = pair.key as Node;
        offset = keyNode.range?.[0] ?? offset;
        if (prefer === 'key' && part === path[path.length - 1]) break;
        node = pair.value;
        if (isNode(node) && node.range) offset = node.range[0];
      } else if (isSeq(node)) {
        const item = node.items[Number(part)];
        if (!isNode(item)) break;
        node = item;
        if (item.range) offset = item.range[0];
      } else break;
    }
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  /** The position of a byte offset (for YAML's own errors). */
  offset(pos: number): SourcePosition {
    const { line, col } = this.lines.linePos(pos);
    return { file: this.file, line, column: col };
  }
}

/** A readable rendering of a path: services.echo.x-lab.role, steps[2].at */
export function describePath(path: Path): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${clip(String(p))}` : clip(String(p))), '');
}

/** A name or value as a message quotes it: a long one is cut, and says how long it was. */
export function clip(s: string, max = 40): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} characters)`;
}
