/**
 * Float64 twin of shaders/categorical/bigram.wgsl: one generation of every replicate of every cell — the
 * same words, the same integer draws (src/models/categorical/twin.ts), state for state — and the
 * metrics in float64.
 *
 * A replicate's P̂ is K rows of cumulative counts. Generation t draws a sequence of n_t states:
 * the first uniformly (⌊w·K/2³²⌋), each next one from row `current` of the mixture
 * α_t P* + (1 − α_t) P̂_{t−1}; the n_t − 1 transitions are counted, and each row that saw a
 * transition becomes those counts. A row with none keeps its previous estimate — after
 * generation 0, the uniform distribution.
 */
import type { ResolvedBigramSpec } from './spec.js';
import type { TokenProblem } from './problem.js';
import { emptySums, type MetricSums } from '../../core/engine/metrics.js';
import { snapshotArray, type Snapshot } from '../../core/engine/snapshot.js';
import { uniformOpen01 } from '../../core/cpu/random.js';
import { realThreshold, tokenGroupWords } from './twin.js';
import { FIXED_POINT_TOTAL, scaleWord, searchCumulative } from '../../core/cpu/tokens.js';

/** Per-replicate metric columns, written by both backends (prepended to the WGSL as COLUMN_*). */
export const BigramColumn = {
  /** Σ_rows ‖P̂_row − P*_row‖² / K. */
  r: 0,
  /** The rows' mean total variation ½‖P̂_row − P*_row‖₁. */
  tv: 1,
  /** The rows' mean KL(P*_row ‖ P̂_row smoothed add-½: (count + ½)/(row total + K/2)). */
  kl: 2,
} as const;
export const BIGRAM_COLUMNS = Object.keys(BigramColumn).length;

/** Float64 metrics of one replicate's estimate (K cumulative rows at `offset`) into `row` (BigramColumn order). */
export function bigramMetrics(estimate: Uint32Array, offset: number, probs: Float64Array, K: number, row: Float64Array): void {
  let r = 0, tv = 0, kl = 0;
  for (let s = 0; s < K; s++) {
    const base = offset + s * K;
    const total = estimate[base + K - 1];
    let below = 0;
    for (let k = 0; k < K; k++) {
      const c = estimate[base + k] - below;
      below = estimate[base + k];
      const p = probs[s * K + k];
      const d = c / total - p;
      r += d * d;
      tv += Math.abs(d);
      if (p > 0) kl += p * Math.log((p * (total + K / 2)) / (c + 0.5));
    }
  }
  row[BigramColumn.r] = r / K;
  row[BigramColumn.tv] = tv / (2 * K);
  row[BigramColumn.kl] = kl / K;
}

export class BigramTwin {
  private readonly K: number;
  private readonly R: number;
  /** P̂ of every replicate as K cumulative count rows (cell-major, K×K per replicate). */
  private readonly estimate: Uint32Array;
  /** The last generation's metric rows, in the same order. */
  private readonly metrics: Float64Array;

  /** Replicates are counted from `firstReplicate` (a shard's start). */
  constructor(private readonly cells: ResolvedBigramSpec[], private readonly problems: TokenProblem[], private readonly firstReplicate = 0) {
    this.K = problems[0].K;
    this.R = cells[0].replicates;
    this.estimate = new Uint32Array(cells.length * this.R * this.K * this.K);
    this.metrics = new Float64Array(cells.length * this.R * BIGRAM_COLUMNS);
  }

  /** Every replicate's P̂ after the last step: K cumulative count rows (cell-major, K×K per replicate). */
  replicateCounts(): Uint32Array {
    return this.estimate.slice();
  }

  /** Every replicate's metric row after the last step (cell-major, BigramColumn order). */
  replicateMetrics(): Float64Array {
    return this.metrics.slice();
  }

  /** P̂: all that carries over to the next generation. */
  snapshot(): Snapshot {
    return { estimate: this.replicateCounts() };
  }

  restore(snapshot: Snapshot): void {
    this.estimate.set(snapshotArray(snapshot, 'estimate', Uint32Array, this.estimate.length));
  }

  /** Nothing to release: the twin's state is ordinary memory. */
  destroy(): void {}

  /** Runs generation t for every cell; each cell's metric sums (float64, replicate order). */
  step(t: number): MetricSums[] {
    const { K, R, estimate } = this;
    const fresh = new Uint32Array(K * K);
    return this.cells.map((cell, c) => {
      const problem = this.problems[c];
      const n = cell.schedule.n[t];
      const threshold = realThreshold(cell.schedule.realFraction[t]);
      const sums = emptySums(BIGRAM_COLUMNS);
      for (let r = 0; r < R; r++) {
        const offset = (c * R + r) * K * K;
        fresh.fill(0);
        let current = 0;
        for (let g = 0; 4 * g < n; g++) {
          const [words, coins] = tokenGroupWords(problem, this.firstReplicate + r, t, g, threshold);
          for (let s = 0; s < 4 && 4 * g + s < n; s++) {
            if (g === 0 && s === 0) {
              current = scaleWord(words[0], K);
              continue;
            }
            const row = current * K;
            current = uniformOpen01(coins[s]) < threshold
              ? searchCumulative(problem.cumulative, row, K, scaleWord(words[s], FIXED_POINT_TOTAL))
              : searchCumulative(estimate, offset + row, K, scaleWord(words[s], estimate[offset + row + K - 1]));
            fresh[row + current]++;
          }
        }
        for (let s = 0; s < K; s++) {
          const base = offset + s * K;
          let visits = 0;
          for (let k = 0; k < K; k++) visits += fresh[s * K + k];
          if (visits > 0) {
            let running = 0;
            for (let k = 0; k < K; k++) estimate[base + k] = running += fresh[s * K + k];
          } else if (t === 0) {
            // Generation 0 leaves a row it never visited uniform: cumulative counts 1, 2, …, K.
            for (let k = 0; k < K; k++) estimate[base + k] = k + 1;
          }
        }
        const row = this.metrics.subarray((c * R + r) * BIGRAM_COLUMNS, (c * R + r + 1) * BIGRAM_COLUMNS);
        bigramMetrics(estimate, offset, problem.probs, K, row);
        for (let m = 0; m < BIGRAM_COLUMNS; m++) {
          sums.sum[m] += row[m];
          sums.sumSquares[m] += row[m] * row[m];
        }
      }
      return sums;
    });
  }
}
