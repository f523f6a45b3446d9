// A run's clock: milliseconds since its traffic started (before that, since it was made). Clients,
// steps, watchers and the view all read the same one.
export class RunClock {
  private t0 = performance.now();

  /** Starts the count again from now (as traffic starts). */
  start(): void {
    this.t0 = performance.now();
  }

  now = (): number => Math.round(performance.now() - this.t0);
}
