// A Docker engine of the test's own: dockerd (and the containerd it starts) in a network namespace
// the test made, with its own socket, data-root, exec-root and pidfile. A test that needs Docker to
// die stops this one, never the machine's: `npm test` leaves every other container running. The
// lab runs inside the namespace too (its 127.x addresses are that namespace's loopback), through
// `nsenter --net` (`ip netns exec` remounts /sys, which hides the cgroups dockerd needs).
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { execa, type Options } from 'execa';
import { DockerRuntime } from '../../src/sandbox/runtime/docker-runtime.js';
import type { ContainerRuntime } from '../../src/sandbox/index.js';
import { eventually, ROOT, tempDir, type CliResult } from './lab.js';

export class PrivateDockerd {
  readonly socket: string;
  readonly runtime: ContainerRuntime;
  private pid?: number;

  private constructor(
    readonly netns: string,
    private readonly dir: string,
  ) {
    this.socket = path.join(dir, 'docker.sock');
    this.runtime = new DockerRuntime(new Docker({ socketPath: this.socket }), this.socket);
  }

  /** A namespace `lab-<name>-<pid>` with loopback up, and an engine in it that answers. */
  static async start(name: string): Promise<PrivateDockerd> {
    const netns = `lab-${name}-${process.pid}`;
    // The socket path must stay short (unix sockets: 108 bytes); tempDir is removed at exit.
    const d = new PrivateDockerd(netns, tempDir(`lab-dockerd-`));
    await execa('ip', ['netns', 'add', netns]);
    await d.inside(['ip', 'link', 'set', 'lo', 'up']);
    await d.startEngine();
    return d;
  }

  get env(): Record<string, string> {
    return { DOCKER_HOST: `unix://${this.socket}` };
  }

  /** A command in the namespace, talking to this engine. */
  inside(cmd: string[], options: Options = {}) {
    return execa('nsenter', [`--net=/var/run/netns/${this.netns}`, ...cmd], { env: this.env, ...options });
  }

  /** `lab ...args` in the namespace against this engine, as the suite's `lab` helper runs it. */
  async lab(args: string[], options: Options = {}): Promise<CliResult> {
    const t0 = Date.now();
    const r = await this.inside([process.execPath, path.join(ROOT, 'bin/lab.js'), ...args], { reject: false, cwd: ROOT, timeout: 120_000, ...options });
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), ms: Date.now() - t0 };
  }

  async answers(): Promise<boolean> {
    return this.runtime.ping(2000).then(
      () => true,
      () => false,
    );
  }

  /** Starts dockerd (again: same data-root, so its containers come back as they were left). */
  async startEngine(): Promise<void> {
    mkdirSync(path.join(this.dir, 'data'), { recursive: true });
    const log = openSync(path.join(this.dir, 'dockerd.log'), 'a');
    const args = ['--host', `unix://${this.socket}`, '--data-root', path.join(this.dir, 'data'), '--exec-root', path.join(this.dir, 'exec')];
    args.push('--pidfile', path.join(this.dir, 'docker.pid'));
    const child = spawn('nsenter', [`--net=/var/run/netns/${this.netns}`, 'dockerd', ...args], { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    await eventually('the private dockerd answers', () => this.answers(), 60_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${readFileSync(path.join(this.dir, 'dockerd.log'), 'utf8').slice(-600)}`);
    });
    this.pid = Number(readFileSync(path.join(this.dir, 'docker.pid'), 'utf8'));
  }

  /** Stops dockerd as `systemctl stop docker` would (SIGTERM), and waits until it is gone. */
  async stopEngine(): Promise<void> {
    if (!this.pid) return;
    const pid = this.pid;
    this.pid = undefined;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000 && alive(pid)) await sleep(100);
  }

  /** Everything it made: its containers, the engine, the namespace, the folders. */
  async destroy(): Promise<void> {
    if (this.pid && (await this.answers())) {
      const all = await new Docker({ socketPath: this.socket }).listContainers({ all: true });
      await Promise.allSettled(all.map((c) => this.runtime.removeContainer(c.Id)));
    }
    await this.stopEngine();
    // What the engine left mounted under its folders (overlay layers, netns files) goes first.
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1])
      .filter((m) => m?.startsWith(this.dir))
      .reverse();
    for (const m of mounts) await execa('umount', ['-l', m], { reject: false });
    await execa('ip', ['netns', 'del', this.netns], { reject: false });
    if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
