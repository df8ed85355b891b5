/**
 * Float64 twin of curated retraining of a Gaussian (docs/science.md §9): one generation for every
 * replicate of every sweep cell, on the same random words as shaders/curation-gaussian/curation_gaussian.wgsl.
 *
 * The chain runs standardised (x → (x − μ*)/s*: P* = N(0, I), the reward's centre c' = (c − μ*)/s*
 * and width τ' = τ/s*; the reward ‖x − c‖²/τ² is unchanged); the engine (model.ts) scales back.
 * Each replicate carries its model N(m, vI). Generation 0 is P* itself (m = 0, v = 1, nothing drawn).
 * Generation t ≥ 1 draws n samples, sample i owning the normals (i·K + j)·dim + l (candidate j,
 * coordinate l; component idx mod 4 of address ⌊idx/4⌋, stream `inputs`, counter (replicate, t)):
 *  - i < ρ_t = round(λ_t·n): fresh, x = z of candidate slot 0;
 *  - otherwise curated: candidates x_j = m + √v·z_j, and the curator keeps argmax_j r(x_j) + G_j with
 *    G_j = −ln(−ln U_j), U_j the uniform of word (i·K + j) mod 4 at address ⌊(i·K + j)/4⌋ of stream
 *    `verifierCoin`. By the Gumbel-max identity this keeps j with probability e^{r_j}/Σ_i e^{r_i}
 *    exactly, in one pass and with no exponential to overflow.
 * The refit is the maximum-likelihood N(m', v'I): m' = mean of the samples, v' = their mean squared
 * distance from m' over n·dim coordinates, both summed about the previous m (curated samples sit within
 * a few √v of it, so f32 keeps v' even when v ≪ ‖m‖²); v' is held at VARIANCE_FLOOR at the least.
 */
import type { ResolvedCurationGaussianSpec } from './spec.js';
import { standardised } from './spec.js';
import { keyFromSeed, Stream, type Key } from '../../core/random/address.js';
import { normals4, randomWords, uniformOpen01 } from '../../core/cpu/random.js';
import { emptySums, type CellSums } from '../../core/engine/metrics.js';
import { joinSnapshots, snapshotArray, splitSnapshot, type Snapshot } from '../../core/engine/snapshot.js';

/** Per-replicate metric columns (the kernel writes them as `METRIC_*` consts), standardised units. */
export const CurationGaussianMetric = {
  /** E_{p̂_t}[r] = −(‖m − c'‖² + dim·v)/(2τ'²) (invariant under standardising). */
  reward: 0,
  /** ‖m − c'‖². */
  targetGap: 1,
  /** v. */
  variance: 2,
  /** KL(N(m, vI) ‖ N(0, I)) = ½(dim·v + ‖m‖² − dim − dim·ln v) (invariant). */
  klModel: 3,
  /** Differential entropy (dim/2)·ln(2πe·v). */
  entropy: 4,
} as const;
export const CURATION_GAUSSIAN_COLUMNS = Object.keys(CurationGaussianMetric).length;

/**
 * The least fitted variance, standardised: f32's normal range ends near 1e-38, and ln v must stay
 * finite. Pure curation with finite n shrinks v by about (1 − 1/n) a generation, so a chain meets
 * the floor only after some 69·n generations.
 */
export const VARIANCE_FLOOR = 1e-30;

/** One cell's replicate states, replicate-major, standardised: the model's mean (dim each) and variance. */
export interface CurationGaussianReplicateState {
  mean: Float32Array | Float64Array;
  variance: Float32Array | Float64Array;
}

/** A replicate's metric row from its model N(m, vI) (standardised; c' and τ' standardised). */
export function metricRow(mean: ArrayLike<number>, v: number, target: readonly number[], tau: number, row: Float64Array): void {
  const dim = target.length;
  let gap = 0, norm = 0;
  for (let l = 0; l < dim; l++) {
    gap += (mean[l] - target[l]) ** 2;
    norm += mean[l] ** 2;
  }
  const lnV = Math.log(v);
  row[CurationGaussianMetric.reward] = -(gap + dim * v) / (2 * tau * tau);
  row[CurationGaussianMetric.targetGap] = gap;
  row[CurationGaussianMetric.variance] = v;
  row[CurationGaussianMetric.klModel] = 0.5 * (dim * v + norm - dim - dim * lnV);
  row[CurationGaussianMetric.entropy] = 0.5 * dim * (Math.log(2 * Math.PI) + 1 + lnV);
}

/** The normals and curator's uniforms of one replicate's generation, read in order through a one-address cache each. */
class Draws {
  private normalAddress = -1;
  private normals: number[] = [];
  private uniformAddress = -1;
  private uniforms: number[] = [];

  constructor(private readonly key: Key, private readonly replicate: number, private readonly t: number) {}

