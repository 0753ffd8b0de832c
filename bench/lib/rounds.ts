/**
 * Interleaved rounds: every variant runs once per round, in an order rotated each round, so that
 * all of them see the same machine state. Round 0 warms the JIT and is not kept.
 */

/** Runs `once(variant)` for every variant in `rounds` + 1 rotated rounds; returns the kept runs. */
export async function interleavedRounds<V, R>(variants: readonly V[], rounds: number, once: (variant: V) => Promise<R>): Promise<R[]> {
  const runs: R[] = [];
  for (let round = 0; round <= rounds; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
    for (const variant of order) {
      const run = await once(variant);
      if (round > 0) runs.push(run);
    }
  }
  return runs;
}
