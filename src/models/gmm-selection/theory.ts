/**
 * Closed forms of docs/science.md §3 (Feng et al. 2024) for selection before training a
 * least-squares classifier on a two-class Gaussian mixture, for tests and overlays.
 *
 * Setting: y = ±1 equiprobable, x = yμ + z, z ~ N(0, I_d), ‖μ‖ = m. Generation 0's generator
 * flips y with probability p; a selector keeps a correctly labelled pair with probability ϕ and
 * a wrong one with ψ (rates), or keeps (x, ŷ) iff ŷ·w_vᵀx > 0 for a unit w_v at angle θ from μ
 * (linear verifier). Writing x = y(μ + u) with u = yz ~ N(0, I) independent of y, and v = w_vᵀu,
 * a correct pair is kept iff c + v > 0 and a wrong one iff c + v < 0, with c = m cos θ:
 *   ϕ = Φ(m cos θ),  ψ = 1 − Φ(m cos θ).
 * Each function returns null where its assumptions do not hold, never a made-up value.
 */
import type { ResolvedGmmSelectionSpec } from './spec.js';
import type { ClosedForm } from '../../core/engine/model.js';
import { scienceSource } from '../../core/theory/science.js';

/**
 * The standard normal CDF Φ(x) = ½·erfc(−x/√2), erfc by the Chebyshev fit of Press et al.,
 * Numerical Recipes §6.2 (`erfcc`): relative error < 1.2·10⁻⁷ for every argument. The kernel
 * evaluates the same formula in f32 (normal_cdf in shaders/gmm-selection/gmm_selection.wgsl) and the float64
 * twin uses this function, so both backends compute the same accuracy from the same w.
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x) * Math.SQRT1_2;
  const t = 1 / (1 + 0.5 * z);
  const tail = 0.5 * t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x > 0 ? 1 - tail : tail;
}

const normalDensity = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/** Bayes accuracy Φ(‖μ‖): the best any classifier reaches. */
export const bayesAccuracy = (meanNorm: number) => normalCdf(meanNorm);

/** Keep probabilities of a correctly (ϕ) and a wrongly (ψ) labelled pair at generation 0. */
export function selectorRates(spec: Pick<ResolvedGmmSelectionSpec, 'selector' | 'meanNorm'>): { keepCorrect: number; keepWrong: number } {
  const { selector } = spec;
  if (selector.kind === 'none') return { keepCorrect: 1, keepWrong: 1 };
  if (selector.kind === 'rates') return { keepCorrect: selector.keepCorrect, keepWrong: selector.keepWrong };
  const keepCorrect = normalCdf(spec.meanNorm * Math.cos(selector.angle));
  return { keepCorrect, keepWrong: 1 - keepCorrect };
}

/** Breakdown point p* = 1/(1 + ψ/ϕ) = ϕ/(ϕ + ψ): 1/2 without selection, 1 for an oracle (ψ = 0). */
export function breakdownPoint(keepCorrect: number, keepWrong: number): number | null {
  return keepCorrect + keepWrong > 0 ? keepCorrect / (keepCorrect + keepWrong) : null;
}

/**
 * (1 − p)ϕ − pψ for selection by rates (none: ϕ = ψ = 1): the weight of μ in E[ŷx·1{kept}], whose
 * sign says which side of p* the flip rate lies. Within float64 rounding of 0 (a sweep value
 * 0.5 + 0.25 that lands next to p* = 0.75) it is 0: p = p*.
 */
function ratesSignal(spec: ResolvedGmmSelectionSpec): number {
  const { keepCorrect, keepWrong } = selectorRates(spec);
  const correct = (1 - spec.flipRate) * keepCorrect, wrong = spec.flipRate * keepWrong;
  return Math.abs(correct - wrong) <= 1e-12 * (correct + wrong) ? 0 : correct - wrong;
}

/** Exact E[kept/n] at generation 0: (1 − p)ϕ + pψ. */
export function expectedKeptFraction(spec: ResolvedGmmSelectionSpec): number {
  const { keepCorrect, keepWrong } = selectorRates(spec);
  return (1 - spec.flipRate) * keepCorrect + spec.flipRate * keepWrong;
}

/**
 * The population least-squares classifier at generation 0 (n → ∞, any fixed ridge), as its
 * coordinates (along μ/m, along the verifier's component orthogonal to μ), per offered sample:
 * w* = M⁻¹b with b = E[ŷx·1{kept}] and M = E[xxᵀ·1{kept}]. In the basis above, with
 * P = Φ(c), φ = φ(c), κ = (1 − p)P + p(1 − P), e₁ = E[v·1{kept}] = (1 − 2p)φ and
 * e₂ = E[v²·1{kept}] = κ − (1 − 2p)cφ:
 *   b = μ[(1 − p)P − p(1 − P)] + w_v φ,   M = κ(I + μμᵀ) + e₁(μw_vᵀ + w_vμᵀ) + (e₂ − κ)w_v w_vᵀ.
 * Selection by rates is independent of x given correctness: b = ((1 − p)ϕ − pψ)μ, M = κ(I + μμᵀ).
 * Directions orthogonal to both μ and w_v carry nothing, so w* lies in their plane.
 */
