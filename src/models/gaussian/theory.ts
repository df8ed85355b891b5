/**
 * Closed forms of docs/science.md §5 for Gaussian refitting, for tests and overlays.
 *
 * Generation indexing: the engine's generation t = 0 is the fit to M samples of the true
 * N(μ, σ²I), which is docs/science.md's g = 1; so the formulas below are evaluated at g = t + 1.
 *
 * Derivation (σ̂²_0 = σ², μ̂_0 = μ; W_g the scatter matrix of generation g's standard normals z,
 * Wishart(M − 1, I) and independent of their mean z̄_g ~ N(0, I/M); L_{g−1} any square root of Σ̂_{g−1}):
 *   μ̂_g = μ̂_{g−1} + L_{g−1} z̄_g,   Σ̂_g = L_{g−1} (W_g / k) L_{g−1}ᵀ,   k = M (MLE) or M − 1 (unbiased).
 * With a = E[W]/k = (M − 1)/k per coordinate:
 *   E Σ̂_g = a E Σ̂_{g−1} = a^g σ² I, so E tr Σ̂_g / dim = a^g σ².
 *   E ‖μ̂_g − μ‖² = Σ_{j<g} E tr Σ̂_j / M = (dim σ²/M) Σ_{j<g} a^j
 *     = dim σ² (1 − a^g) for the MLE (1 − a = 1/M), and g·dim·σ²/M for the unbiased estimator.
 * (docs/science.md's E(μ̂_g − μ)² = σ²(1 − ((M−1)/M)^g) is this with dim = 1: exact.)
 * In one dimension σ̂²_g = σ² Π_{j≤g} W_j/k with W_j ~ χ²_{M−1} independent, and E log χ²_ν = ψ(ν/2) + ln 2, so
 *   E log σ̂²_g = log σ² + g [ψ((M−1)/2) + ln(2/k)]   (k = M − 1: docs/science.md's unbiased form; k = M: the MLE's).
 * For dim > 1 only g = 1 is exact: tr W_1 ~ χ²_{dim(M−1)}, so E log(tr Σ̂_1/dim) = log σ² + ψ(dim(M−1)/2) + ln(2/(dim·k)).
 * Later generations are not: Σ̂_{g−1} is no longer isotropic, so tr(L W Lᵀ) is not a scaled χ².
 */
import type { ResolvedGaussianSpec } from './spec.js';
import type { ClosedForm } from '../../core/engine/model.js';
import { scienceSource } from '../../core/theory/science.js';

/**
 * Digamma ψ(x) for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the asymptotic
 * series ln x − 1/(2x) − Σ_{n≤5} B_2n/(2n x^2n), whose first omitted term is below 3e-14 there.
 */
export function digamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`digamma: x must be > 0, got ${x}`);
  let shift = 0;
  while (x < 10) {
    shift -= 1 / x;
    x += 1;
  }
  const x2 = 1 / (x * x);
  const series = x2 * (1 / 12 - x2 * (1 / 120 - x2 * (1 / 252 - x2 * (1 / 240 - x2 * (1 / 132)))));
  return shift + Math.log(x) - 1 / (2 * x) - series;
}

/** k: what the sum of squared deviations is divided by. */
export function varianceDivisor(spec: Pick<ResolvedGaussianSpec, 'm' | 'estimator'>): number {
  return spec.estimator === 'mle' ? spec.m : spec.m - 1;
}

/** a = (M − 1)/k: the factor by which each generation multiplies the expected covariance. */
function contraction(spec: ResolvedGaussianSpec): number {
  return (spec.m - 1) / varianceDivisor(spec);
}

/** E tr Σ̂ / dim at generation t: ((M−1)/k)^(t+1) σ² (σ² for the unbiased estimator). */
export function expectedVariance(spec: ResolvedGaussianSpec, t: number): number {
  return contraction(spec) ** (t + 1) * spec.sigma ** 2;
}

/** E ‖μ̂ − μ‖² at generation t: dim σ² (1 − ((M−1)/M)^(t+1)) for the MLE, (t + 1)·dim·σ²/M unbiased. */
export function expectedMeanErr2(spec: ResolvedGaussianSpec, t: number): number {
  const g = t + 1, a = contraction(spec);
  const scale = spec.dim * spec.sigma ** 2;
  return spec.estimator === 'mle' ? scale * (1 - a ** g) : (g * scale) / spec.m;
}

/** E log(tr Σ̂ / dim) at generation t where it is exact (dim = 1, or t = 0), else null. */
export function expectedLogVariance(spec: ResolvedGaussianSpec, t: number): number | null {
  const k = varianceDivisor(spec), logSigma2 = 2 * Math.log(spec.sigma);
  if (spec.dim === 1) return logSigma2 + (t + 1) * (digamma((spec.m - 1) / 2) + Math.log(2 / k));
  if (t === 0) return logSigma2 + digamma((spec.dim * (spec.m - 1)) / 2) + Math.log(2 / (spec.dim * k));
  return null;
}

/**
 * Every closed-form curve that holds at all generations t = 0..T of this spec, the headline first:
 * the MLE's decaying E σ̂²; for the unbiased estimator, whose E σ̂² stays flat, the drifting
 * E log σ̂² (dim = 1) or the linearly growing E‖μ̂ − μ‖².
 */
export function gaussianClosedForms(spec: ResolvedGaussianSpec): ClosedForm[] {
  const ts = Array.from({ length: spec.generations + 1 }, (_, t) => t);
  const estimator = spec.estimator === 'mle' ? 'MLE' : 'unbiased';
  const curves: ClosedForm[] = [
    { metric: 'varMean', source: scienceSource(5, `${estimator} variance, E σ̂²_g = ((M−1)/k)^g σ², g = t + 1`), values: ts.map((t) => expectedVariance(spec, t)) },
    {
      metric: 'meanErr2',
      source: scienceSource(5, `${estimator}, E‖μ̂_g − μ‖² = ${spec.estimator === 'mle' ? 'dim·σ²(1 − ((M−1)/M)^g)' : 'g·dim·σ²/M'}, g = t + 1`),
      values: ts.map((t) => expectedMeanErr2(spec, t)),
    },
  ];
  if (spec.dim === 1) {
    curves.push({
      metric: 'logVarMean',
      source: scienceSource(5, `E log σ̂²_g = g[ψ((M−1)/2) + ln(2/k)] + log σ², k = ${spec.estimator === 'mle' ? 'M' : 'M − 1'}, g = t + 1`),
      values: ts.map((t) => expectedLogVariance(spec, t)!),
    });
  }
  const headline = spec.estimator === 'mle' ? 'varMean' : spec.dim === 1 ? 'logVarMean' : 'meanErr2';
  return [...curves.filter((c) => c.metric === headline), ...curves.filter((c) => c.metric !== headline)];
}
