/**
 * Closed forms of docs/science.md §1 for the linear retraining loop, for tests and overlays.
 * Each returns null where its assumptions do not hold, never a made-up value.
 */
import type { ResolvedLinearSpec } from './spec.js';
import type { ClosedForm } from '../../core/engine/model.js';
import { scienceSource } from '../../core/theory/science.js';
import { olsRisk } from '../../core/theory/ols.js';

/**
 * Least squares without a verifier, and Σ = I unless every fit is OLS (n ≥ d): an OLS refit adds the
 * noise δ = (XᵀX)⁻¹Xᵀε whatever Σ is, E δᵀΣδ = σ² tr(Σ E(XᵀX)⁻¹) = σ²d/(n − d − 1) (inverse Wishart),
 * so the risk's closed forms hold for the power-law spectrum too; the minimum-norm fit's need Σ = I.
 */
const exactLeastSquares = (spec: ResolvedLinearSpec) =>
  spec.verifier.kind === 'none' && spec.schedule.ridgeLambda.every((l) => l === 0)
  && (spec.spectrum.kind === 'identity' || spec.schedule.n.every((n) => n >= spec.d));

/** The error's norm: the risk (θ̂ − θ*)ᵀΣ(θ̂ − θ*), or the mse ‖θ̂ − θ*‖². */
type ErrorNorm = 'risk' | 'mse';

/**
 * E δᵀAδ per unit σ² of the OLS noise of n rows (A = Σ for the risk, I for the mse):
 * tr(AΣ⁻¹)/(n − d − 1), i.e. d/(n − d − 1) for the risk and Σ_j 1/Σ_jj /(n − d − 1) for the mse.
 */
function olsNoise(spec: ResolvedLinearSpec, n: number, norm: ErrorNorm): number | null {
  const risk = olsRisk(1, spec.d, n);
  if (risk === null || norm === 'risk' || spec.spectrum.kind === 'identity') return risk;
  const { exponent } = spec.spectrum;
  let trace = 0;
  for (let j = 1; j <= spec.d; j++) trace += j ** exponent;
  return (risk * trace) / spec.d;
}

/**
 * E‖X⁺ε‖² for the minimum-norm fit of n < d Gaussian rows (Σ = I): σ²·E tr((XXᵀ)⁻¹) = σ²n/(d − n − 1),
 * XXᵀ being Wishart with d degrees of freedom; finite for d > n + 1.
 */
export function minimumNormVariance(sigma: number, d: number, n: number): number | null {
  return d > n + 1 ? (sigma * sigma * n) / (d - n - 1) : null;
}

/**
 * Replace mode, fresh design, no ridge (exact in expectation, docs/science.md §1):
 * e_t = p_t·e_{t−1} + (1 − p_t)‖θ*‖² + v_t from e_{−1} = 0, where a fit of n_t samples keeps the
 * fraction p_t = min(n_t, d)/d of the previous labeller (its projection onto a random n_t-dimensional
 * row space) and adds the noise v_t = σ_t²d/(n_t − d − 1) (OLS, n_t > d + 1) or σ_t²n_t/(d − n_t − 1)
 * (minimum-norm, n_t < d − 1, Σ = I). With OLS throughout, risk_t = σ²d/(n₀ − d − 1) + Σ_{s=1..t} σ_s²d/(n_s − d − 1)
 * for any Σ (the mse: d replaced by tr Σ⁻¹); with n < d the error tends to ‖θ*‖² + v/(1 − n/d)
 * geometrically at rate n/d.
 */
export function replaceRisk(spec: ResolvedLinearSpec, t: number, norm: ErrorNorm = 'risk'): number | null {
  if (spec.mode !== 'replace' || spec.design !== 'fresh' || !exactLeastSquares(spec)) return null;
  const { d } = spec;
  const signal = signalNorm2(spec);
  let risk = 0;
  for (let s = 0; s <= t; s++) {
    const n = spec.schedule.n[s], sigma = s === 0 ? spec.sigma : spec.syntheticSigma;
    const perUnit = n >= d ? olsNoise(spec, n, norm) : minimumNormVariance(1, d, n);
    if (perUnit === null) return null;
    const noise = sigma * sigma * perUnit;
    risk = n >= d ? risk + noise : (n / d) * risk + (1 - n / d) * signal + noise;
  }
  return risk;
}

/** ‖θ*‖²: 1 for the seeded random unit vector. */
const signalNorm2 = (spec: ResolvedLinearSpec) => (spec.theta.kind === 'given' ? spec.theta.values.reduce((sum, v) => sum + v * v, 0) : 1);

