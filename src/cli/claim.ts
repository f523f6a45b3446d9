// Runs a command that changes the sandbox under the project's marker (src/sandbox/owner.ts): what
// a crashed earlier command left is swept first (and said so), and a live one is not disturbed.
import { claimSandbox, sweepIfOrphaned, sweptLine, type ContainerRuntime } from '../sandbox/index.js';
import { c } from './output.js';

const commandLine = () => `lab ${process.argv.slice(2).join(' ')}`.trim();

export async function withSandbox<T>(rt: ContainerRuntime, project: string, fn: () => Promise<T>): Promise<T> {
  const claim = await claimSandbox(rt, project, commandLine());
  if (claim.swept) process.stderr.write(`${c.yellow('!')} ${sweptLine(claim.swept)}\n`);
  try {
    return await fn();
  } finally {
    claim.release();
  }
}

/** For commands that only look (status): sweep what a crashed command left, and say so. */
export async function sweepBefore(rt: ContainerRuntime, project: string): Promise<void> {
  const swept = await sweepIfOrphaned(rt, project);
  if (swept) process.stderr.write(`${c.yellow('!')} ${sweptLine(swept)}\n`);
}
