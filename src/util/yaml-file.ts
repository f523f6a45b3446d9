// Reads a YAML file against a zod schema; any problem becomes a FileError naming file:line:column,
// what was expected and what was found. Shared by the topology and the scenario loaders.
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { FileError, fileErrors } from '../errors.js';
import { YamlPositions, clip, describePath, type Path } from './yaml-positions.js';
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
    // Too deep to parse: where it gave up depends on the stack left, so point at the line's start.
    const at = /call stack/i.test(yamlError.message) ? text.lastIndexOf('\n', yamlError.pos[0]) + 1 : yamlError.pos[0];
    throw new FileError(positions.offset(at), yamlProblem(yamlError, text));
  }
  // A tag YAML does not define (!!python/object, !custom) is read as plain data by the parser: say so instead.
  const tag = doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (tag) {
    const written = /^\s*(\S+)/.exec(text.slice(tag.pos[0]))?.[1] ?? 'a tag';
    throw new FileError(positions.offset(tag.pos[0]), `invalid YAML: the tag ${written} is not one a lab file uses (plain YAML only: no tags)`);
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
    // A key missing under a mapping that has an unknown key is most often the same typo; and one
    // value gets one complaint (a refinement runs after its base rule failed, and says less).
    const typos = issues.filter((i) => i.code === 'unrecognized_keys').map((i) => i.path.map(String).join('\0'));
    const underTypo = (i: Issue) => typos.some((t) => i.path.map(String).join('\0').startsWith(t));
    const seen = new Set<string>();
    const causes = issues.filter((i) => {
      if (i.code !== 'unrecognized_keys' && underTypo(i) && valueAt(raw, i.path as Path) === undefined) return false;
      const key = `${i.code === 'unrecognized_keys' ? 'k' : 'v'}${i.path.map(String).join('\0')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const errors = new Map<string, FileError>();
    for (const issue of causes.length ? causes : issues) {
      const e = issueToError(issue, raw, positions, schema, hint);
      errors.set(e.message, e);
    }
    throw fileErrors([...errors.values()])!;
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
  if (typeof v === 'string') return v.length > 60 ? `"${v.slice(0, 40)}…" (${v.length} characters)` : `"${v}"`;
  return `${typeof v} ${String(v)}`;
}

/** YAML's own errors, in words that say what to do. */
function yamlProblem(err: { code: string; message: string; pos: [number, number] }, text: string): string {
  if (err.code === 'DUPLICATE_KEY') {
    const key = /^\s*["']?([^"':\n]+)["']?\s*:/.exec(text.slice(err.pos[0]))?.[1]?.trim();
    return `invalid YAML: the key ${key ? `"${key}" ` : ''}appears twice in the same mapping (keep one)`;
  }
  if (err.code === 'MULTIPLE_DOCS') {
    const docs = text.split(/^---\s*$/m).filter((d) => d.trim()).length;
    return `invalid YAML: the file holds ${docs > 1 ? docs : 'several'} documents (separated by ---); a lab file is one document`;
  }
  if (/call stack/i.test(err.message)) return 'invalid YAML: nested too deeply to read';
  return `invalid YAML: ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
}

type Issue = z.core.$ZodIssue;
type Def = Record<string, unknown> & { type?: string; shape?: Record<string, unknown>; options?: unknown[] };
const defOf = (s: unknown): Def | undefined => (s && typeof s === 'object' ? (s as { def?: Def }).def : undefined);

/** The object schemas a path leads to (several through a union), for keys that belong there. */
function objectsAt(schema: unknown, path: Path): Def[] {
  let current: unknown[] = [schema];
  const unwrap = (s: unknown): unknown[] => {
    const d = defOf(s);
    if (!d) return [];
    if (d.shape) return [s];
    for (const k of ['innerType', 'in', 'schema']) if (d[k]) return unwrap(d[k]);
    if (Array.isArray(d.options)) return d.options.flatMap(unwrap);
    return [s];
  };
  for (const part of path) {
    current = current.flatMap(unwrap).flatMap((s) => {
      const d = defOf(s)!;
      if (d.shape) return d.shape[String(part)] ? [d.shape[String(part)]] : [];
      if (d.type === 'array' && typeof part === 'number') return [d.element];
      if (d.type === 'record') return [d.valueType];
      return [];
    });
  }
  return current
    .flatMap(unwrap)
    .map(defOf)
    .filter((d): d is Def => !!d?.shape);
}

/** Every path (a.b[].c) where the schema has this key, for "it belongs under ..." */
function placesOf(schema: unknown, key: string): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const walk = (s: unknown, at: string, depth: number): void => {
    const d = defOf(s);
    if (!d || seen.has(s) || depth > 8) return;
    seen.add(s);
    if (d.shape) {
      if (key in d.shape) out.push(at);
      for (const [k, v] of Object.entries(d.shape)) walk(v, at ? `${at}.${k}` : k, depth + 1);
    }
    for (const k of ['innerType', 'in', 'schema']) if (d[k]) walk(d[k], at, depth);
    if (d.type === 'array') walk(d.element, `${at}[]`, depth + 1);
    if (d.type === 'record') walk(d.valueType, `${at}.<name>`, depth + 1);
    if (Array.isArray(d.options)) d.options.forEach((o) => walk(o, at, depth));
  };
  walk(schema, '', 0);
  return [...new Set(out)];
}

function unknownKeyMessage(key: string, path: Path, schema: z.ZodType, hint?: UnknownKeyHint): string {
  const here = [...new Set(objectsAt(schema, path).flatMap((d) => Object.keys(d.shape!)))];
  const guess = closest(key, here);
  if (guess && guess !== key) return `unknown key "${key}" (did you mean "${guess}"?)`;
  const elsewhere = placesOf(schema, key).filter((p) => p !== describePath(path).replace(/\[\d+\]/g, '[]'));
  if (elsewhere.length) return `"${key}" does not go here; it belongs under ${elsewhere.map((p) => p || 'the top level').join(' or ')}`;
  const extra = hint?.(path);
  if (extra) return `unknown key "${key}" (${extra})`;
  return `unknown key "${key}"${here.length && here.length <= 16 ? ` (known here: ${here.join(', ')})` : ''}`;
}

const bound = (issue: { minimum?: unknown; maximum?: unknown; inclusive?: boolean; origin?: string }, kind: 'min' | 'max') => {
  const n = Number(kind === 'min' ? issue.minimum : issue.maximum);
  const n1 = Number(kind === 'min' ? issue.minimum : issue.maximum) === 1;
  const what = issue.origin === 'string' ? (n1 ? 'character' : 'characters') : issue.origin === 'array' ? (n1 ? 'item' : 'items') : '';
  if (kind === 'min') return issue.inclusive === false ? `more than ${n}${what ? ` ${what}` : ''}` : `at least ${n}${what ? ` ${what}` : ''}`;
  return issue.inclusive === false ? `less than ${n}` : `at most ${n}${what ? ` ${what}` : ''}`;
};

/** zod's type names in the words of a YAML file. */
const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
  tuple: 'a list',
  null: 'null',
};
/** A zod type as people say it: "text", "a number", "a mapping" (also for reports read back). */
export const typeName = (t: string) => TYPE_NAMES[t] ?? t;

