/**
 * CPU used by the whole machine, from /proc/stat, so that a benchmark can tell how much of a
 * window went to processes other than its own (another engineer's test run on a shared 2-core
 * machine skews every figure), and wait for a quiet machine before a point starts.
 */
import { readFileSync } from 'node:fs';
import { sleep } from './clock.js';

/** Jiffies per second of /proc/stat (USER_HZ, 100 on Linux). */
const HZ = 100;

/** Busy CPU time of all cores together since boot, µs; NaN where /proc/stat is missing. */
export function machineBusyUs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
    return ((user! + nice! + system! + irq! + softirq! + steal!) * 1e6) / HZ;
  } catch {
    return Number.NaN;
  }
}

/**
 * Waits (up to `maxWaitMs`) until the machine's busy CPU over one second is below `threshold`
 * of one core; call it while no benchmark process runs. Returns the last reading, % of a core.
 */
export async function waitForQuiet(log: (message: string) => void, threshold = 0.15, maxWaitMs = 180_000): Promise<number> {
  const started = Date.now();
  let warned = false;
  for (;;) {
    const before = machineBusyUs();
    await sleep(1000);
    const busy = (machineBusyUs() - before) / 1e6;
    if (!(busy > threshold) || Date.now() - started > maxWaitMs) {
      if (warned) log(`  the machine is ${busy > threshold ? 'still busy' : 'quiet again'} (${(busy * 100).toFixed(0)} % of a core in use by others)`);
      return busy * 100;
    }
    if (!warned) log(`  waiting for a quiet machine: other processes use ${(busy * 100).toFixed(0)} % of a core…`);
    warned = true;
  }
}
