// Where the lab's own files are (the package root) and where it caches (images' inputs, Consul).
import { existsSync, readFileSync } from 'node:fs';
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
  return process.env.LAB_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'lab');
}
