/** What the receive and send workers report per measured run (read by their benchmarks). */
import type { ReceiveVariant, Variant } from './clients.js';

/** One receive run: a flood of recorded replies taken in by one client variant. */
export interface ReceiveRun {
  variant: ReceiveVariant;
  events: number;
  samples: number;
  bytes: number;
  wallUs: number;
  cpuUs: number;
}

/** One send run: `chunks` appends of 100 ms written by one client variant. */
export interface SendRun {
  variant: Variant;
  chunks: number;
  pcmBytes: number;
  wireBytes: number;
  wallUs: number;
  cpuUs: number;
}
