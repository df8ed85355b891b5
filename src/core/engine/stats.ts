/**
 * Finishing a generation's statistics from the metric sums (float64), for both backends.
 */
import { Metric, type MetricSums } from './metrics.js';
import type { Estimate, GenerationStats } from './result.js';

/** Standard error of a mean from a sum and a sum of squares over n values (divisor n − 1). */
export function standardError(sum: number, sumSquares: number, n: number): Estimate {
  if (n < 2) return null;
  const mean = sum / n;
  const variance = Math.max(0, (sumSquares - n * mean * mean) / (n - 1));
  return Math.sqrt(variance / n);
}

export function finishGeneration(t: number, sums: MetricSums, d: number, totalReplicates: number, hasVerifier: boolean): GenerationStats {
  const { sum, sumSquares } = sums;
  const n = Math.round(sum[Metric.valid]);
  const mean = (column: number): Estimate => (n > 0 ? sum[column] / n : null);
  let bias2 = 0;
  for (let j = 0; j < d; j++) bias2 += (sum[Metric.delta + j] / n) ** 2;
  const mse = mean(Metric.err2);
  const offered = sum[Metric.offered];
  return {
    t,
    mse,
    mseSE: standardError(sum[Metric.err2], sumSquares[Metric.err2], n),
    bias2: mse === null ? null : bias2,
    // mean ‖δ‖² − ‖mean δ‖² is exactly the mean ‖δ − mean δ‖² with divisor n.
    variance: mse === null ? null : mse - bias2,
    risk: mean(Metric.risk),
    riskSE: standardError(sum[Metric.risk], sumSquares[Metric.risk], n),
    centerDist2: hasVerifier ? mean(Metric.centerDist2) : null,
    centerDist2SE: hasVerifier ? standardError(sum[Metric.centerDist2], sumSquares[Metric.centerDist2], n) : null,
    acceptRate: offered > 0 ? sum[Metric.accepted] / offered : null,
    failed: totalReplicates - n,
    replicates: n,
  };
}
