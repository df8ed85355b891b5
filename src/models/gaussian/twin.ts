/**
 * Float64 twin of shaders/gaussian/gaussian.wgsl: one generation of Gaussian refitting for every
 * replicate of every sweep cell, on the same random words, plus the metric columns.
 *
 * Both backends run the standardised chain: the fit is equivariant under x → μ + σx, so
 * replicate state is δ = (μ̂ − μ)/σ and a Cholesky factor L of Σ̂/σ², starting from δ = 0,
 * L = I. The engine (src/models/gaussian/model.ts) scales statistics back by σ; μ never enters.
 * Each generation draws M samples z ~ N(0, I) (sample i, coordinate j is normal i·dim + j:
 * component (i·dim + j) mod 4 of address ⌊(i·dim + j)/4⌋, stream `inputs`, counter
 * (replicate r within the cell, generation t)), so x = δ + L z, and with z̄ and the scatter
 * W = Σ (z − z̄)(z − z̄)ᵀ: δ ← δ + L z̄, L ← L·chol(W/k), k = M (MLE) or M − 1 (unbiased).
 * The scale never enters the factorisation (W/k is near I), so it stays accurate however far
 * the variance has collapsed.
 */
import type { ResolvedGaussianSpec } from './spec.js';
import { keyFromSeed, Stream, type Key } from '../../core/random/address.js';
import { normals4, randomWords } from '../../core/cpu/random.js';
import { choleskySolve, packedIndex, packedSize } from '../../core/cpu/cholesky.js';
import { emptySums, type CellSums } from '../../core/engine/metrics.js';
import { joinSnapshots, snapshotArray, splitSnapshot, type Snapshot } from '../../core/engine/snapshot.js';
import { varianceDivisor } from './theory.js';

/** Per-replicate metric columns, written by the kernel (as `METRIC_*` consts) and by this twin. */
export const GaussianMetric = {
  /** 1 while the replicate has not collapsed, else 0 (and every other column 0). */
  valid: 0,
  /** ‖δ‖² = ‖μ̂ − μ‖²/σ². */
  err2: 1,
  /** tr(L Lᵀ)/dim = (tr Σ̂/dim)/σ². */
  variance: 2,
  /** Its natural logarithm. */
  logVariance: 3,
} as const;
export const GAUSSIAN_COLUMNS = Object.keys(GaussianMetric).length;

/**
 * A replicate has collapsed once its fitted variance (over σ²) is at or below this, or its
 * Cholesky factorisation failed: f32's normal range ends near 1e-38, so below 1e-30 the factor's
 * squares would start to underflow. A collapsed replicate stays collapsed and leaves the statistics.
 */
export const COLLAPSE_VARIANCE = 1e-30;

/** The log variance reported for a collapsed replicate: below every live one (≥ ln 1e-30), exact in f32. */
export const COLLAPSED_LOG_VARIANCE = -3.4028234663852886e38;

/** One cell's replicate states, replicate-major: δ (dim each), L (packed lower triangle, dim(dim+1)/2 each), collapsed flags. */
export interface GaussianReplicateState {
  delta: Float32Array | Float64Array;
  factor: Float32Array | Float64Array;
  collapsed: Uint8Array;
}

export class GaussianTwin {
  private readonly dim: number;
  private readonly key: Key;
  private readonly states: { delta: Float64Array; factor: Float64Array; collapsed: Uint8Array }[];

  /** `cells` share dim, estimator, replicates and seed; m and σ may differ. Their replicates are counted from `firstReplicate`. */
  constructor(private readonly cells: readonly ResolvedGaussianSpec[], private readonly firstReplicate = 0) {
    const { dim, replicates, seed } = cells[0];
    this.dim = dim;
    this.key = keyFromSeed(seed);
    this.states = cells.map(() => ({
      delta: new Float64Array(replicates * dim),
      factor: new Float64Array(replicates * packedSize(dim)),
      collapsed: new Uint8Array(replicates),
    }));
  }

