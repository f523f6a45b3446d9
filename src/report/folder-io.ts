// How the lab reads and writes the files of a report folder, which may come from someone else (a CI
// artifact, a zip): regular files only — a link is never followed, a named pipe or a device never
// opened to block — and a file is written whole to a temporary name beside it, then renamed over
// the old one (a link in its place is replaced, never written through).
import { closeSync, constants, fstatSync, openSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';

/** More than a day-long run writes (its events file is the largest). */
export const MAX_REPORT_FILE_BYTES = 512 * 1024 * 1024;

const ERRNO: Record<string, string> = {
  ENOENT: 'it is missing',
  ELOOP: 'it is a symbolic link (a report folder holds its own files; the lab follows no link in it)',
  EACCES: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of its path is not a folder',
};

export class ReportFileError extends InputError {
  constructor(
    readonly file: string,
    readonly why: string,
    hint?: string,
  ) {
    super(`${file}: ${why}`, hint ? { hint } : {});
  }
}

/** The text of `name` in `dir`, if it is a regular file there (not a link, a pipe or a device). */
export function readReportFile(dir: string, name: string, hint?: string): string {
  const file = path.join(dir, name);
  let fd: number;
  try {
    // O_NONBLOCK: a named pipe opens at once instead of waiting for a writer; O_NOFOLLOW: a link is refused.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new ReportFileError(file, ERRNO[code] ?? code, hint);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new ReportFileError(
        file,
        `it is not a regular file (${st.isFIFO() ? 'a named pipe' : st.isDirectory() ? 'a folder' : 'a device or socket'})`,
        hint,
      );
    if (st.size > MAX_REPORT_FILE_BYTES)
      throw new ReportFileError(file, `it is ${(st.size / 2 ** 20).toFixed(0)} MiB; a report's files are at most 512 MiB`, hint);
    const buf = Buffer.alloc(st.size);
    let at = 0;
    while (at < st.size) {
      const n = readSync(fd, buf, at, st.size - at, at);
      if (n === 0) break;
      at += n;
    }
    return buf.subarray(0, at).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Writes `name` in `dir` whole: a temporary file beside it, then a rename over what was there. */
export function writeReportFile(dir: string, name: string, content: string): void {
  const file = path.join(dir, name);
  const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      writeFileSync(fd, content);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    // Named as the file it was to be (the temporary name carries a pid).
    if ((err as NodeJS.ErrnoException).path === tmp) (err as NodeJS.ErrnoException).path = file;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST')
      throw new ReportFileError(file, 'a folder stands where the report writes this file; move it away and run again');
    throw err;
  }
}
