/**
 * Exact results for the yi-grid study (docs/science.md §2): the one-dimensional truncated-Gaussian
 * toolkit, the real-data acceptance rate it implies for d = 1, and the OLS loss on real data.
 */
import { olsRisk } from '../../core/theory/ols.js';

/** Standard normal density and distribution function (Φ via erfc, |error| < 1.2e-7). */
export const normalPdf = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2, t = 1 / (1 + 0.5 * z);
  const erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

export interface TruncatedGaussian {
  /** P(accept) = Z = Φ(β) − Φ(α). */
  acceptance: number;
  /** E[ỹ | accept]. */
  mean: number;
  /** Var[ỹ | accept]. */
  variance: number;
}

/** ỹ ~ N(m, σ²) kept iff it lies in [c − h, c + h] (docs/science.md §2's toolkit). */
export function truncatedGaussian(m: number, sigma: number, c: number, h: number): TruncatedGaussian {
  const alpha = (c - h - m) / sigma, beta = (c + h - m) / sigma;
  const Z = normalCdf(beta) - normalCdf(alpha);
  const ratio = (normalPdf(alpha) - normalPdf(beta)) / Z;
  return {
    acceptance: Z,
    mean: m + sigma * ratio,
    variance: sigma * sigma * (1 + (alpha * normalPdf(alpha) - beta * normalPdf(beta)) / Z - ratio * ratio),
  };
}

/**
 * d = 1: the fraction of real samples the verifier accepts, E_x Z(x) with x ~ N(0, 1),
 * m = xθ*, c = x(θ* + a), h = r|x| + slack (so the acceptance does not depend on θ*),
 * by Gauss–Hermite-free quadrature on a fine grid over |x| ≤ 10.
 */
export function realAcceptRate1D(bias: number, radius: number, slack: number, sigma: number): number {
  const steps = 20_000, limit = 10, dx = (2 * limit) / steps;
  let total = 0;
  for (let i = 0; i <= steps; i++) {
    const x = -limit + i * dx;
    const weight = (i === 0 || i === steps ? 0.5 : 1) * dx * normalPdf(x);
    total += weight * truncatedGaussian(0, sigma, x * bias, radius * Math.abs(x) + slack).acceptance;
  }
  return total;
}

/** E‖θ̂₀ − θ*‖² for OLS on n₁ real samples: σ²d/(n₁ − d − 1). */
export const realLoss = (sigma: number, d: number, n1: number) => olsRisk(sigma, d, n1);
