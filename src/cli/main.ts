// The `lab` command line.
import { Command, CommanderError } from 'commander';
import { registerCheck } from './commands/check.js';
import { registerConfig } from './commands/config.js';
import { registerDoctor } from './commands/doctor.js';
import { registerDown } from './commands/down.js';
import { registerStatus } from './commands/status.js';
import { registerTraffic } from './commands/traffic.js';
import { registerPlay } from './commands/play.js';
import { registerReport } from './commands/report.js';
import { registerRouter } from './commands/router.js';
import { registerSchema } from './commands/schema.js';
import { registerUp } from './commands/up.js';
import { registerXds } from './commands/xds.js';
import { DEFAULT_VIEW_FLAGS, registerWatch, runView } from './commands/watch.js';
import { renderError } from './handle-error.js';
import type { GlobalOptions } from './context.js';
import { setupLab } from '../setup.js';
import { log } from '../util/log.js';

setupLab();

// Output piped into a reader that stopped (`lab status | head -1`): the reader has what it wanted.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });

const program = new Command('lab')
  .description(
    'A local gRPC cluster lab: etcd, Consul and echo servers in Docker; resolvers, balancers and failures you can watch. Run `lab` alone on a terminal for the rebalance view.',
  )
  .version('0.1.0')
  .option('-f, --file <path>', 'the topology (Compose file with x-lab extensions)', undefined)
  .option('--engine <engine>', 'where the sandbox runs: docker (this machine’s engine) or swarm (the Docker Swarm it manages); also LAB_ENGINE, x-lab.engine')
  .showSuggestionAfterError(true)
  // --engine is for every topology this process loads (the scenario's, a scale step's): as LAB_ENGINE.
  .hook('preAction', (root) => {
    const engine = root.opts<GlobalOptions>().engine;
    if (engine) process.env.LAB_ENGINE = engine;
  })
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str.replace(/^error: /, '✖ ')) });

registerUp(program);
registerStatus(program);
registerDown(program);
registerDoctor(program);
registerConfig(program);
registerTraffic(program);
registerPlay(program);
registerCheck(program);
registerReport(program);
registerSchema(program);
registerWatch(program);
registerRouter(program);
registerXds(program);

// `lab` alone opens the view with the default clients, bringing the sandbox up when it is down (on a
// terminal; elsewhere it prints the help). `lab watch` takes options for the clients.
program.allowExcessArguments().action(async (_flags, cmd: Command) => {
  // Not a command we know (commander hands it to this action as an operand): say so, with a guess.
  if (cmd.args.length) (program as unknown as { unknownCommand(): never }).unknownCommand();
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    program.outputHelp();
    return;
  }
  await runView(cmd, DEFAULT_VIEW_FLAGS, true);
});

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
  await program.parseAsync(process.argv);
  exitWhenDone();
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version end through here with code 0.
    if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') process.exit(0);
    process.exit(2);
  }
  process.exitCode = renderError(err);
  exitWhenDone();
}
