// Sample moments with their large-sample standard errors under a standard normal:
// SE(mean) = 1/√n, SE(var) = √(2/n), SE(skew) = √(6/n), SE(excess kurtosis) = √(24/n).

export function momentsWithStandardErrors(chunks: readonly ArrayLike<number>[]) {
  let n = 0, s1 = 0;
  for (const c of chunks) for (let i = 0; i < c.length; i++) { s1 += c[i]; n++; }
  const mean = s1 / n;
  let m2 = 0, m3 = 0, m4 = 0;
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++) {
      const d = c[i] - mean, d2 = d * d;
      m2 += d2; m3 += d2 * d; m4 += d2 * d2;
    }
  }
  m2 /= n; m3 /= n; m4 /= n;
  return {
    count: n,
    mean, meanSE: 1 / Math.sqrt(n),
    variance: m2, varianceSE: Math.sqrt(2 / n),
    skewness: m3 / m2 ** 1.5, skewnessSE: Math.sqrt(6 / n),
    excessKurtosis: m4 / (m2 * m2) - 3, excessKurtosisSE: Math.sqrt(24 / n),
  };
}

/** Upper-tail quantile of χ²(k) by the Wilson–Hilferty approximation (accurate for k ≥ 30). */
export function chiSquareUpperQuantile(k: number, tail: number): number {
  const z = normalUpperQuantile(tail);
  const c = 2 / (9 * k);
  return k * (1 - c + z * Math.sqrt(c)) ** 3;
}

/** z with P(Z > z) = tail, by bisection on the complementary error function. */
export function normalUpperQuantile(tail: number): number {
  let lo = 0, hi = 40;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (0.5 * erfc(mid / Math.SQRT2) > tail) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}

/** erfc with relative error < 1.2e-7 (Numerical Recipes' Chebyshev fit). */
export function erfc(x: number): number {
  const z = Math.abs(x), t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}
