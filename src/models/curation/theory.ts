/**
 * Closed forms of docs/science.md §8 (curated retraining on tokens), for tests and overlays.
 *
 * One curator with positive weights b_k (the kernel's integer weights, ∝ e^{r_k}): a curated token is the
 * candidate kept among K i.i.d. draws from p, candidate x_j with probability b(x_j)/Σ_l b(x_l). Then
 *   H_K(p)_k = P(keep k) = K·p_k·b_k·E[1/(b_k + S)],   S = b(X_1) + … + b(X_{K−1}), X_l ~ p i.i.d.,
 * and since 1/(a + S) = ∫_0^∞ e^{−(a+S)u} du and E e^{−uS} = φ(u)^{K−1} with φ(u) = Σ_j p_j e^{−u b_j},
 *   E[1/(a + S)] = ∫_0^∞ e^{−au} φ(u)^{K−1} du,
 * a one-dimensional integral, done here by the trapezoidal rule in s = ln u (the integrand is analytic
 * and decays like e^s at −∞ and doubly exponentially at +∞, so the rule converges geometrically; the test
 * checks it against enumeration of all V^K candidate tuples to 1e-12). Several curators: Σ_i w_i H_K^i(p).
 *
 * The generation map with a share λ of fresh data: p ↦ λ·P* + (1 − λ)·Σ_i w_i H_K^i(p). With p_0 = P*,
 * E[p̂_1] equals the map at P* exactly (p̂_1 is an average of n draws from it), so every linear functional
 * (expected reward, mass on maximisers) is exact at generation 1 for any n. Later generations feed p̂_{t−1},
 * not its expectation, into a nonlinear map: the population path is their n → ∞ limit (bias O(1/n)).
 *
 * K → ∞ (Ferbach et al.): H_K^i(p)_k → p_k b_k / E_p b, so p ↦ λP* + (1 − λ)·p·Σ_i w_i b_i/E_p b_i. With λ = 0 this
 * is Cover's multiplicative update, which increases Σ_i w_i log E_p b_i every step and converges to its
 * maximiser over the simplex: the weighted Nash bargaining point of the curators (derivation in §8).
 */
import { scienceSource } from '../../core/theory/science.js';
import type { ClosedForm } from '../../core/engine/model.js';

/** Section of docs/science.md these closed forms are written in. */
export const SCIENCE_SECTION = 8;

/** The curator's weight of a token: round(2^CURATOR_WEIGHT_BITS · e^{r − max r}), at least 1 (K ≤ 32 keeps a sum of K below 2³²). */
export const CURATOR_WEIGHT_BITS = 26;

/** Integer curator weights of a reward vector (what both backends choose with, and what the population map uses). */
export function curatorWeights(reward: readonly number[]): Uint32Array {
  const top = Math.max(...reward);
  return Uint32Array.from(reward, (r) => Math.max(1, Math.round(2 ** CURATOR_WEIGHT_BITS * Math.exp(r - top))));
}

/** A curator as the closed forms see it: its share of choices, its weights b (any positive scale) and its reward. */
export interface CuratorForm {
  weight: number;
  b: ArrayLike<number>;
  reward: readonly number[];
}

/** Step of the trapezoidal rule in s = ln u. */
const STEP = 1 / 16;

/**
 * H_K(p) for one curator: the probability that a curated token is k. Tokens with equal weights share
 * one integral; the integral for weight a is evaluated on the same nodes for every a.
 */
