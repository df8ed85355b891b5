/**
 * Float64 twin of shaders/cholesky.wgsl: ridge solve by Cholesky on a packed lower triangle.
 */

/** See shaders/cholesky.wgsl: a pivot at or below this fraction of its diagonal fails the solve. */
export const PIVOT_TOLERANCE = 1e-5;

export const packedIndex = (i: number, j: number) => (i * (i + 1)) / 2 + j;
export const packedSize = (d: number) => (d * (d + 1)) / 2;

/**
 * Solves (A + λI) θ = b in place: `a` (packed lower triangle of A) becomes L, `b` becomes θ.
 * Returns false when A + λI is not positive definite to working precision.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, lambda: number, d: number): boolean {
  for (let j = 0; j < d; j++) {
    const diagonal = a[packedIndex(j, j)] + lambda;
    let pivot = diagonal;
    for (let k = 0; k < j; k++) pivot -= a[packedIndex(j, k)] ** 2;
    if (!(pivot > PIVOT_TOLERANCE * diagonal)) return false;
    const ljj = Math.sqrt(pivot);
    a[packedIndex(j, j)] = ljj;
    for (let i = j + 1; i < d; i++) {
      let s = a[packedIndex(i, j)];
      for (let k = 0; k < j; k++) s -= a[packedIndex(i, k)] * a[packedIndex(j, k)];
      a[packedIndex(i, j)] = s / ljj;
    }
  }
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= a[packedIndex(i, k)] * b[k];
    b[i] = s / a[packedIndex(i, i)];
  }
  for (let i = d - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < d; k++) s -= a[packedIndex(k, i)] * b[k];
    b[i] = s / a[packedIndex(i, i)];
  }
  return true;
}
