// Runs a command that changes the sandbox under the project's marker (src/sandbox/owner.ts): what
// a crashed earlier command left is swept first (and said so), and a live one is not disturbed.
import { checkOneEngine, claimSandbox, sweepIfOrphaned, sweptLine, type ContainerRuntime, type EngineName } from '../sandbox/index.js';
import { c } from './output.js';
import { ensureCacheDir } from '../util/paths.js';

const commandLine = () => `lab ${process.argv.slice(2).join(' ')}`.trim();

/** The sandbox a command works on: its project, on one engine. */
export interface SandboxRef {
  project: string;
  engine: EngineName;
}

export async function withSandbox<T>(rt: ContainerRuntime, sandbox: SandboxRef, fn: () => Promise<T>): Promise<T> {
  ensureCacheDir();
  // A project up on the other engine is not this command's to change (its containers look like ours).
  await checkOneEngine(sandbox.project, sandbox.engine);
  const project = sandbox.project;
  const claim = await claimSandbox(rt, project, commandLine());
  if (claim.swept) process.stderr.write(`${c.yellow('!')} ${sweptLine(claim.swept)}\n`);
  try {
    return await fn();
  } finally {
    claim.release();
  }
}

/** For commands that only look (status): sweep what a crashed command left, and say so. */
export async function sweepBefore(rt: ContainerRuntime, sandbox: SandboxRef): Promise<void> {
  await checkOneEngine(sandbox.project, sandbox.engine);
  const project = sandbox.project;
  const swept = await sweepIfOrphaned(rt, project);
  if (swept) process.stderr.write(`${c.yellow('!')} ${sweptLine(swept)}\n`);
}
