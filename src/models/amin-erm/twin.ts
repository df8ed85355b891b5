/**
 * Float64 twin of mean estimation from contaminated data (docs/science.md §7): one generation for
 * every replicate of every sweep cell, both estimators side by side on common random numbers.
 *
 * The chain runs standardised (μ = 0, σ = 1: both estimators are equivariant under x → μ + σx); the
 * engine (model.ts) scales the squared errors back by σ². Each replicate carries two estimates, ERM's
 * and the weighted estimator's, each training on its own synthetic data (drawn around its own previous
 * estimate) but on the same noise: generation t's sample i, coordinate j, is z = normal i·dim + j
 * (component (i·dim + j) mod 4 of address ⌊(i·dim + j)/4⌋, stream `inputs`, counter (replicate, t)).
 * Samples i < n − k are natural, x = z; samples i ≥ n − k are synthetic, x = μ̂_{t−1} + z (k = α·n, 0 at
 * t = 0). Each estimator sees only its data's mean X_t = (k·μ̂_{t−1} + Σ z)/n, not which sample is which.
 */
import type { ResolvedAminErmSpec } from './spec.js';
import { keyFromSeed, Stream, type Key } from '../../core/random/address.js';
import { normals4, randomWords } from '../../core/cpu/random.js';
import { emptySums, type CellSums } from '../../core/engine/metrics.js';
import { joinSnapshots, snapshotArray, splitSnapshot, type Snapshot } from '../../core/engine/snapshot.js';

/** Per-replicate metric columns (the kernel will write them as `METRIC_*` consts). */
export const AminErmMetric = {
  /** ‖μ̂_ERM − μ‖²/σ². */
  erm: 0,
  /** ‖μ̂_weighted − μ‖²/σ². */
  weighted: 1,
} as const;
export const AMIN_ERM_COLUMNS = Object.keys(AminErmMetric).length;

/** One cell's replicate states, replicate-major, standardised: each estimator's μ̂ − μ (dim each). */
export interface AminErmReplicateState {
  erm: Float32Array | Float64Array;
  weighted: Float32Array | Float64Array;
}

/**
 * The weighted estimator's update at generation t ≥ 1 (α = k/n): with w_t = 1 + t(1 − α)²,
 * μ̂_t = (w_{t−1}·μ̂_{t−1} + (1 − α)(X_t − α·μ̂_{t−1}))/w_t, i.e. inverse-variance weights 1 on X_0 and
 * (1 − α)² on each debiased Z_s = (X_s − α·μ̂_{s−1})/(1 − α) (theory.ts).
 */
export function weightedUpdate(previous: number, x: number, alpha: number, t: number): number {
  const c = (1 - alpha) ** 2, before = 1 + (t - 1) * c, after = 1 + t * c;
  return (before * previous + (1 - alpha) * (x - alpha * previous)) / after;
}

export class AminErmTwin {
  private readonly key: Key;
  private readonly states: { erm: Float64Array; weighted: Float64Array }[];

  /** `cells` share dim, n, replicates and seed; α and σ may differ. Replicates are counted from `firstReplicate`. */
  constructor(private readonly cells: readonly ResolvedAminErmSpec[], private readonly firstReplicate = 0) {
    const { dim, replicates, seed } = cells[0];
    this.key = keyFromSeed(seed);
    this.states = cells.map(() => ({ erm: new Float64Array(replicates * dim), weighted: new Float64Array(replicates * dim) }));
  }

  /** Generation t of every cell (t = 0 starts from natural data only); generations must come in order. */
  step(t: number): CellSums[] {
    if (t === 0) this.reset();
    return this.cells.map((cell, c) => {
      const sums = emptySums(AMIN_ERM_COLUMNS);
      const row = new Float64Array(AMIN_ERM_COLUMNS);
      for (let r = 0; r < cell.replicates; r++) {
        this.stepReplicate(c, r, t, row);
        for (let k = 0; k < AMIN_ERM_COLUMNS; k++) {
          sums.sum[k] += row[k];
          sums.sumSquares[k] += row[k] * row[k];
        }
      }
      return sums;
    });
  }

  replicateStates(): AminErmReplicateState[] {
    return this.states.map((s) => ({ erm: s.erm.slice(), weighted: s.weighted.slice() }));
  }

  /** What carries over to the next generation: both estimates of every replicate. */
  snapshot(): Snapshot {
    return joinSnapshots(this.states);
  }

  restore(snapshot: Snapshot): void {
    splitSnapshot(snapshot, this.states.length).forEach((part, c) => {
      const state = this.states[c];
      state.erm.set(snapshotArray(part, 'erm', Float64Array, state.erm.length));
      state.weighted.set(snapshotArray(part, 'weighted', Float64Array, state.weighted.length));
    });
  }

  /** Nothing to release: the twin's state is ordinary memory. */
  destroy(): void {}

  private reset(): void {
    for (const state of this.states) {
      state.erm.fill(0);
      state.weighted.fill(0);
    }
  }

  private stepReplicate(c: number, r: number, t: number, row: Float64Array): void {
    const cell = this.cells[c], { dim, n } = cell;
    const k = t === 0 ? 0 : cell.synthetic, alpha = cell.synthetic / n;
    const state = this.states[c];
    // Σ z over the generation's n samples, per coordinate: both estimators' noise.
    const noise = new Float64Array(dim);
    let normals = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dim; j++) {
        const index = i * dim + j;
        if ((index & 3) === 0) normals = normals4(randomWords(this.key, this.firstReplicate + r, t, Stream.inputs, index >>> 2));
        noise[j] += normals[index & 3];
      }
    }
    let erm2 = 0, weighted2 = 0;
    for (let j = 0; j < dim; j++) {
      const e = state.erm[r * dim + j], w = state.weighted[r * dim + j];
      const xErm = (k * e + noise[j]) / n, xWeighted = (k * w + noise[j]) / n;
      const eNext = t === 0 ? xErm : (t * e + xErm) / (t + 1);
      const wNext = t === 0 ? xWeighted : weightedUpdate(w, xWeighted, alpha, t);
      state.erm[r * dim + j] = eNext;
      state.weighted[r * dim + j] = wNext;
      erm2 += eNext * eNext;
      weighted2 += wNext * wNext;
    }
    row[AminErmMetric.erm] = erm2;
    row[AminErmMetric.weighted] = weighted2;
  }
}
