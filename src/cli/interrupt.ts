// Ctrl-C: the first one aborts the running work (which then cleans up); a second one exits at once.
// The same clean stop when the terminal goes away (SIGHUP) or the reader of our output does (a
// closed pipe, as `lab play ... | head`): the scenario's undo must still run.
export function abortOnInterrupt(): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  let count = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      process.stderr.write(`\n${sig}: stopping and cleaning up (again to exit now)\n`);
      ac.abort(new Error(sig));
    } else process.exit(130);
  };
  // After EPIPE the stream is destroyed and every later write errors too: keep swallowing them.
  const onOutputError = (err: NodeJS.ErrnoException) => {
    if (!ac.signal.aborted) ac.abort(new Error(`output closed (${err.code ?? err.message})`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.stdout.on('error', onOutputError);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
      // The stdout handler stays: a write after dispose must not crash the exit path.
    },
  };
}
