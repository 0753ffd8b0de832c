import assert from 'node:assert/strict';
import { test } from 'node:test';
import { besselI0, designFilter, filterCost } from '../../src/audio/resampleFilter.js';

const HIGH = { attenuationDb: 100, passband: 0.915 };

/** Zeroth-order modified Bessel function by its power series (the slow reference). */
function besselI0Series(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 200; k++) {
    term *= (x * x) / 4 / (k * k);
    sum += term;
  }
  return sum;
}

/** Worst gain in dB of a table's prototype filter over [from, to] cycles per input sample. */
function worstGainDb(f: ReturnType<typeof designFilter>, from: number, to: number): number {
  // The prototype at `rows` times the input rate: row r holds the taps at fraction r / rows.
  const rows = f.rows;
  const proto: number[] = [];
  for (let t = f.taps - 1; t >= 0; t--) for (let r = 0; r < rows; r++) proto.push(f.table[r * f.taps + t]!);
  let worst = 0;
  for (let i = 0; i <= 600; i++) {
    const freq = from + ((to - from) * i) / 600;
    let re = 0, im = 0;
    for (let n = 0; n < proto.length; n++) {
      re += proto[n]! * Math.cos((2 * Math.PI * freq * n) / rows);
      im += proto[n]! * Math.sin((2 * Math.PI * freq * n) / rows);
    }
    worst = Math.max(worst, Math.hypot(re, im) / rows);
  }
  return 20 * Math.log10(worst);
}

test('the Bessel approximation is within 2e-7 of the power series over the window range', () => {
  for (let x = 0; x <= 25; x += 0.01) {
    const rel = Math.abs(besselI0(x) / besselI0Series(x) - 1);
    assert.ok(rel < 2e-7, `I0(${x}): relative error ${rel}`);
  }
});

test('every phase row has unit DC gain and the tap count is a multiple of 4', () => {
  for (const [from, to, up] of [[48000, 16000, 1], [24000, 48000, 2], [44100, 48000, 160]] as const) {
    const f = designFilter(from, to, up, HIGH);
    assert.equal(f.taps % 4, 0);
    assert.equal(f.taps, 2 * f.half);
    assert.ok(f.exact);
    assert.equal(f.table.length, f.rows * f.taps);
    for (let r = 0; r < f.rows; r++) {
      let sum = 0;
      for (let t = 0; t < f.taps; t++) sum += f.table[r * f.taps + t]!;
      assert.ok(Math.abs(sum - 1) < 1e-6, `${from}→${to} row ${r}: ${sum}`);
    }
  }
});

test('the filter meets its own design target: stopband at or below −A dB from the Nyquist frequency on', () => {
  // Before issue 18 Kaiser's length estimate was used as is, and a 90 dB design reached −89.4 dB.
  for (const attenuationDb of [80, 90, 100, 110]) {
    for (const passband of [0.85, 0.915]) {
      const f = designFilter(48000, 24000, 1, { attenuationDb, passband });
      const worst = worstGainDb(f, 0.25, 0.5); // 12 kHz (the output Nyquist frequency) to 24 kHz
      assert.ok(worst <= -attenuationDb, `${attenuationDb} dB, passband ${passband}: worst ${worst.toFixed(2)} dB`);
    }
  }
});

test('the filter is longer where the transition band is narrower (downsampling to a low rate)', () => {
  const up = designFilter(16000, 48000, 3, HIGH);
  const down = designFilter(48000, 16000, 1, HIGH);
  const toPhone = designFilter(48000, 8000, 1, HIGH);
  assert.ok(down.half > up.half && toPhone.half > down.half);
  // In seconds the three reach about as far: the length follows the lower rate, not the ratio.
  assert.ok(Math.abs(up.half / 16000 - down.half / 48000) < 0.0002);
});

test('ratios with too many phases get an interpolated table with one extra row', () => {
  const f = designFilter(44100, 47999, 47999, HIGH);
  assert.equal(f.exact, false);
  assert.equal(f.table.length, (f.rows + 1) * f.taps);
  // Row `rows` is phase 1.0: row 0 shifted by one tap.
  for (let t = 1; t < f.taps; t++) assert.ok(Math.abs(f.table[f.rows * f.taps + t]! - f.table[t - 1]!) < 1e-6);
  // Narrow filters (downsampling) need fewer interpolation rows for the same error.
  const narrow = filterCost(96000, 16001, 16001, HIGH);
  assert.equal(narrow.exact, false);
  assert.ok(narrow.rows < f.rows / 4, `${narrow.rows} rows`);
});

test('tables are cached per rate pair and settings', () => {
  assert.equal(designFilter(32000, 16000, 1, HIGH), designFilter(32000, 16000, 1, HIGH));
  assert.notEqual(designFilter(32000, 16000, 1, HIGH), designFilter(32000, 16000, 1, { ...HIGH, attenuationDb: 70 }));
});
