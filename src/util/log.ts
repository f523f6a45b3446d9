// Debug log to a file, never to the terminal (the TUI owns it). LAB_LOG=path or the project's .lab/lab.log.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { labDir } from './project.js';

let file: string | null | undefined;

function target(): string | null {
  if (file !== undefined) return file;
  const wanted = process.env.LAB_LOG ?? path.join(labDir(), 'lab.log');
  try {
    mkdirSync(path.dirname(wanted), { recursive: true });
    file = wanted;
  } catch {
    file = null;
  }
  return file;
}

/** Appends one line: time, module, message, context. Cheap enough for every I/O call; never throws. */
export function log(module: string, message: string, context?: Record<string, unknown>): void {
  const f = target();
  if (!f) return;
  try {
    appendFileSync(f, `${new Date().toISOString()} [${module}] ${message}${context ? ` ${JSON.stringify(context)}` : ''}\n`);
  } catch {
    // The log is a convenience; losing a line must not break the lab.
  }
}