export function keepProbabilities(p: ArrayLike<number>, b: ArrayLike<number>, K: number): Float64Array {
  const V = p.length;
  // Renormalised: an error ε in Σp would come back as Kε, and grow K-fold a generation along a path.
  let mass = 0;
  for (let k = 0; k < V; k++) mass += p[k];
  let top = 0, least = Infinity;
  for (let k = 0; k < V; k++) { top = Math.max(top, b[k]); least = Math.min(least, b[k]); }
  const scaled = Float64Array.from({ length: V }, (_, k) => b[k] / top);
  const distinct = [...new Set(scaled)];
  const integral = new Float64Array(distinct.length);
  // The integrand ≤ u^0·e^{−(a + (K−1)·least)u}: negligible (< e^{−45}) beyond u = 45/(K·least); ≈ u below e^{−40}.
  const sLow = -40, sHigh = Math.log(45 / ((least / top) * K));
  for (let s = sLow; s <= sHigh + STEP / 2; s += STEP) {
    const u = Math.exp(s);
    let phi = 0;
    for (let k = 0; k < V; k++) if (p[k] > 0) phi += (p[k] / mass) * Math.exp(-u * scaled[k]);
    const common = u * phi ** (K - 1) * (s === sLow ? 0.5 : 1);
    for (let d = 0; d < distinct.length; d++) integral[d] += common * Math.exp(-u * distinct[d]);
  }
  const out = new Float64Array(V);
  for (let k = 0; k < V; k++) out[k] = K * (p[k] / mass) * scaled[k] * integral[distinct.indexOf(scaled[k])] * STEP;
  return out;
}

/** H_K(p) by enumerating all V^K candidate tuples (tiny V and K only; checks keepProbabilities). */
export function keepProbabilitiesByEnumeration(p: ArrayLike<number>, b: ArrayLike<number>, K: number): Float64Array {
  const V = p.length, out = new Float64Array(V), tuple = new Array<number>(K).fill(0);
  for (let index = 0; index < V ** K; index++) {
    let rest = index, probability = 1, total = 0;
    for (let j = 0; j < K; j++) { tuple[j] = rest % V; rest = Math.floor(rest / V); probability *= p[tuple[j]]; total += b[tuple[j]]; }
    for (let j = 0; j < K; j++) out[tuple[j]] += probability * b[tuple[j]] / total;
  }
  return out;
}

/** One generation of the population map at finite K: λ·P* + (1 − λ)·Σ_i w_i H_K^i(p). */
export function curationMap(p: ArrayLike<number>, pStar: ArrayLike<number>, lambda: number, curators: readonly CuratorForm[], K: number): Float64Array {
  const out = Float64Array.from(pStar, (q) => lambda * q);
  for (const curator of curators) {
    const kept = keepProbabilities(p, curator.b, K);
    for (let k = 0; k < out.length; k++) out[k] += (1 - lambda) * curator.weight * kept[k];
  }
  return out;
}

/** The K → ∞ map: λ·P* + (1 − λ)·p·Σ_i w_i b_i/E_p b_i. */
export function limitMap(p: ArrayLike<number>, pStar: ArrayLike<number>, lambda: number, curators: readonly CuratorForm[]): Float64Array {
  const out = Float64Array.from(pStar, (q) => lambda * q);
  for (const curator of curators) {
    let mean = 0;
    for (let k = 0; k < p.length; k++) mean += p[k] * curator.b[k];
    for (let k = 0; k < p.length; k++) out[k] += (1 - lambda) * curator.weight * p[k] * curator.b[k] / mean;
  }
  return out;
}

const maxChange = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
  return worst;
};

/**
 * p_0 = P*, p_t = the map at λ_t = m_t/n, for t = 0..T (exact in expectation at t ≤ 1, the n → ∞ path after).
 * Once a step moves no probability by more than 1e-15 the path has reached its fixed point and is repeated.
 */
export function populationPath(pStar: ArrayLike<number>, lambdas: readonly number[], curators: readonly CuratorForm[], K: number): Float64Array[] {
  const path: Float64Array[] = [Float64Array.from(pStar)];
  let settled = false;
  for (let t = 1; t < lambdas.length; t++) {
    const previous = path[t - 1];
    if (settled && lambdas[t] === lambdas[t - 1]) { path.push(previous); continue; }
    const next = curationMap(previous, pStar, lambdas[t], curators, K);
    settled = maxChange(next, previous) < 1e-15;
    path.push(next);
  }
  return path;
}

