// Reads a YAML file against a zod schema; any problem becomes a FileError naming file:line:column,
// what was expected and what was found. Shared by the topology and the scenario loaders.
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { FileError } from '../errors.js';
import { YamlPositions, describePath, type Path } from './yaml-positions.js';
import { closest } from './suggest.js';

export interface ParsedYaml<T> {
  value: T;
  raw: unknown;
  positions: YamlPositions;
}

/** Extra words for an unknown key at a path ("steps[2]" → "actions are: kill, stop, ..."). */
export type UnknownKeyHint = (path: ReadonlyArray<PropertyKey>) => string | undefined;

export function parseYaml<S extends z.ZodType>(file: string, text: string, schema: S, hint?: UnknownKeyHint): ParsedYaml<z.output<S>> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const positions = new YamlPositions(file, doc, lines);
  const yamlError = doc.errors[0];
  if (yamlError) {
    const msg = yamlError.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new FileError(positions.offset(yamlError.pos[0]), `invalid YAML: ${msg}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias with no anchor (*x), or aliases that expand too far: the yaml library throws plain
    // errors here, after parsing. Point at the first alias in the file.
    const alias = /\*[^\s,\]}]*/.exec(text);
    throw new FileError(alias ? positions.offset(alias.index) : positions.at([]), `invalid YAML: ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new FileError(positions.at([]), `expected a mapping at the top of the file, found ${describeValue(raw)}`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    // A typo'd key shows up twice (unknown key + missing key); the unknown one is the cause.
    const issues = result.error.issues;
    const first = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
    throw issueToError(first, raw, positions, schema, hint);
  }
  return { value: result.data, raw, positions };
}

function valueAt(raw: unknown, path: Path): unknown {
  let v: unknown = raw;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p as string] : undefined;
  return v;
}

export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `"${v}"`;
  return `${typeof v} ${String(v)}`;
}

type Issue = z.core.$ZodIssue;

function issueToError(issue: Issue, raw: unknown, positions: YamlPositions, schema: z.ZodType, hint?: UnknownKeyHint): FileError {
  const path = issue.path as Path;
  const where = describePath(path);
  const found = describeValue(valueAt(raw, path));
  const prefix = where ? `${where}: ` : '';
  if (issue.code !== 'unrecognized_keys' && issue.code !== 'invalid_key' && valueAt(raw, path) === undefined) {
    return new FileError(positions.at(path.slice(0, -1)), `${prefix}missing${issue.code === 'invalid_type' ? ` (expected ${issue.expected})` : ''}`);
  }
  switch (issue.code) {
    case 'invalid_key': {
      // A record key that breaks its rule: point at the key, say the rule.
      const key = path[path.length - 1];
      const rule = issue.issues[0]?.message ?? 'invalid key';
      return new FileError(positions.at(path, 'key'), `${where}: ${rule}, found "${String(key)}"`);
    }
    case 'unrecognized_keys': {
      const key = issue.keys[0];
      const guess = closest(key, knownKeys(schema));
      const extra = hint?.(path);
      return new FileError(
        positions.at([...path, key], 'key'),
        `${where ? `${where}: ` : ''}unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : extra ? ` (${extra})` : ''}`,
      );
    }
    case 'invalid_type': {
      return new FileError(positions.at(path), `${prefix}expected ${issue.expected}, found ${found}`);
    }
    case 'invalid_value':
      return new FileError(
        positions.at(path),
        `${prefix}expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${found}`,
      );
    case 'invalid_union':
      return new FileError(positions.at(path), `${prefix}${issue.message === 'Invalid input' ? 'not a valid value' : issue.message}, found ${found}`);
    default:
      return new FileError(positions.at(path), `${prefix}${issue.message}, found ${found}`);
  }
}

/** Every object key the schema knows, for "did you mean" hints. */
function knownKeys(schema: z.ZodType): string[] {
  const out = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (s: unknown): void => {
    if (!s || typeof s !== 'object' || seen.has(s)) return;
    seen.add(s);
    const def = (s as { def?: Record<string, unknown> }).def;
    if (!def) return;
    if (def.shape && typeof def.shape === 'object') {
      for (const [k, v] of Object.entries(def.shape as Record<string, unknown>)) {
        out.add(k);
        walk(v);
      }
    }
    for (const key of ['innerType', 'element', 'valueType', 'in', 'out', 'schema']) walk(def[key]);
    if (Array.isArray(def.options)) def.options.forEach(walk);
  };
  walk(schema);
  return [...out];
}