  normal(index: number): number {
    const address = index >>> 2;
    if (address !== this.normalAddress) {
      this.normalAddress = address;
      this.normals = normals4(randomWords(this.key, this.replicate, this.t, Stream.inputs, address));
    }
    return this.normals[index & 3];
  }

  uniform(index: number): number {
    const address = index >>> 2;
    if (address !== this.uniformAddress) {
      this.uniformAddress = address;
      this.uniforms = randomWords(this.key, this.replicate, this.t, Stream.verifierCoin, address).map(uniformOpen01);
    }
    return this.uniforms[index & 3];
  }
}

export class CurationGaussianTwin {
  private readonly key: Key;
  private readonly states: { mean: Float64Array; variance: Float64Array }[];
  private readonly rewards: { target: number[]; tau: number }[];

  /** `cells` share dim, replicates and seed; n, K, λ, c, τ, s* may differ. Replicates are counted from `firstReplicate`. */
  constructor(private readonly cells: readonly ResolvedCurationGaussianSpec[], private readonly firstReplicate = 0) {
    const { dim, replicates, seed } = cells[0];
    this.key = keyFromSeed(seed);
    this.states = cells.map(() => ({ mean: new Float64Array(replicates * dim), variance: new Float64Array(replicates) }));
    this.rewards = cells.map(standardised);
  }

  /** Generation t of every cell (t = 0 is P* itself); generations must come in order. */
  step(t: number): CellSums[] {
    return this.cells.map((cell, c) => {
      const sums = emptySums(CURATION_GAUSSIAN_COLUMNS);
      const row = new Float64Array(CURATION_GAUSSIAN_COLUMNS);
      const { dim } = cell, state = this.states[c], { target, tau } = this.rewards[c];
      for (let r = 0; r < cell.replicates; r++) {
        const mean = state.mean.subarray(r * dim, (r + 1) * dim);
        if (t === 0) {
          mean.fill(0);
          state.variance[r] = 1;
        } else {
          state.variance[r] = this.refit(c, r, t, mean, state.variance[r]);
        }
        metricRow(mean, state.variance[r], target, tau, row);
        for (let k = 0; k < CURATION_GAUSSIAN_COLUMNS; k++) {
          sums.sum[k] += row[k];
          sums.sumSquares[k] += row[k] * row[k];
        }
      }
      return sums;
    });
  }

  replicateStates(): CurationGaussianReplicateState[] {
    return this.states.map((s) => ({ mean: s.mean.slice(), variance: s.variance.slice() }));
  }

  /** What carries over to the next generation: every replicate's model. */
  snapshot(): Snapshot {
    return joinSnapshots(this.states);
  }

  restore(snapshot: Snapshot): void {
    splitSnapshot(snapshot, this.states.length).forEach((part, c) => {
      const state = this.states[c];
      state.mean.set(snapshotArray(part, 'mean', Float64Array, state.mean.length));
      state.variance.set(snapshotArray(part, 'variance', Float64Array, state.variance.length));
    });
  }

  /** Nothing to release: the twin's state is ordinary memory. */
  destroy(): void {}

  /** Draws generation t's n samples of replicate r, refits `mean` in place and returns the new variance. */
  private refit(c: number, r: number, t: number, mean: Float64Array, v: number): number {
    const cell = this.cells[c], { dim, n, candidates: K } = cell, fresh = cell.realCounts[t];
    const { target, tau } = this.rewards[c];
    const draws = new Draws(this.key, this.firstReplicate + r, t);
    const sd = Math.sqrt(v), twoTau2 = 2 * tau * tau;
    const sum = new Float64Array(dim), x = new Float64Array(dim), kept = new Float64Array(dim);
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      if (i < fresh) {
        for (let l = 0; l < dim; l++) kept[l] = draws.normal(i * K * dim + l);
      } else {
        let best = -Infinity;
        for (let j = 0; j < K; j++) {
          let d2 = 0;
          for (let l = 0; l < dim; l++) {
            x[l] = mean[l] + sd * draws.normal((i * K + j) * dim + l);
            d2 += (x[l] - target[l]) ** 2;
          }
          const score = -d2 / twoTau2 - Math.log(-Math.log(draws.uniform(i * K + j)));
          if (score > best) {
            best = score;
            kept.set(x);
          }
        }
      }
      for (let l = 0; l < dim; l++) {
        const d = kept[l] - mean[l];
        sum[l] += d;
        sumSquares += d * d;
      }
    }
    let shift2 = 0;
    for (let l = 0; l < dim; l++) {
      const shift = sum[l] / n;
      mean[l] += shift;
      shift2 += shift * shift;
    }
    return Math.max(sumSquares / (n * dim) - shift2 / dim, VARIANCE_FLOOR);
  }
}
