// What the parts of a scenario's parse share: where to point an error, the sandbox it runs on, and
// the problems found so far (every problem in a file is reported at once, in line order).
import { FileError } from '../../errors.js';
import type { Topology } from '../../topology/index.js';
import type { YamlPositions } from '../../util/yaml-positions.js';
import type { Names } from '../actions/index.js';
import type { ScenarioFile } from '../schema.js';

export interface ParseContext {
  /** The scenario file's path (its folder is where a `run:` client's command runs). */
  file: string;
  value: ScenarioFile;
  /** The file as YAML gave it, before the schema (which orders keys its own way). */
  raw: unknown;
  positions: YamlPositions;
  /** The sandbox as the scenario starts it, and the widest one it will have (scale steps). */
  topology: Topology;
  widest: Topology;
  names: Names;
  /** Backends a step may name (the widest sandbox's echo servers and servers of yours), and the echo servers the run starts with. */
  echoes: string[];
  startEchoes: string[];
  durationMs: number;
  /** The error for the value (or, with key, the key) at a path. */
  fail(at: PropertyKey[], msg: string, key?: boolean): FileError;
  /** Problems found so far. */
  problems: FileError[];
}

/** Runs one part's checks (a client, a step): a FileError it throws is kept, and the parse goes on to the next part. */
export function guard<T>(ctx: ParseContext, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof FileError)) throw err;
    ctx.problems.push(err);
    return undefined;
  }
}
