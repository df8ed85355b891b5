/**
 * Closed forms of docs/science.md §7 (mean estimation from contaminated data), for tests and overlays.
 *
 * Per coordinate, with s² = σ²/n and e_t = estimate − μ, the data mean of generation t is
 *   X_0 = μ + U_0,   X_t = α·μ̂_{t−1} + (1 − α)·μ + U_t   (t ≥ 1),
 * U_t ~ N(0, s²) independent (α·n synthetic samples around the learner's own μ̂_{t−1}, the rest natural).
 *
 * ERM (uniform weight on every sample seen, generations 0..t): μ̂_t = (t·μ̂_{t−1} + X_t)/(t + 1), so
 *   e_t = ((t + α)/(t + 1))·e_{t−1} + U_t/(t + 1),   E e_t² = ((t + α)/(t + 1))²·E e_{t−1}² + s²/(t + 1)²   (exact).
 * Unrolled, e_t = Σ_s U_s/(s + 1)·Π_{j=s+1..t} (j + α)/(j + 1), and Π ≈ ((s + 1)/t)^(1−α), so
 *   α < ½: E e_t² ≈ s²/((1 − 2α)·t);   α = ½: ≈ s²·ln t / t;   α > ½: ≈ C·s²·t^(−2(1−α))   (asymptotic).
 *
 * Weighted (an assumption of this engine, see docs/science.md §7: the best linear unbiased combination
 * when α is known): each generation t ≥ 1 gives the unbiased Z_t = (X_t − α·μ̂_{t−1})/(1 − α) = μ + U_t/(1 − α),
 * generation 0 gives X_0; weighting by inverse variance (1 and (1 − α)²),
 *   μ̂_t = (X_0 + (1 − α)² Σ_{s=1..t} Z_s) / (1 + t(1 − α)²),   E e_t² = s² / (1 + t(1 − α)²)   (exact),
 * a 1/t rate for every α < 1.
 *
 * Both estimators' E‖μ̂_t − μ‖² are dim times the per-coordinate value.
 */
import type { ResolvedAminErmSpec } from './spec.js';
import type { ClosedForm } from '../../core/engine/model.js';
import { scienceSource } from '../../core/theory/science.js';

/** Section of docs/science.md these closed forms are written in. */
export const SCIENCE_SECTION = 7;

type Params = Pick<ResolvedAminErmSpec, 'dim' | 'n' | 'alpha' | 'sigma'>;

/** E‖μ̂_t − μ‖² of ERM for t = 0..T (exact, from the recursion). */
export function ermMeanErr2(spec: Params, generations: number): number[] {
  const s2 = spec.sigma ** 2 / spec.n, out: number[] = [];
  let v = s2;
  out.push(spec.dim * v);
  for (let t = 1; t <= generations; t++) {
    const a = (t + spec.alpha) / (t + 1);
    v = a * a * v + s2 / ((t + 1) * (t + 1));
    out.push(spec.dim * v);
  }
  return out;
}

/** E‖μ̂_t − μ‖² of the weighted estimator at generation t (exact): dim·σ²/(n·(1 + t(1 − α)²)). */
export function weightedMeanErr2(spec: Params, t: number): number {
  return (spec.dim * spec.sigma ** 2) / (spec.n * (1 + t * (1 - spec.alpha) ** 2));
}

/**
 * The exponent r of ERM's rate E‖μ̂_t − μ‖² ∝ t^(−r) for large t (asymptotic): 1 for α < ½ (½: 1 with a
 * ln t factor), 2(1 − α) for α > ½. The weighted estimator's is 1 for every α.
 */
export function ermRateExponent(alpha: number): number {
  return Math.min(1, 2 * (1 - alpha));
}

/** ERM's leading term for α < ½ (asymptotic): dim·σ²/(n(1 − 2α)t); null for α ≥ ½ or t = 0. */
export function ermAsymptoticBelowHalf(spec: Params, t: number): number | null {
  return spec.alpha < 0.5 && t > 0 ? (spec.dim * spec.sigma ** 2) / (spec.n * (1 - 2 * spec.alpha) * t) : null;
}

/** Both exact curves at t = 0..T, ERM's (whose rate is the headline) first. */
export function aminErmClosedForms(spec: ResolvedAminErmSpec): ClosedForm[] {
  const ts = Array.from({ length: spec.generations + 1 }, (_, t) => t);
  return [
    { metric: 'erm', source: scienceSource(SCIENCE_SECTION, 'ERM, E e_t² = ((t+α)/(t+1))² E e_{t−1}² + σ²/(n(t+1)²), times dim'), values: ermMeanErr2(spec, spec.generations) },
    { metric: 'weighted', source: scienceSource(SCIENCE_SECTION, 'weighted, E‖μ̂_t − μ‖² = dim·σ²/(n(1 + t(1−α)²))'), values: ts.map((t) => weightedMeanErr2(spec, t)) },
  ];
}