  /**
   * Generation t of every cell (t = 0 starts from the truth); generations must come in order.
   * Each cell's metric sums, and as `values` each replicate's log variance (for the median).
   */
  step(t: number): CellSums[] {
    if (t === 0) this.reset();
    return this.cells.map((cell, c) => {
      const sums = emptySums(GAUSSIAN_COLUMNS);
      const logVariances = new Float64Array(cell.replicates);
      const row = new Float64Array(GAUSSIAN_COLUMNS);
      for (let r = 0; r < cell.replicates; r++) {
        row.fill(0);
        this.stepReplicate(c, r, t, row);
        logVariances[r] = row[GaussianMetric.valid] ? row[GaussianMetric.logVariance] : COLLAPSED_LOG_VARIANCE;
        for (let k = 0; k < GAUSSIAN_COLUMNS; k++) {
          sums.sum[k] += row[k];
          sums.sumSquares[k] += row[k] * row[k];
        }
      }
      return { ...sums, values: logVariances };
    });
  }

  replicateStates(): GaussianReplicateState[] {
    return this.states.map((s) => ({ delta: s.delta.slice(), factor: s.factor.slice(), collapsed: s.collapsed.slice() }));
  }

  /** What carries over to the next generation: every replicate's fit and collapsed flag. */
  snapshot(): Snapshot {
    return joinSnapshots(this.states);
  }

  restore(snapshot: Snapshot): void {
    splitSnapshot(snapshot, this.states.length).forEach((part, c) => {
      const state = this.states[c];
      state.delta.set(snapshotArray(part, 'delta', Float64Array, state.delta.length));
      state.factor.set(snapshotArray(part, 'factor', Float64Array, state.factor.length));
      state.collapsed.set(snapshotArray(part, 'collapsed', Uint8Array, state.collapsed.length));
    });
  }

  /** Nothing to release: the twin's state is ordinary memory. */
  destroy(): void {}

  private reset(): void {
    const { dim } = this;
    for (const state of this.states) {
      state.delta.fill(0);
      state.factor.fill(0);
      state.collapsed.fill(0);
      for (let r = 0; r < state.collapsed.length; r++) {
        for (let j = 0; j < dim; j++) state.factor[r * packedSize(dim) + packedIndex(j, j)] = 1;
      }
    }
  }

  private stepReplicate(c: number, r: number, t: number, row: Float64Array): void {
    const { dim, key } = this;
    const state = this.states[c];
    if (state.collapsed[r]) return;
    const P = packedSize(dim), m = this.cells[c].m;
    const sum = new Float64Array(dim), scatter = new Float64Array(P), z = new Float64Array(dim);
    let normals = [0, 0, 0, 0];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < dim; j++) {
        const index = i * dim + j;
        if ((index & 3) === 0) normals = normals4(randomWords(key, this.firstReplicate + r, t, Stream.inputs, index >>> 2));
        z[j] = normals[index & 3];
        sum[j] += z[j];
      }
      for (let a = 0, p = 0; a < dim; a++) for (let b = 0; b <= a; b++, p++) scatter[p] += z[a] * z[b];
    }
    const divisor = varianceDivisor(this.cells[c]);
    const mean = sum.map((s) => s / m);
    for (let a = 0, p = 0; a < dim; a++) {
      for (let b = 0; b <= a; b++, p++) scatter[p] = (scatter[p] - m * mean[a] * mean[b]) / divisor;
    }
    // Only the factor is wanted; the library's solve of a zero right-hand side is a few dim² flops.
    const factored = choleskySolve(scatter, new Float64Array(dim), 0, dim);
    // The new fit is committed only if it is live: a collapsed replicate keeps its last live fit.
    const delta = state.delta.slice(r * dim, r * dim + dim);
    const factor = state.factor.slice(r * P, r * P + P);
    for (let i = 0; i < dim; i++) {
      for (let k = 0; k <= i; k++) delta[i] += factor[packedIndex(i, k)] * mean[k];
    }
    if (!factored) {
      state.collapsed[r] = 1;
      return;
    }
    // L ← L·C, both lower triangular: entry (i, j) needs L's row i from column j on only, so
    // each row is overwritten in place from its first column.
    let variance = 0;
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = j; k <= i; k++) s += factor[packedIndex(i, k)] * scatter[packedIndex(k, j)];
        factor[packedIndex(i, j)] = s;
        variance += s * s;
      }
    }
    variance /= dim;
    if (!(variance > COLLAPSE_VARIANCE)) {
      state.collapsed[r] = 1;
      return;
    }
    state.delta.set(delta, r * dim);
    state.factor.set(factor, r * P);
    row[GaussianMetric.valid] = 1;
    row[GaussianMetric.err2] = delta.reduce((s, v) => s + v * v, 0);
    row[GaussianMetric.variance] = variance;
    row[GaussianMetric.logVariance] = Math.log(variance);
  }
}
