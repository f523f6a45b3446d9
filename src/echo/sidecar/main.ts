// Entry point of the sidecar (lib/echo/sidecar.cjs in the lab/echo image): start, and on SIGTERM or
// SIGINT deregister and exit promptly.
import { sidecarConfigFromEnv } from './config.js';
import { startSidecar } from './sidecar.js';

const log = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`);

async function main(): Promise<void> {
  const sidecar = await startSidecar(sidecarConfigFromEnv(), log);
  let exiting = false;
  const onSignal = (sig: string) => {
    if (exiting) return;
    exiting = true;
    log(`${sig}: deregistering and stopping`);
    setTimeout(() => process.exit(0), 3000).unref();
    void sidecar.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`sidecar: ${(err as Error).message}\n`);
  process.exit(1);
});