export function populationClassifier(spec: ResolvedGmmSelectionSpec): { b: [number, number]; M: [[number, number], [number, number]]; w: [number, number] } {
  const m = spec.meanNorm, p = spec.flipRate;
  let b: [number, number];
  let M: [[number, number], [number, number]];
  if (spec.selector.kind === 'linear') {
    const { angle } = spec.selector;
    const c = m * Math.cos(angle), P = normalCdf(c), phi = normalDensity(c);
    const kappa = (1 - p) * P + p * (1 - P);
    const e1 = (1 - 2 * p) * phi, e2 = kappa - (1 - 2 * p) * c * phi;
    const wv = [Math.cos(angle), Math.sin(angle)], mu = [m, 0];
    b = [mu[0] * ((1 - p) * P - p * (1 - P)) + wv[0] * phi, wv[1] * phi];
    const entry = (i: number, j: number) => kappa * ((i === j ? 1 : 0) + mu[i] * mu[j]) + e1 * (mu[i] * wv[j] + wv[i] * mu[j]) + (e2 - kappa) * wv[i] * wv[j];
    M = [[entry(0, 0), entry(0, 1)], [entry(1, 0), entry(1, 1)]];
  } else {
    const kappa = expectedKeptFraction(spec);
    b = [ratesSignal(spec) * m, 0];
    M = [[kappa * (1 + m * m), 0], [0, kappa]];
  }
  const det = M[0][0] * M[1][1] - M[0][1] * M[1][0];
  const w: [number, number] = [(M[1][1] * b[0] - M[0][1] * b[1]) / det, (M[0][0] * b[1] - M[1][0] * b[0]) / det];
  return { b, M, w };
}

/** Accuracy Φ(wᵀμ/‖w‖) of a classifier w given in the (μ/m, orthogonal) basis. */
const accuracyOf = (meanNorm: number, w: readonly number[]) => normalCdf((meanNorm * w[0]) / Math.hypot(...w));

/**
 * Accuracy of generation 0's classifier as n → ∞: with selection by rates, Φ(‖μ‖) for p < p* and
 * 1 − Φ(‖μ‖) for p > p*; for a linear verifier, that of the population classifier above. Null at
 * p = p* for rates (w* = 0; there E[accuracy] = 1/2 exactly at every n, see accuracyAtBreakdown).
 */
export function limitAccuracy(spec: ResolvedGmmSelectionSpec): number | null {
  const { w } = populationClassifier(spec);
  return w[0] === 0 && w[1] === 0 ? null : accuracyOf(spec.meanNorm, w);
}

/**
 * Exact E[accuracy] = 1/2 at generation 0 when p = p* under selection by rates, at every n: a kept
 * pair is then equally likely correct or wrong, so flipping every kept label (ŷ → −ŷ) preserves
 * the law of the data while mapping w to −w, whose accuracy is 1 − accuracy(w).
 */
export function accuracyAtBreakdown(spec: ResolvedGmmSelectionSpec): number | null {
  return spec.selector.kind !== 'linear' && ratesSignal(spec) === 0 ? 0.5 : null;
}

/**
 * Leading-order finite-n gap E[accuracy] − limit at generation 0, where w* ∥ μ and selection does
 * not look at the d − 1 directions orthogonal to μ (rates, or a verifier at angle 0 or π), λ = 0.
 * By Frisch–Waugh, those components of ŵ are an OLS fit of the residual r = ŷ − w*₁x₁ on d − 1
 * independent standard normal columns: E‖ŵ_⊥‖² ≈ (d − 1)E[r²]/K over K = κn kept pairs, and
 * Φ(m cos α) ≈ Φ(m) − φ(m)·m·α²/2 with α² ≈ ‖ŵ_⊥‖²/w*₁², so the gap is
 *   ∓ φ(m)·m·(d − 1)·E[r² | kept] / (2κn·w*₁²),   E[r² | kept] = 1 − b₁²/(κM₁₁),  w*₁ = b₁/M₁₁,
 * negative (from below) when w* points along μ and positive (from above) against it.
 * Relative corrections are O(d/(κn)) and O(1/(κn·w*₁²)).
 */
export function finiteSampleAccuracyGap(spec: ResolvedGmmSelectionSpec): number | null {
  const { selector } = spec;
  if (spec.ridgeLambda !== 0) return null;
  if (selector.kind === 'linear' && selector.angle !== 0 && selector.angle !== Math.PI) return null;
  const { b, M } = populationClassifier(spec);
  if (b[0] === 0) return null;
  const m = spec.meanNorm;
  const kappa = expectedKeptFraction(spec);
  const w1 = b[0] / M[0][0];
  const residual = 1 - (b[0] * b[0]) / (kappa * M[0][0]);
  return (-Math.sign(w1) * normalDensity(m) * m * (spec.d - 1) * residual) / (2 * kappa * spec.n * w1 * w1);
}

/**
 * Exact E[kept/n] per generation t = 0..T where it does not depend on the classifiers trained:
 * at t = 0 always ((1 − p)ϕ + pψ); after, when the selector ignores correctness (none, or rates
 * with ϕ = ψ). With ϕ ≠ ψ, generation t ≥ 1 keeps ψ + (ϕ − ψ)·accuracy(w_{t−1}) in expectation,
 * which depends on the run itself.
 */
export function gmmSelectionClosedForm(spec: ResolvedGmmSelectionSpec): ClosedForm | null {
  const { keepCorrect, keepWrong } = selectorRates(spec);
  const blind = spec.selector.kind !== 'linear' && keepCorrect === keepWrong;
  if (spec.generations > 0 && !blind) return null;
  return {
    metric: 'keptFraction',
    source: scienceSource(3, 'E[kept/n] = (1 − p)ϕ + pψ (Feng et al.)'),
    values: Array.from({ length: spec.generations + 1 }, (_, t) => (t === 0 ? expectedKeptFraction(spec) : keepCorrect)),
  };
}