/**
 * Replace mode, fixed design, no ridge, n_t = n₀ = n for all t (exact in expectation): every
 * generation refits the same X, so θ̂_t = PX θ* + X⁺(ε₀ + … + ε_t) with P the projection onto X's row
 * space (I when n ≥ d), and risk_t = (1 − min(n, d)/d)‖θ*‖² + (σ² + t·σ_s²)·c with c = d/(n − d − 1)
 * (OLS, any Σ; the mse's c has tr Σ⁻¹ for d) or n/(d − n − 1) (minimum-norm, Σ = I): linear growth from
 * the first refit on, no geometric phase.
 */
export function replaceFixedRisk(spec: ResolvedLinearSpec, t: number, norm: ErrorNorm = 'risk'): number | null {
  const n = spec.schedule.n[0];
  if (spec.mode !== 'replace' || spec.design !== 'fixed' || !exactLeastSquares(spec) || spec.schedule.n.some((v) => v !== n)) return null;
  const perUnitNoise = n >= spec.d ? olsNoise(spec, n, norm) : minimumNormVariance(1, spec.d, n);
  if (perUnitNoise === null) return null;
  return (1 - Math.min(n, spec.d) / spec.d) * signalNorm2(spec) + (spec.sigma ** 2 + t * spec.syntheticSigma ** 2) * perUnitNoise;
}

/**
 * Accumulate mode, fixed design, σ_s = σ, n₀ = n (Gerstgrasser et al.), any Σ:
 * risk_t = c·Σ_{i=1..t+1} 1/i², c = σ²d/(n − d − 1) (the mse's has tr Σ⁻¹ for d); bounded by c·π²/6.
 */
export function accumulateFixedRisk(spec: ResolvedLinearSpec, t: number, norm: ErrorNorm = 'risk'): number | null {
  const n = spec.schedule.n[0];
  if (spec.mode !== 'accumulate' || spec.design !== 'fixed' || !exactLeastSquares(spec)) return null;
  if (spec.syntheticSigma !== spec.sigma || spec.schedule.n.some((v) => v !== n)) return null;
  const perUnit = olsNoise(spec, n, norm);
  if (perUnit === null) return null;
  const c = spec.sigma ** 2 * perUnit;
  let sum = 0;
  for (let i = 1; i <= t + 1; i++) sum += 1 / (i * i);
  return c * sum;
}

/** The closed form of the risk (or the mse) that applies to this spec at generation t, if any. */
export function linearTheory(spec: ResolvedLinearSpec, t: number, norm: ErrorNorm = 'risk'): number | null {
  return replaceRisk(spec, t, norm) ?? replaceFixedRisk(spec, t, norm) ?? accumulateFixedRisk(spec, t, norm);
}

/** Which loop's closed form applies, in words for its source line, or null. */
function theoryName(spec: ResolvedLinearSpec): string | null {
  const spectrum = spec.spectrum.kind === 'identity' ? 'Σ = I' : `Σ = diag(j^−${spec.spectrum.exponent})`;
  if (replaceRisk(spec, 0) !== null) {
    const fit = spec.schedule.n.some((n) => n < spec.d) ? 'least squares, minimum-norm where n < d' : 'OLS';
    return `replace, fresh design, ${spectrum}, ${fit} (Dohmatob et al.)`;
  }
  if (replaceFixedRisk(spec, 0) !== null) return `replace, fixed design, ${spectrum}, least squares`;
  if (accumulateFixedRisk(spec, 0) !== null) return `accumulate, fixed design, ${spectrum} (Gerstgrasser et al.)`;
  return null;
}

/**
 * The exact expected risk and mse curves where docs/science.md gives them (none elsewhere); they are
 * equal for Σ = I and differ for a power-law Σ.
 */
export function linearClosedForms(spec: ResolvedLinearSpec): ClosedForm[] {
  const name = theoryName(spec);
  if (name === null) return [];
  const ts = Array.from({ length: spec.generations + 1 }, (_, t) => t);
  const curve = (norm: ErrorNorm) => ts.map((t) => linearTheory(spec, t, norm));
  const risk = curve('risk');
  if (risk.some((v) => v === null)) return [];
  const mse = curve('mse') as number[];
  const mseName = spec.spectrum.kind === 'identity' ? `${name}, ‖θ̂ − θ*‖² = the risk for Σ = I` : `${name}, ‖θ̂ − θ*‖²: tr Σ⁻¹ in place of d`;
  return [
    { metric: 'risk', source: scienceSource(1, name), values: risk as number[] },
    { metric: 'mse', source: scienceSource(1, mseName), values: mse },
  ];
}

/** The risk's closed form (the first of linearClosedForms), or null. */
export function linearClosedForm(spec: ResolvedLinearSpec): ClosedForm | null {
  return linearClosedForms(spec)[0] ?? null;
}
