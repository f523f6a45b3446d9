// Minimal root filesystems for `docker import`: a binary, the shared libraries `ldd` lists, and
// the files a recipe adds, packed into a tar stream; plus a content hash to tag the image by.
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { z } from 'zod';
import { readJsonFile } from '../../util/json-file.js';
import { cacheDir } from '../../util/paths.js';

export interface RootfsFile {
  /** Path on the host (symlinks are followed). */
  src: string;
  /** Absolute path inside the image. */
  dest: string;
}

export interface Rootfs {
  files: RootfsFile[];
  /** Empty directories to create (mode 1777 for /tmp). */
  dirs: string[];
  /** Directories anyone may write (mode 1777): scratch space, and volume mount points, whose
   * mode an anonymous volume copies (the containers run as nobody). */
  writableDirs?: string[];
}

/** The shared libraries a dynamically linked binary needs, as `ldd` resolves them on this host. */
/** Every file under `dir`, placed under `dest` in the image (a bundle's folder). */
export function walkFiles(dir: string, dest: string, base = dir): RootfsFile[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walkFiles(p, dest, base) : [{ src: p, dest: path.posix.join(dest, path.relative(base, p)) }];
  });
}

export async function sharedLibraries(binary: string): Promise<RootfsFile[]> {
  // `ldd` once per binary (by path, size, mtime and inode): every `up` asks again, and a spawn per
  // recipe was a tenth of a no-op `up`.
  const key = `ldd:${fileKey(binary)}`;
  const cache = hashes();
  const cached = cache[key] ? lddList.safeParse(JSON.parse(cache[key])) : undefined;
  if (cached?.success) return cached.data;
  const { execa } = await import('execa'); // loaded on demand: it costs start-up time
  const { stdout, exitCode } = await execa('ldd', [binary], { reject: false });
  if (exitCode !== 0 || /not a dynamic executable/.test(stdout)) return [];
  const out: RootfsFile[] = [];
  for (const line of stdout.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) out.push({ src: m[1], dest: m[1] });
  }
  remember(key, JSON.stringify(out));
  return out;
}

/** Packs the root filesystem as a tar stream (directories first, files streamed from disk). */
export function packRootfs(fs: Rootfs): Readable {
  const pack = tar.pack();
  const dirs = new Set<string>();
  const writable = new Set((fs.writableDirs ?? []).map((d) => d.replace(/^\/|\/$/g, '')));
  const addDir = (d: string, mode = 0o755) => {
    const parts = d.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (dirs.has(p)) continue;
      dirs.add(p);
      pack.entry({ name: `${p}/`, type: 'directory', mode: p === 'tmp' || writable.has(p) ? 0o1777 : mode });
    }
  };
  void (async () => {
    try {
      for (const d of [...fs.dirs, ...(fs.writableDirs ?? [])]) addDir(d);
      for (const f of fs.files) addDir(path.posix.dirname(f.dest));
      for (const f of fs.files) {
        const real = realpathSync(f.src);
        const st = statSync(real);
        await new Promise<void>((resolve, reject) => {
          const entry = pack.entry({ name: f.dest.replace(/^\//, ''), size: st.size, mode: st.mode & 0o7777, type: 'file' }, (err) =>
            err ? reject(err) : resolve(),
          );
          createReadStream(real).on('error', reject).pipe(entry);
        });
      }
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    }
  })();
  return pack as unknown as Readable;
}

/** The cache on disk, read back parsed: a damaged one is an empty cache (every hash is taken again). */
const hashCacheSchema = z.record(z.string(), z.string());
type HashCache = z.infer<typeof hashCacheSchema>;
const lddList = z.array(z.object({ src: z.string(), dest: z.string() }));
let hashCache: HashCache | undefined;
const hashCacheFile = () => path.join(cacheDir(), 'file-hashes.json');

/** What identifies a file's content without reading it: its real path, size, mtime and inode. */
function fileKey(file: string): string {
  const real = realpathSync(file);
  const st = statSync(real);
  return `${real}:${st.size}:${st.mtimeMs}:${st.ino}`;
}

function hashes(): HashCache {
  return (hashCache ??= readJsonFile(hashCacheFile(), hashCacheSchema) ?? {});
}

function remember(key: string, value: string): void {
  hashes()[key] = value;
  try {
    mkdirSync(cacheDir(), { recursive: true });
    writeFileSync(hashCacheFile(), JSON.stringify(hashCache));
  } catch {
    // A cache we cannot write only costs time.
  }
}

/** sha256 of a file, cached by its key so a warm `up` does not re-read 100 MB. */
function fileHash(file: string): string {
  const key = fileKey(file);
  const hit = hashes()[key];
  if (hit) return hit;
  const h = createHash('sha256')
    .update(readFileSync(realpathSync(file)))
    .digest('hex');
  remember(key, h);
  return h;
}

/** A content hash of the whole root filesystem and the image's settings: the image's tag. */
export function rootfsHash(fs: Rootfs, changes: string[]): string {
  const h = createHash('sha256');
  for (const d of [...fs.dirs].sort()) h.update(`d ${d}\n`);
  for (const d of [...(fs.writableDirs ?? [])].sort()) h.update(`w ${d}\n`);
  for (const f of [...fs.files].sort((a, b) => a.dest.localeCompare(b.dest))) h.update(`f ${f.dest} ${fileHash(f.src)}\n`);
  for (const c of changes) h.update(`c ${c}\n`);
  return h.digest('hex').slice(0, 16);
}