/** The fixed point the K → ∞ map reaches from P* at a constant λ (λ = 0, one curator: P* restricted to argmax b; several: the Nash point). */
export function limitPoint(pStar: ArrayLike<number>, lambda: number, curators: readonly CuratorForm[], iterations = 200_000): Float64Array {
  let p: Float64Array = Float64Array.from(pStar);
  for (let i = 0; i < iterations; i++) {
    const next = limitMap(p, pStar, lambda, curators);
    const change = maxChange(next, p);
    p = next;
    if (change < 1e-15) break;
  }
  return p;
}

/** Σ_i w_i log E_p b_i: the weighted Nash product's logarithm (b to any scale per curator: a constant shift). */
export function nashObjective(p: ArrayLike<number>, curators: readonly CuratorForm[]): number {
  let value = 0;
  for (const curator of curators) {
    let mean = 0;
    for (let k = 0; k < p.length; k++) mean += p[k] * curator.b[k];
    value += curator.weight * Math.log(mean);
  }
  return value;
}

/** The metrics of §8 of a distribution p, as the backends compute them from p̂ (CurationColumn keys). */
export function distributionMetrics(p: ArrayLike<number>, pStar: ArrayLike<number>, curators: readonly CuratorForm[]): Record<string, number> {
  const out: Record<string, number> = { reward: 0, top: 0, divergence: 0, entropy: 0, nash: 0 };
  const tops = curators.map((c) => Math.max(...c.reward));
  for (let k = 0; k < p.length; k++) {
    if (p[k] > 0) {
      out.divergence += p[k] * Math.log(p[k] / pStar[k]);
      out.entropy -= p[k] * Math.log(p[k]);
    }
    if (curators.some((c, i) => c.reward[k] === tops[i])) out.top += p[k];
  }
  curators.forEach((c, i) => {
    let reward = 0, top = 0, exp = 0, expm1 = 0;
    for (let k = 0; k < p.length; k++) {
      reward += p[k] * c.reward[k];
      exp += p[k] * Math.exp(c.reward[k] - tops[i]);
      expm1 += p[k] * Math.expm1(c.reward[k] - tops[i]);
      if (c.reward[k] === tops[i]) top += p[k];
    }
    out[`reward${i + 1}`] = reward;
    out[`top${i + 1}`] = top;
    out.reward += c.weight * reward;
    // log E e^{r − max r}, as the backends compute it (twin.ts logMeanExp).
    out.nash += c.weight * (tops[i] + (exp > 0.5 ? Math.log1p(expm1) : Math.log(exp)));
  });
  return out;
}

/** What the closed forms need of a spec (built in model.ts). */
export interface CurationTheoryInput {
  pStar: Float64Array;
  curators: CuratorForm[];
  candidates: number;
  /** λ_t = m_t/n per generation (λ_0 = 1). */
  lambdas: number[];
}

const LINEAR = ['reward', 'top', 'reward1', 'reward2', 'reward3', 'top1', 'top2', 'top3'];

/**
 * Per metric, the population path at the spec's K, t = 0..T: the exact expectation at t ≤ 1 for the linear
 * metrics (expected rewards, masses) and P*'s value at t = 0 for all; after that, and for KL, entropy and
 * the Nash objective (nonlinear in p̂) at t = 1, the n → ∞ limit.
 */
export function curationClosedForms(input: CurationTheoryInput): ClosedForm[] {
  const { pStar, curators, candidates, lambdas } = input;
  const path = populationPath(pStar, lambdas, curators, candidates).map((p) => distributionMetrics(p, pStar, curators));
  return Object.keys(path[0]).map((metric) => ({
    metric,
    limit: 'n → ∞',
    source: scienceSource(SCIENCE_SECTION, `population map p ↦ λP* + (1−λ)Σ w_i H_K^i(p) from p_0 = P*, K = ${candidates} (${LINEAR.includes(metric) ? 'exact at t ≤ 1, ' : ''}n → ∞ after)`),
    values: path.map((m) => m[metric]),
  }));
}

/** Every metric at the K → ∞ limit reached from P* at the last generation's λ (one curator, λ = 0: argmax r; several: the Nash point). */
export function curationLimit(input: CurationTheoryInput): Record<string, number> {
  return distributionMetrics(limitPoint(input.pStar, input.lambdas[input.lambdas.length - 1], input.curators), input.pStar, input.curators);
}
