// The `lab` command line.
import { CommanderError } from 'commander';
import { renderError } from './handle-error.js';
import { buildProgram } from './program.js';
import { setupLab } from '../setup.js';
import { log } from '../util/log.js';
import { keepAliveWhile } from '../util/keep-alive.js';
import { closeEngines } from '../engine/index.js';

setupLab();

// Output piped into a reader that stopped (`lab status | head -1`): the reader has what it wanted.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });

const program = buildProgram();

/**
 * A command that has ended must not be kept alive by a handle left open (a library's timer: two
 * were found in @grpc/grpc-js-xds). Once the event loop should be empty, wait 3 s, then log what is
 * still open to the debug log and exit with the command's code. LAB_STRICT_EXIT=1 (the hang tests)
 * turns this off, so that a leak still shows as a process that does not end.
 */
function exitWhenDone(): void {
  if (process.env.LAB_STRICT_EXIT) return;
  setTimeout(() => {
    log('cli', 'the command has ended but something kept the process alive; exiting', { resources: process.getActiveResourcesInfo() });
    process.exit();
  }, 3000).unref();
}

try {
  await keepAliveWhile(() => program.parseAsync(process.argv));
  closeEngines();
  exitWhenDone();
} catch (err) {
  closeEngines();
  if (err instanceof CommanderError) {
    // --help and --version end through here with code 0.
    if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') process.exit(0);
    process.exit(2);
  }
  process.exitCode = renderError(err);
  exitWhenDone();
}
