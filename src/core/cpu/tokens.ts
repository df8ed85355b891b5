/**
 * Integer draws from distributions over tokens, and seeded Dirichlet rows, as the token models' twins and
 * hosts share them (categorical, bigram, curation): a draw picks a token from a table of nondecreasing
 * cumulative integer weights C[0..K−1] of total S = C[K−1] — the word w (32 bits) becomes j = ⌊w·S/2³²⌋
 * (WGSL: mulhilo32(w, S).x) and the token is the k with C[k−1] ≤ j < C[k] — so a kernel and its twin pick
 * the same token from the same word. A distribution is held as a fixed-point table of total 2³² − 1.
 */
import { Stream, type Key } from '../random/address.js';
import { boxMuller, randomWords, uniformOpen01 } from './random.js';

/** Total weight of a fixed-point table. */
export const FIXED_POINT_TOTAL = 0xffffffff;

/** ⌊word·total/2³²⌋, exactly (16-bit halves keep every product below 2⁵³). */
export function scaleWord(word: number, total: number): number {
  const hi = word >>> 16, lo = word & 0xffff;
  return Math.floor((hi * total + Math.floor((lo * total) / 65536)) / 65536);
}

/** The largest power of two ≤ K − 1: the first step of the branchless binary search over K − 1 entries. */
export function searchTop(K: number): number {
  let top = 1;
  while (top * 2 <= K - 1) top *= 2;
  return top;
}

/**
 * The token k with C[k−1] ≤ j < C[k] (C[−1] = 0) for j < C[K−1]: the number of the first K − 1
 * entries (from `offset`) that are ≤ j.
 */
export function searchCumulative(table: ArrayLike<number>, offset: number, K: number, j: number): number {
  let k = 0;
  for (let step = searchTop(K); step > 0; step >>= 1) {
    const probe = k + step;
    if (probe < K && table[offset + probe - 1] <= j) k = probe;
  }
  return k;
}

/**
 * Shares as round((2³² − 1)·cumulative share), the last entry exactly 2³² − 1 (each share within 2⁻³¹).
 * A zero share gives an empty interval, so that token is never drawn.
 */
export function fixedPointCumulative(shares: ArrayLike<number>): Uint32Array {
  const K = shares.length;
  let sum = 0;
  for (let k = 0; k < K; k++) sum += shares[k];
  const table = new Uint32Array(K);
  let running = 0;
  for (let k = 0; k < K; k++) {
    running += shares[k];
    table[k] = Math.min(FIXED_POINT_TOTAL, Math.round((FIXED_POINT_TOTAL * running) / sum));
  }
  table[K - 1] = FIXED_POINT_TOTAL;
  return table;
}

/**
 * log Gamma(shape) variate for component k of Dirichlet row s, from the setup stream: attempt
 * a = 0, 1, … uses the counter (k, s, setup, a) until Marsaglia & Tsang's (2000) squeeze accepts;
 * an attempt's words 0–1 give a normal (Box–Muller), word 2 the acceptance uniform, and word 3
 * (shape < 1 only) the U of Gamma(shape) = Gamma(shape + 1)·U^{1/shape}. Kept as a logarithm
 * so that a tiny shape cannot underflow every component to 0.
 */
function logGammaVariate(key: Key, shape: number, row: number, component: number): number {
  const boosted = shape < 1 ? shape + 1 : shape;
  const d = boosted - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (let attempt = 0; ; attempt++) {
    const words = randomWords(key, component, row, Stream.setup, attempt);
    const [x] = boxMuller(words[0], words[1]);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    if (Math.log(uniformOpen01(words[2])) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
      const logValue = Math.log(d * v);
      return shape < 1 ? logValue + Math.log(uniformOpen01(words[3])) / shape : logValue;
    }
  }
}

/** Row s of a seeded Dirichlet(α, …, α) over K outcomes: normalised Gamma(α) variates. */
export function dirichletRow(key: Key, K: number, alpha: number, row: number): Float64Array {
  const logs = Float64Array.from({ length: K }, (_, k) => logGammaVariate(key, alpha, row, k));
  const top = Math.max(...logs);
  const weights = logs.map((l) => Math.exp(l - top));
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / sum);
}
