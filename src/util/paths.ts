// Where the lab's own files are (the package root) and where it caches (images' inputs, Consul).
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { EXIT, LabError } from '../errors.js';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder holding the lab's package.json, found from this module whether bundled or not. */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'grpc-lab') return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the lab package root');
    dir = up;
  }
}

export function cacheDir(): string {
  return process.env.LAB_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'lab');
}

/**
 * The cache folder, made and checked writable before a command starts anything that needs it (its
 * marker of who holds the sandbox, the images' inputs): what to do when it cannot be, not an errno.
 */
export function ensureCacheDir(): string {
  const dir = cacheDir();
  const run = path.join(dir, 'run');
  try {
    mkdirSync(run, { recursive: true });
    accessSync(run, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    const fromEnv = !!process.env.LAB_CACHE;
    throw new LabError(`the lab's cache folder ${dir} cannot be written (${code})`, {
      exitCode: fromEnv ? EXIT.input : EXIT.environment,
      hint: fromEnv
        ? 'Set LAB_CACHE to a folder you can write, or unset it (default ~/.cache/lab).'
        : 'Make it writable, or set LAB_CACHE to a folder you can write.',
    });
  }
  return dir;
}
