/**
 * The linear model's per-replicate metric columns and its statistics of a generation, finished
 * from their sums in float64 (both backends).
 */
import { wgslConstTable, type CellSums } from '../../core/engine/metrics.js';
import type { Estimate } from '../../core/engine/result.js';
import { standardError } from '../../core/engine/stats.js';
import type { ResolvedLinearSpec } from './spec.js';

/**
 * Per-replicate metric columns, written by the fused kernel (shaders/linear/linear.wgsl) and its
 * twin (src/models/linear/twin.ts) and summed by the reduction. The same table is emitted into WGSL
 * as `const METRIC_*` so both sides share one layout.
 */
export const LinearColumn = {
  /** 1 if the replicate's solve succeeded (and never failed before), else 0. */
  valid: 0,
  /** ‖θ̂ − θ*‖² (0 unless valid). */
  err2: 1,
  /** (θ̂ − θ*)ᵀ Σ (θ̂ − θ*). */
  risk: 2,
  /** ‖θ̂ − θ_c‖². */
  centerDist2: 3,
  /** Synthetic samples the verifier accepted this generation (replicates alive at its start). */
  accepted: 4,
  /** Synthetic samples offered to the verifier this generation. */
  offered: 5,
  /** θ̂_j − θ*_j for j = 0..d−1 start here (0 unless valid). */
  delta: 6,
} as const;

export const linearColumnCount = (d: number) => LinearColumn.delta + d;

/** The table as the kernels' `METRIC_*` consts. */
export const linearColumnDeclarations = () => wgslConstTable('METRIC', LinearColumn);

/** The linear model's statistics of one generation. */
export type LinearStats = {
  t: number;
  /** Mean ‖θ̂ − θ*‖² over replicates whose solve has not failed. */
  mse: Estimate;
  mseSE: Estimate;
  /** ‖mean θ̂ − θ*‖². */
  bias2: Estimate;
  /** Mean ‖θ̂ − mean θ̂‖² (divisor = replicates counted), so mse = bias2 + variance. */
  variance: Estimate;
  /** Mean (θ̂ − θ*)ᵀ Σ (θ̂ − θ*). */
  risk: Estimate;
  riskSE: Estimate;
  /** Mean ‖θ̂ − θ_c‖² (null without a verifier). */
  centerDist2: Estimate;
  centerDist2SE: Estimate;
  /** Accepted / offered synthetic samples (1 without a verifier); null where none was offered (t = 0). */
  acceptRate: Estimate;
  /** Replicates excluded because a solve failed (now or earlier). */
  failed: number;
  /** Replicates counted in the statistics above. */
  replicates: number;
};

/** ModelDefinition.finish: a cell's generation-t statistics from its column sums over all its replicates. */
export function finish(t: number, cell: ResolvedLinearSpec, { sum, sumSquares }: CellSums): LinearStats {
  const { d, replicates: totalReplicates } = cell;
  const hasVerifier = cell.verifier.kind === 'ball';
  const n = Math.round(sum[LinearColumn.valid]);
  const mean = (column: number): Estimate => (n > 0 ? sum[column] / n : null);
  let bias2 = 0;
  for (let j = 0; j < d; j++) bias2 += (sum[LinearColumn.delta + j] / n) ** 2;
  const mse = mean(LinearColumn.err2);
  const offered = sum[LinearColumn.offered];
  return {
    t,
    mse,
    mseSE: standardError(sum[LinearColumn.err2], sumSquares[LinearColumn.err2], n),
    bias2: mse === null ? null : bias2,
    // mean ‖δ‖² − ‖mean δ‖² is exactly the mean ‖δ − mean δ‖² with divisor n.
    variance: mse === null ? null : mse - bias2,
    risk: mean(LinearColumn.risk),
    riskSE: standardError(sum[LinearColumn.risk], sumSquares[LinearColumn.risk], n),
    centerDist2: hasVerifier ? mean(LinearColumn.centerDist2) : null,
    centerDist2SE: hasVerifier ? standardError(sum[LinearColumn.centerDist2], sumSquares[LinearColumn.centerDist2], n) : null,
    acceptRate: offered > 0 ? sum[LinearColumn.accepted] / offered : null,
    failed: totalReplicates - n,
    replicates: n,
  };
}
