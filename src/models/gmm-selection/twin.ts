/**
 * Float64 twin of shaders/gmm-selection/gmm_selection.wgsl: one generation of every replicate of every sweep
 * cell — draw, label, select, accumulate, ridge solve, accuracy — on the same random words with
 * the same index mapping (see the kernel's header), plus the per-replicate metric columns.
 */
import type { ResolvedGmmSelectionSpec } from './spec.js';
import { keyFromSeed, Stream, type Key } from '../../core/random/address.js';
import { normals4, randomWords, uniformOpen01 } from '../../core/cpu/random.js';
import { choleskySolve, packedSize } from '../../core/cpu/cholesky.js';
import { emptySums, type MetricSums } from '../../core/engine/metrics.js';
import { snapshotArray, type Snapshot } from '../../core/engine/snapshot.js';
import { normalCdf } from './theory.js';

/** Per-replicate metric columns, also emitted into WGSL as `COLUMN_*` (wgslConstTable). */
export const GmmColumn = {
  /** 1 if the replicate had not failed before this generation. */
  alive: 0,
  /** Kept pairs / n this generation (0 unless alive). */
  keptFraction: 1,
  /** 1 if this generation's solve succeeded (and none before failed). */
  valid: 2,
  /** Φ(wᵀμ/‖w‖), the classifier's population accuracy (0 unless valid). */
  accuracy: 3,
} as const;
export const GMM_COLUMNS = Object.keys(GmmColumn).length;

/**
 * A cell's parameters as the kernel reads them. The coin thresholds are rounded to f32 as on the
 * GPU: the uniforms are exact in f32, so both backends then take identical coin decisions.
 * "none" is the rates selector with ϕ = ψ = 1 (a uniform in (0, 1) is always below 1).
 */
export function kernelCell(spec: ResolvedGmmSelectionSpec) {
  const { selector } = spec;
  const rates = selector.kind === 'rates' ? selector : { keepCorrect: 1, keepWrong: 1 };
  // In one dimension the verifier is ±e₁ (the spec allows only θ = 0 or π there).
  const angle = selector.kind === 'linear' ? selector.angle : 0;
  return {
    meanNorm: spec.meanNorm,
    flipRate: Math.fround(spec.flipRate),
    keepCorrect: Math.fround(rates.keepCorrect),
    keepWrong: Math.fround(rates.keepWrong),
    linear: selector.kind === 'linear',
    verifier: [Math.cos(angle), spec.d > 1 ? Math.sin(angle) : 0] as const,
    ridgeLambda: spec.ridgeLambda,
    samples: spec.n,
  };
}

export class GmmSelectionTwin {
  private readonly d: number;
  private readonly replicates: number;
  private readonly key: Key;
  private readonly kernelCells: ReturnType<typeof kernelCell>[];
  /** w per thread (cell-major, d each). */
  private readonly w: Float64Array;
  private readonly failed: Uint8Array;
  /** The last generation's metric rows per thread (cell-major, GMM_COLUMNS each). */
  private readonly rows: Float64Array;

  /** `cells` share d, generations, replicates and seed (the sweepable fields differ); their replicates are counted from `firstReplicate`. */
  constructor(cells: readonly ResolvedGmmSelectionSpec[], private readonly firstReplicate = 0) {
    const [{ d, replicates, seed }] = cells;
    this.d = d;
    this.replicates = replicates;
    this.key = keyFromSeed(seed);
    this.kernelCells = cells.map(kernelCell);
    const threads = cells.length * replicates;
    this.w = new Float64Array(threads * d);
    this.failed = new Uint8Array(threads);
    this.rows = new Float64Array(threads * GMM_COLUMNS);
  }

  /** w of every replicate (cell-major, d per replicate; stale where a solve failed). */
  estimates(): Float64Array {
    return this.w.slice();
  }

  /** The last generation's metric rows (cell-major, GMM_COLUMNS per replicate). */
  metricRows(): Float64Array {
    return this.rows.slice();
  }

  /** What carries over to the next generation: every replicate's w and failed flag. */
  snapshot(): Snapshot {
    return { w: this.w.slice(), failed: this.failed.slice() };
  }

  restore(snapshot: Snapshot): void {
    this.w.set(snapshotArray(snapshot, 'w', Float64Array, this.w.length));
    this.failed.set(snapshotArray(snapshot, 'failed', Uint8Array, this.failed.length));
  }

  /** Nothing to release: the twin's state is ordinary memory. */
  destroy(): void {}

  /** Runs generation t; returns each cell's column sums. */
  step(t: number): MetricSums[] {
    return this.kernelCells.map((cell, c) => {
      const sums = emptySums(GMM_COLUMNS);
      for (let r = 0; r < this.replicates; r++) {
        const thread = c * this.replicates + r;
        const row = this.rows.subarray(thread * GMM_COLUMNS, (thread + 1) * GMM_COLUMNS);
        row.fill(0);
        if (!this.failed[thread]) this.stepReplicate(cell, thread, this.firstReplicate + r, t, row);
        for (let k = 0; k < GMM_COLUMNS; k++) {
          sums.sum[k] += row[k];
          sums.sumSquares[k] += row[k] * row[k];
        }
      }
      return sums;
    });
  }

  private stepReplicate(cell: ReturnType<typeof kernelCell>, thread: number, replicate: number, t: number, row: Float64Array): void {
    const { d, key } = this;
    const quads = Math.ceil(d / 4);
    const w = this.w.subarray(thread * d, (thread + 1) * d);
    const gram = new Float64Array(packedSize(d));
    const rhs = new Float64Array(d);
    const x = new Float64Array(d);
    let kept = 0;
    for (let i = 0; i < cell.samples; i++) {
      const coins = randomWords(key, replicate, t, Stream.labelNoise, i);
      const y = uniformOpen01(coins[0]) < 0.5 ? 1 : -1;
      let score = 0;
      for (let q = 0; q < quads; q++) {
        const z = normals4(randomWords(key, replicate, t, Stream.inputs, i * quads + q));
        for (let k = 0; k < 4 && q * 4 + k < d; k++) {
          const j = q * 4 + k;
          x[j] = j === 0 ? z[k] + y * cell.meanNorm : z[k];
          score += w[j] * x[j];
        }
      }
      const label = t > 0 ? (score > 0 ? 1 : -1) : uniformOpen01(coins[1]) < cell.flipRate ? -y : y;
      const keep = cell.linear
        ? label * (cell.verifier[0] * x[0] + cell.verifier[1] * (d > 1 ? x[1] : 0)) > 0
        : uniformOpen01(coins[2]) < (label === y ? cell.keepCorrect : cell.keepWrong);
      if (!keep) continue;
      kept++;
      for (let a = 0, p = 0; a < d; a++) {
        for (let b = 0; b <= a; b++, p++) gram[p] += x[a] * x[b];
        rhs[a] += label * x[a];
      }
    }
    row[GmmColumn.alive] = 1;
    row[GmmColumn.keptFraction] = kept / cell.samples;
    const solved = !(cell.ridgeLambda === 0 && kept < d) && choleskySolve(gram, rhs, cell.ridgeLambda, d);
    let norm2 = 0;
    for (let j = 0; j < d; j++) norm2 += rhs[j] * rhs[j];
    if (!solved || !(norm2 > 0)) {
      this.failed[thread] = 1;
      return;
    }
    w.set(rhs);
    row[GmmColumn.valid] = 1;
    row[GmmColumn.accuracy] = normalCdf((cell.meanNorm * w[0]) / Math.sqrt(norm2));
  }
}
