/**
 * Closed forms of docs/science.md §1 for the linear retraining loop, for tests and overlays.
 * Each returns null where its assumptions do not hold, never a made-up value.
 */
import type { ResolvedLinearSpec } from './spec.js';
import type { ClosedForm } from '../../core/engine/model.js';
import { scienceSource } from '../../core/theory/science.js';
import { olsRisk } from '../../core/theory/ols.js';

const identityOls = (spec: ResolvedLinearSpec) =>
  spec.spectrum.kind === 'identity' && spec.verifier.kind === 'none' && spec.schedule.ridgeLambda.every((l) => l === 0);

/**
 * E‖X⁺ε‖² for the minimum-norm fit of n < d Gaussian rows (Σ = I): σ²·E tr((XXᵀ)⁻¹) = σ²n/(d − n − 1),
 * XXᵀ being Wishart with d degrees of freedom; finite for d > n + 1.
 */
export function minimumNormVariance(sigma: number, d: number, n: number): number | null {
  return d > n + 1 ? (sigma * sigma * n) / (d - n - 1) : null;
}

/**
 * Replace mode, fresh design, Σ = I, no ridge (exact in expectation, docs/science.md §1):
 * e_t = p_t·e_{t−1} + (1 − p_t)‖θ*‖² + v_t from e_{−1} = 0, where a fit of n_t samples keeps the
 * fraction p_t = min(n_t, d)/d of the previous labeller (its projection onto a random n_t-dimensional
 * row space) and adds the noise v_t = σ_t²d/(n_t − d − 1) (OLS, n_t > d + 1) or σ_t²n_t/(d − n_t − 1)
 * (minimum-norm, n_t < d − 1). With OLS throughout, risk_t = σ²d/(n₀ − d − 1) + Σ_{s=1..t} σ_s²d/(n_s − d − 1);
 * with n < d the error tends to ‖θ*‖² + v/(1 − n/d) geometrically at rate n/d. Here mse = risk.
 */
export function replaceRisk(spec: ResolvedLinearSpec, t: number): number | null {
  if (spec.mode !== 'replace' || spec.design !== 'fresh' || !identityOls(spec)) return null;
  const { d } = spec;
  const signal = signalNorm2(spec);
  let risk = 0;
  for (let s = 0; s <= t; s++) {
    const n = spec.schedule.n[s], sigma = s === 0 ? spec.sigma : spec.syntheticSigma;
    const noise = n >= d ? olsRisk(sigma, d, n) : minimumNormVariance(sigma, d, n);
    if (noise === null) return null;
    risk = n >= d ? risk + noise : (n / d) * risk + (1 - n / d) * signal + noise;
  }
  return risk;
}

/** ‖θ*‖²: 1 for the seeded random unit vector. */
const signalNorm2 = (spec: ResolvedLinearSpec) => (spec.theta.kind === 'given' ? spec.theta.values.reduce((sum, v) => sum + v * v, 0) : 1);

/**
 * Replace mode, fixed design, Σ = I, no ridge, n_t = n₀ = n for all t (exact in expectation): every
 * generation refits the same X, so θ̂_t = PX θ* + X⁺(ε₀ + … + ε_t) with P the projection onto X's row
 * space (I when n ≥ d), and risk_t = (1 − min(n, d)/d)‖θ*‖² + (σ² + t·σ_s²)·c with c = d/(n − d − 1)
 * (OLS) or n/(d − n − 1) (minimum-norm): linear growth from the first refit on, no geometric phase.
 */
export function replaceFixedRisk(spec: ResolvedLinearSpec, t: number): number | null {
  const n = spec.schedule.n[0];
  if (spec.mode !== 'replace' || spec.design !== 'fixed' || !identityOls(spec) || spec.schedule.n.some((v) => v !== n)) return null;
  const perUnitNoise = n >= spec.d ? olsRisk(1, spec.d, n) : minimumNormVariance(1, spec.d, n);
  if (perUnitNoise === null) return null;
  return (1 - Math.min(n, spec.d) / spec.d) * signalNorm2(spec) + (spec.sigma ** 2 + t * spec.syntheticSigma ** 2) * perUnitNoise;
}

/**
 * Accumulate mode, fixed design, Σ = I, σ_s = σ, n₀ = n (Gerstgrasser et al.):
 * risk_t = c·Σ_{i=1..t+1} 1/i², c = σ²d/(n − d − 1); bounded by c·π²/6.
 */
export function accumulateFixedRisk(spec: ResolvedLinearSpec, t: number): number | null {
  const n = spec.schedule.n[0];
  if (spec.mode !== 'accumulate' || spec.design !== 'fixed' || !identityOls(spec)) return null;
  if (spec.syntheticSigma !== spec.sigma || spec.schedule.n.some((v) => v !== n)) return null;
  const c = olsRisk(spec.sigma, spec.d, n);
  if (c === null) return null;
  let sum = 0;
  for (let i = 1; i <= t + 1; i++) sum += 1 / (i * i);
  return c * sum;
}

/** The closed form that applies to this spec at generation t, if any. */
export function linearTheory(spec: ResolvedLinearSpec, t: number): number | null {
  return replaceRisk(spec, t) ?? replaceFixedRisk(spec, t) ?? accumulateFixedRisk(spec, t);
}

/** The exact expected risk curve (the mse too where Σ = I) where docs/science.md gives one, else null. */
export function linearClosedForm(spec: ResolvedLinearSpec): ClosedForm | null {
  const ts = Array.from({ length: spec.generations + 1 }, (_, t) => t);
  const replace = ts.map((t) => replaceRisk(spec, t));
  if (replace.every((v) => v !== null)) {
    const fit = spec.schedule.n.some((n) => n < spec.d) ? 'least squares, minimum-norm where n < d' : 'OLS';
    return { metric: 'risk', source: scienceSource(1, `replace, fresh design, Σ = I, ${fit} (Dohmatob et al.)`), values: replace as number[] };
  }
  const fixed = ts.map((t) => replaceFixedRisk(spec, t));
  if (fixed.every((v) => v !== null)) {
    return { metric: 'risk', source: scienceSource(1, 'replace, fixed design, Σ = I, least squares'), values: fixed as number[] };
  }
  const accumulate = ts.map((t) => accumulateFixedRisk(spec, t));
  if (accumulate.every((v) => v !== null)) {
    return { metric: 'risk', source: scienceSource(1, 'accumulate, fixed design, Σ = I (Gerstgrasser et al.)'), values: accumulate as number[] };
  }
  return null;
}
