// The `lab` command line as commander builds it: the commands (each registered from its own file),
// the global options, and `lab` alone. main.ts parses argv with it; the docs test reads its options.
import { Command } from 'commander';
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
import type { GlobalOptions } from './context.js';
import { closest } from '../util/suggest.js';

/** The whole command line: every command, its options and the bare `lab` (the view). */
export function buildProgram(): Command {
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
    if (cmd.args.length) unknownCommand(program, cmd.args[0]);
    if (!process.stdout.isTTY || !process.stdin.isTTY) {
      program.outputHelp();
      return;
    }
    await runView(cmd, DEFAULT_VIEW_FLAGS, true);
  });
  return program;
}

/** What commander says of a command it does not know (its own unknownCommand is not in its types). */
function unknownCommand(program: Command, name: string): never {
  const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  const guess = closest(name, names, 3);
  program.error(`error: unknown command '${name}'${guess ? `\n(Did you mean ${guess}?)` : ''}`, { code: 'commander.unknownCommand' });
}
