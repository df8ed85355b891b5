/**
 * Statistics every model's finisher uses (float64, the same for both backends).
 */
import type { Estimate } from './result.js';

/** Standard error of a mean from a sum and a sum of squares over n values (divisor n − 1). */
export function standardError(sum: number, sumSquares: number, n: number): Estimate {
  if (n < 2) return null;
  const mean = sum / n;
  const variance = Math.max(0, (sumSquares - n * mean * mean) / (n - 1));
  return Math.sqrt(variance / n);
}
