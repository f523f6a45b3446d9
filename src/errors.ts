// Typed errors, rendered once by the CLI's top-level handler (Shopify cli-kit's model):
// the user never sees a stack trace for something they can fix.

/** The lab's exit codes: a failed verdict, bad input and a failed environment each have their own. */
export const EXIT = {
  ok: 0,
  /** lab play: an expectation did not hold, or an action failed. */
  verdictFailed: 1,
  /** A file or a flag is wrong; nothing was started. */
  input: 2,
  /** Something outside the lab's input stopped it: Docker, a port, a service that did not come up, no sandbox running. */
  environment: 3,
  /** A bug in the lab (with the stack trace). */
  bug: 70,
  interrupted: 130,
} as const;

export interface ErrorDetails {
  /** What to do about it: one or more commands or steps. */
  hint?: string;
  /** Process exit code (EXIT): 2 for bad input, 3 for an environment or runtime failure. */
  exitCode?: number;
  cause?: unknown;
}

export class LabError extends Error {
  readonly hint?: string;
  readonly exitCode: number;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.hint = details.hint;
    this.exitCode = details.exitCode ?? EXIT.environment;
  }
}
LabError.prototype.name = 'LabError';

/** Bad input the user can fix: a file, a flag. Exit code 2; nothing has been started. */
export class InputError extends LabError {
  constructor(message: string, details: Omit<ErrorDetails, 'exitCode'> = {}) {
    super(message, { ...details, exitCode: EXIT.input });
  }
}
InputError.prototype.name = 'InputError';

/** Something outside the lab is missing or failing: Docker down, a port taken, a binary missing. */
export class EnvironmentError extends LabError {}
EnvironmentError.prototype.name = 'EnvironmentError';

/** A dependency the lab runs did not become ready in time. */
export class ReadinessError extends LabError {
  constructor(
    message: string,
    readonly service: string,
    readonly logTail: string,
    details: ErrorDetails = {},
  ) {
    super(message, details);
  }
}
ReadinessError.prototype.name = 'ReadinessError';

/** A position in a file, 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** Bad content in a file: names file:line:column, what was expected and what was found. */
export class FileError extends InputError {
  constructor(
    readonly position: SourcePosition,
    readonly problem: string,
    details: Omit<ErrorDetails, 'exitCode'> = {},
  ) {
    super(`${position.file}:${position.line}:${position.column}: ${problem}`, details);
  }
}
FileError.prototype.name = 'FileError';

/** Every problem found in one file, in line order: the first is its position, the message lists them all. */
export class FileErrors extends FileError {
  constructor(readonly errors: FileError[]) {
    const sorted = [...errors].sort((a, b) => a.position.line - b.position.line || a.position.column - b.position.column);
    super(sorted[0].position, sorted.map((e, i) => (i ? e.message : e.problem)).join('\n'), { hint: sorted.find((e) => e.hint)?.hint });
    this.errors.splice(0, this.errors.length, ...sorted);
  }
}
FileErrors.prototype.name = 'FileErrors';

/** One FileError, or all of them as FileErrors; nothing when there are none. */
export function fileErrors(errors: FileError[]): FileError | undefined {
  if (!errors.length) return undefined;
  return errors.length === 1 ? errors[0] : new FileErrors(errors);
}
