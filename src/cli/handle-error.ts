// The one place errors become what the user reads: a message, a hint, an exit code. Stack traces
// only for bugs (and with LAB_DEBUG=1).
import { CommanderError } from 'commander';
import { EXIT, LabError, ReadinessError } from '../errors.js';
import { c } from './output.js';

export function renderError(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 1 ? 2 : err.exitCode;
  if (err instanceof LabError) {
    process.stderr.write(`${c.red('✖')} ${err.message}\n`);
    if (err instanceof ReadinessError && err.logTail.trim()) {
      process.stderr.write(
        `${c.dim(`── last log lines of ${err.service} ──`)}\n${err.logTail
          .trimEnd()
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n')}\n`,
      );
    }
    if (err.hint) process.stderr.write(`  ${c.yellow('→')} ${err.hint}\n`);
    if (process.env.LAB_DEBUG && err.cause) process.stderr.write(`${String((err.cause as Error).stack ?? err.cause)}\n`);
    return err.exitCode;
  }
  process.stderr.write(`${c.red('✖')} unexpected error (a bug in the lab): ${(err as Error)?.message ?? String(err)}\n`);
  process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  process.stderr.write(`  ${c.yellow('→')} Please report it with the command you ran and .lab/lab.log.\n`);
  return EXIT.bug;
}