/** A message with what was found, unless it says so itself. */
const withFound = (message: string, found: string) => (/\bfound\b/.test(message) ? message : `${message}, found ${found}`);

function issueToError(issue: Issue, raw: unknown, positions: YamlPositions, schema: z.ZodType, hint?: UnknownKeyHint): FileError {
  const path = issue.path as Path;
  const where = describePath(path);
  const found = describeValue(valueAt(raw, path));
  const prefix = where ? `${where}: ` : '';
  if (issue.code !== 'unrecognized_keys' && issue.code !== 'invalid_key' && valueAt(raw, path) === undefined) {
    return new FileError(positions.at(path.slice(0, -1)), `${prefix}missing${issue.code === 'invalid_type' ? ` (expected ${typeName(issue.expected)})` : ''}`);
  }
  switch (issue.code) {
    case 'invalid_key': {
      // A record key that breaks its rule: point at the key, say the rule.
      const key = path[path.length - 1];
      const rule = issue.issues[0]?.message ?? 'invalid key';
      return new FileError(positions.at(path, 'key'), `${where}: ${rule}, found "${clip(String(key))}"`);
    }
    case 'unrecognized_keys': {
      const key = issue.keys[0];
      return new FileError(positions.at([...path, key], 'key'), `${prefix}${unknownKeyMessage(key, path, schema, hint)}`);
    }
    case 'too_small':
      return new FileError(positions.at(path), `${prefix}expected ${bound(issue, 'min')}, found ${found}`);
    case 'too_big':
      return new FileError(positions.at(path), `${prefix}expected ${bound(issue, 'max')}, found ${found}`);
    case 'invalid_type': {
      return new FileError(positions.at(path), `${prefix}expected ${typeName(issue.expected)}, found ${found}`);
    }
    case 'invalid_value':
      return new FileError(positions.at(path), `${prefix}expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, found ${found}`);
    case 'invalid_union': {
      // The branch of the value's own shape (a mapping for the mapping form, a string for the text
      // form) says what is wrong inside it; when no branch takes this type, say which types would do.
      // An unknown key in the mapping form is inside it too (its issue sits on the mapping itself).
      const nested = issue.errors.find((b) => b.length && b.every((i) => i.path.length > 0 || i.code === 'unrecognized_keys'));
      // A key mistyped says more than the key it left missing.
      const first = nested?.find((i) => i.code === 'unrecognized_keys') ?? nested?.[0];
      if (first) return issueToError({ ...first, path: [...path, ...first.path] } as Issue, raw, positions, schema, hint);
      // A union with its own words (a duration) says it best.
      if (issue.message !== 'Invalid input') return new FileError(positions.at(path), `${prefix}${withFound(issue.message, found)}`);
      const branch = issue.errors.find((b) => b.length && b[0].code !== 'invalid_type');
      if (branch) return issueToError({ ...branch[0], path: [...path, ...branch[0].path] } as Issue, raw, positions, schema, hint);
      const types = [...new Set(issue.errors.flatMap((b) => (b[0]?.code === 'invalid_type' ? [typeName(String(b[0].expected))] : [])))];
      return new FileError(positions.at(path), `${prefix}${types.length ? `expected ${types.join(' or ')}` : 'not a valid value'}, found ${found}`);
    }
    default:
      return new FileError(positions.at(path), `${prefix}${withFound(issue.message, found)}`);
  }
}
