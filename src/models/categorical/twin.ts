/**
 * Float64 twin of shaders/categorical/categorical.wgsl — one generation of every replicate of every cell
 * on the same random words, the same draws (token for token) and the metrics in float64 — with
 * the integer inverse-CDF draw of src/core/cpu/tokens.ts, which both categorical kernels follow.
 *
 * A draw picks a token from a table of nondecreasing cumulative integer weights C[0..K−1] with
 * total S = C[K−1]: the word w (32 bits) becomes j = ⌊w·S/2³²⌋ (WGSL: mulhilo32(w, S).x), and
 * the token is the k with C[k−1] ≤ j < C[k]. Everything is integer, so GPU and twin pick the
 * same token from the same word, and a token's probability is its weight share to within 2⁻³².
 * P̂ is drawn from its cumulative counts (S = n); P* from its fixed-point cumulative
 * (S = 2³² − 1, see fixedPointCumulative), which represents each probability to within 2⁻³¹.
 */
import type { ResolvedCategoricalSpec } from './spec.js';
import type { TokenProblem } from './problem.js';
import { Stream } from '../../core/random/address.js';
import { emptySums, type MetricSums } from '../../core/engine/metrics.js';
import { snapshotArray, type Snapshot } from '../../core/engine/snapshot.js';
import { randomWords, uniformOpen01, type Words4 } from '../../core/cpu/random.js';
import { FIXED_POINT_TOTAL, scaleWord, searchCumulative } from '../../core/cpu/tokens.js';

/** Per-replicate metric columns, written by both backends (prepended to the WGSL as COLUMN_*). */
export const CategoricalColumn = {
  /** ‖P̂ − P*‖². */
  r: 0,
  /** Total variation ½‖P̂ − P*‖₁. */
  tv: 1,
  /** KL(P* ‖ P̂ smoothed by add-½: (count + ½)/(n + K/2)). */
  kl: 2,
  /** 1 if P̂ is a point mass. */
  absorbed: 3,
} as const;
export const CATEGORICAL_COLUMNS = Object.keys(CategoricalColumn).length;

/** The coin words of a generation where no coin is needed (α ∈ {0, 1}): uniformOpen01(0) is below 1 and above 0. */
export const NO_COINS: Words4 = [0, 0, 0, 0];

/** α as the kernels compare it: an f32 threshold for uniformOpen01 (exact in f32). */
export const realThreshold = (alpha: number) => Math.fround(alpha);

/** Whether generation t's mixture needs coins: 0 < α < 1 in f32. */
export const needsCoins = (threshold: number) => threshold > 0 && threshold < 1;

/**
 * The four words of token group g (tokens 4g..4g+3) of a sequence: the draw words from stream
 * `inputs` and the real-or-synthetic coins from stream `realCoin`, both at index g.
 */
export function tokenGroupWords(problem: TokenProblem, replicate: number, t: number, g: number, threshold: number): [Words4, Words4] {
  return [
    randomWords(problem.key, replicate, t, Stream.inputs, g),
    needsCoins(threshold) ? randomWords(problem.key, replicate, t, Stream.realCoin, g) : NO_COINS,
  ];
}

/** Float64 metrics of one replicate's counts against P* into `row` (CategoricalColumn order). */
export function categoricalMetrics(counts: Uint32Array, offset: number, n: number, probs: Float64Array, row: Float64Array): void {
  const K = probs.length;
  let r = 0, tv = 0, kl = 0, absorbed = 0;
  for (let k = 0; k < K; k++) {
    const c = counts[offset + k], p = probs[k];
    const d = c / n - p;
    r += d * d;
    tv += Math.abs(d);
    if (p > 0) kl += p * Math.log((p * (n + K / 2)) / (c + 0.5));
    if (c === n) absorbed = 1;
  }
  row[CategoricalColumn.r] = r;
  row[CategoricalColumn.tv] = tv / 2;
  row[CategoricalColumn.kl] = kl;
  row[CategoricalColumn.absorbed] = absorbed;
}

export class CategoricalTwin {
  private readonly K: number;
  private readonly R: number;
  /** P̂ of the last generation as counts, cell-major then replicate-major, K per replicate. */
  private readonly counts: Uint32Array;
  /** The last generation's metric rows, in the same order. */
  private readonly metrics: Float64Array;

  /** Replicates are counted from `firstReplicate` (a shard's start). */
  constructor(private readonly cells: ResolvedCategoricalSpec[], private readonly problems: TokenProblem[], private readonly firstReplicate = 0) {
    this.K = problems[0].K;
    this.R = cells[0].replicates;
    this.counts = new Uint32Array(cells.length * this.R * this.K);
    this.metrics = new Float64Array(cells.length * this.R * CATEGORICAL_COLUMNS);
  }

  /** Every replicate's counts after the last step (cell-major, K per replicate). */
  replicateCounts(): Uint32Array {
    return this.counts.slice();
  }

  /** Every replicate's metric row after the last step (cell-major, CategoricalColumn order). */
  replicateMetrics(): Float64Array {
    return this.metrics.slice();
  }

  /** P̂ as counts: all that carries over to the next generation. */
  snapshot(): Snapshot {
    return { counts: this.replicateCounts() };
  }

  restore(snapshot: Snapshot): void {
    this.counts.set(snapshotArray(snapshot, 'counts', Uint32Array, this.counts.length));
  }

  /** Nothing to release: the twin's state is ordinary memory. */
  destroy(): void {}

  /** Runs generation t for every cell; each cell's metric sums (float64, replicate order). */
  step(t: number): MetricSums[] {
    const { K, R } = this;
    const cumulative = new Uint32Array(K);
    const fresh = new Uint32Array(K);
    return this.cells.map((cell, c) => {
      const problem = this.problems[c];
      const n = cell.schedule.n[t];
      const threshold = realThreshold(cell.schedule.realFraction[t]);
      const sums = emptySums(CATEGORICAL_COLUMNS);
      for (let r = 0; r < R; r++) {
        const offset = (c * R + r) * K;
        let total = 0;
        if (threshold < 1) {
          for (let k = 0; k < K; k++) cumulative[k] = total += this.counts[offset + k];
        }
        fresh.fill(0);
        for (let g = 0; 4 * g < n; g++) {
          const [words, coins] = tokenGroupWords(problem, this.firstReplicate + r, t, g, threshold);
          for (let s = 0; s < 4 && 4 * g + s < n; s++) {
            const real = uniformOpen01(coins[s]) < threshold;
            fresh[real
              ? searchCumulative(problem.cumulative, 0, K, scaleWord(words[s], FIXED_POINT_TOTAL))
              : searchCumulative(cumulative, 0, K, scaleWord(words[s], total))]++;
          }
        }
        this.counts.set(fresh, offset);
        const row = this.metrics.subarray((c * R + r) * CATEGORICAL_COLUMNS, (c * R + r + 1) * CATEGORICAL_COLUMNS);
        categoricalMetrics(this.counts, offset, n, problem.probs, row);
        for (let m = 0; m < CATEGORICAL_COLUMNS; m++) {
          sums.sum[m] += row[m];
          sums.sumSquares[m] += row[m] * row[m];
        }
      }
      return sums;
    });
  }
}
