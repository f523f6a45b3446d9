// Fault knobs: what the control service sets and every Echo call consults (their shape is src/wire's).
import { status } from '@grpc/grpc-js';
import { NO_FAULT, type Fault } from '../wire/index.js';

export class FaultState {
  private fault: Fault = { ...NO_FAULT };
  private counter = 0;

  get current(): Fault {
    return { ...this.fault };
  }

  set(fault: Partial<Fault>): void {
    this.fault = { ...NO_FAULT, ...fault };
    if (!this.fault.errorCode) this.fault.errorCode = status.UNAVAILABLE;
    this.counter = 0;
  }

  /** Spends the configured CPU time on this call (really: a busy loop), so it costs what it says. */
  burn(): void {
    const us = this.fault.cpuBurnUs;
    if (!us) return;
    const end = performance.now() + us / 1000;
    while (performance.now() < end) {
      // busy
    }
  }

  /** The delay this call waits before answering. */
  delayMs(): number {
    const { latencyMs, jitterMs } = this.fault;
    return latencyMs + (jitterMs ? Math.random() * jitterMs : 0);
  }

  /** The status this call fails with, or undefined when it succeeds. Advances the N-of-M counter. */
  failure(): number | undefined {
    const { failN, failOfM, errorRate, errorCode } = this.fault;
    if (failOfM > 0) {
      // Seed 000's server: of every M calls, the first N fail (reqModulo).
      const slot = this.counter++ % failOfM;
      if (slot < failN) return errorCode;
    }
    if (errorRate > 0 && Math.random() < errorRate) return errorCode;
    return undefined;
  }
}
