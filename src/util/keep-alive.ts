// A command's process stays up until the command has ended, whatever its awaits hold. Libraries unref
// the timers a wait ends on (grpc-js its deadlines and backoffs, AbortSignal.timeout its own): awaited
// with nothing else open, node found its event loop empty, dropped the unsettled await and exited
// with code 13 and no word (`lab up --xds` did so once in CI). Held open, those timers fire.

/** Runs `work` with the event loop held open until it settles. */
export async function keepAliveWhile<T>(work: () => Promise<T>): Promise<T> {
  const hold = setInterval(() => undefined, 2 ** 30);
  try {
    return await work();
  } finally {
    clearInterval(hold);
  }
}
