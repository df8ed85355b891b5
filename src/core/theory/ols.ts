/** Closed forms of ordinary least squares that more than one model's theory uses. */

/** E tr((XᵀX)⁻¹)·σ² for n Gaussian rows in d dimensions (Σ = I): σ²d/(n − d − 1), finite for n > d + 1. */
export function olsRisk(sigma: number, d: number, n: number): number | null {
  return n > d + 1 ? (sigma * sigma * d) / (n - d - 1) : null;
}
