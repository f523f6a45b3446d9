// Entry point of the echo image: start, and on SIGTERM/SIGINT deregister and exit promptly.
import { configFromEnv } from './config.js';
import { startEcho } from './server.js';

const log = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`);

async function main(): Promise<void> {
  const cfg = configFromEnv();
  const echo = await startEcho(cfg, { log, onDrained: () => process.exit(0) });
  let exiting = false;
  const onSignal = (sig: string) => {
    if (exiting) return;
    exiting = true;
    log(`${sig}: deregistering and stopping`);
    const hard = setTimeout(() => process.exit(0), 3000);
    hard.unref();
    void echo.stop(1000).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`echo: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
