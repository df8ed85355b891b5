/**
 * Closed forms of docs/science.md §9 (curated retraining of a Gaussian), for tests and overlays.
 * Everything here is in standardised units (P* = N(0, I), c' = (c − μ*)/s*, τ' = τ/s*) unless it says
 * otherwise; `inSpecUnits` scales back (‖m − c‖² and v by s*², entropy + dim·ln s*; reward and KL unchanged).
 *
 * Curation of a model p = N(m, vI) keeps, of K candidates, x_j with probability e^{r(x_j)}/Σ_i e^{r(x_i)},
 * r(x) = −‖x − c‖²/(2τ²), w = e^{r}. Its law h_K has density K·p(x)·w(x)·E[1/(w(x) + S_{K−1})], S_{K−1} the
 * other K − 1 candidates' weights; with 1/a = ∫_0^∞ e^{−sa} ds,
 *   E_{h_K}[g] = K ∫_0^∞ φ(s)^{K−1} E_p[g(X) w(X) e^{−s w(X)}] ds,   φ(s) = E_p[e^{−s w(X)}]   (exact),
 * a double integral in dim 1 and a triple one above (the component along c − m and the orthogonal radius;
 * computed by quadrature below).
 * As K → ∞, h_K → p·e^{r}/E_p[e^{r}] (the paper's limit of many candidates), here a Gaussian again:
 *   v' = v·τ²/(v + τ²),   m' = (m·τ² + c·v)/(v + τ²)   (exact for the limit).
 * With a fraction λ of fresh data, maximum likelihood on infinitely many samples (n → ∞) matches the
 * mixture λ·P* + (1 − λ)·h's mean and per-coordinate variance, between-component term included:
 *   m_{t+1} = (1 − λ)·m',   v_{t+1} = λ + (1 − λ)·v' + λ(1 − λ)·‖m'‖²/dim   (K → ∞, n → ∞).
 * λ = 0: 1/v_{t+1} = 1/v_t + 1/τ², so v_t = τ²/(t + τ²) → 0 and ‖m_t − c‖² = ‖c‖²·(τ²/(t + τ²))² → 0: the
 * model concentrates on the reward's maximiser and E[r] → 0 = max r. λ > 0: the map has a fixed point (m̄, v̄) that iterating reaches.
 * Finite n adds sampling noise and an O(1/n) bias (the MLE variance's (n − 1)/n), so these are limits.
 */
import type { ResolvedCurationGaussianSpec } from './spec.js';
import { standardised } from './spec.js';
import type { ClosedForm } from '../../core/engine/model.js';
import { scienceSource } from '../../core/theory/science.js';

/** Section of docs/science.md these closed forms are written in. */
export const SCIENCE_SECTION = 9;

/** A Gaussian model N(m, vI) (standardised). */
export interface Model {
  mean: number[];
  variance: number;
}

/** The metrics of docs/science.md §9 for one model (standardised; reward and KL are the same in spec units). */
export interface ModelMetrics {
  reward: number;
  targetGap: number;
  variance: number;
  klModel: number;
  entropy: number;
}

/** The K → ∞ curated law of N(m, vI): the model tilted by e^{r}, N(m', v'I) (exact). */
export function tilt({ mean, variance: v }: Model, target: readonly number[], tau: number): Model {
  const t2 = tau * tau;
  return { mean: mean.map((m, l) => (m * t2 + target[l] * v) / (v + t2)), variance: (v * t2) / (v + t2) };
}

/** The n → ∞ maximum-likelihood fit to λ·N(0, I) + (1 − λ)·N(m', v'I) (moment matching, exact for that limit). */
export function mixtureFit(curated: Model, lambda: number): Model {
  const dim = curated.mean.length;
  const norm2 = curated.mean.reduce((s, m) => s + m * m, 0);
  return {
    mean: curated.mean.map((m) => (1 - lambda) * m),
    variance: lambda + (1 - lambda) * curated.variance + (lambda * (1 - lambda) * norm2) / dim,
  };
}

/** Metrics of N(m, vI) against c', τ' and P* = N(0, I) (standardised). */
export function modelMetrics({ mean, variance: v }: Model, target: readonly number[], tau: number): ModelMetrics {
  const dim = mean.length;
  let gap = 0, norm = 0;
  mean.forEach((m, l) => {
    gap += (m - target[l]) ** 2;
    norm += m * m;
  });
  return {
    reward: -(gap + dim * v) / (2 * tau * tau),
    targetGap: gap,
    variance: v,
    klModel: 0.5 * (dim * v + norm - dim - dim * Math.log(v)),
    entropy: 0.5 * dim * (Math.log(2 * Math.PI) + 1 + Math.log(v)),
  };
}

type Spec = Pick<ResolvedCurationGaussianSpec, 'dim' | 'n' | 'mean' | 'sigma' | 'target' | 'tau' | 'realCounts' | 'candidates'>;

/** Standardised metrics in the spec's units. */
export function inSpecUnits(metrics: ModelMetrics, spec: Pick<ResolvedCurationGaussianSpec, 'dim' | 'sigma'>): ModelMetrics {
  const s2 = spec.sigma ** 2;
  return { ...metrics, targetGap: metrics.targetGap * s2, variance: metrics.variance * s2, entropy: metrics.entropy + spec.dim * Math.log(spec.sigma) };
}

/** λ_t as the chain uses it: round(λ_t·n)/n. */
const lambdaAt = (spec: Spec, t: number) => spec.realCounts[t] / spec.n;

/** The K → ∞, n → ∞ models p_0 = P*, p_1, …, p_T (standardised). */
export function infiniteLimitModels(spec: Spec, generations: number): Model[] {
  const { target, tau } = standardised(spec);
  const models: Model[] = [{ mean: new Array<number>(spec.dim).fill(0), variance: 1 }];
  for (let t = 1; t <= generations; t++) models.push(mixtureFit(tilt(models[t - 1], target, tau), lambdaAt(spec, t)));
  return models;
}

/**
 * The fixed point of the K → ∞, n → ∞ map at a constant fresh fraction λ > 0 (standardised), by
 * iterating it from P* until it moves less than 1e-14; null if it has not settled after 100 000 steps.
 */
export function infiniteLimitFixedPoint(spec: Pick<Spec, 'dim' | 'mean' | 'sigma' | 'target' | 'tau'>, lambda: number): Model | null {
  const { target, tau } = standardised(spec);
  let model: Model = { mean: new Array<number>(spec.dim).fill(0), variance: 1 };
  for (let step = 0; step < 100_000; step++) {
    const next = mixtureFit(tilt(model, target, tau), lambda);
    const moved = Math.abs(next.variance - model.variance) + next.mean.reduce((s, m, l) => s + Math.abs(m - model.mean[l]), 0);
    model = next;
    if (moved < 1e-14) return model;
  }
  return null;
}

/**
 * Nodes and weights for E over ζ ~ N(0, I_dim) of a function of (ζ_∥, ‖ζ_⊥‖), ζ_∥ the component along a
 * unit vector: a trapezoid rule in ζ_∥ ∈ [−12, 12] (step 0.01 in dim 1, 0.1 above) times, for dim > 1,
 * one in y = ln‖ζ_⊥‖ ∈ [−12, 2.6] (step 0.1) with the χ_{dim−1} density; both spectrally accurate for
 * smooth integrands, each set of weights normalised to sum to 1.
 */
function isotropicNodes(dim: number): { along: Float64Array; radius: Float64Array; weight: Float64Array } {
  const h = dim === 1 ? 0.01 : 0.1, alongCount = Math.round(24 / h) + 1;
  const alongWeight = Array.from({ length: alongCount }, (_, k) => Math.exp(-0.5 * (-12 + k * h) ** 2));
  const radii = dim === 1 ? [0] : Array.from({ length: 147 }, (_, k) => Math.exp(-12 + 0.1 * k));
  // χ_k density times dr/dy = r: r^k e^{−r²/2}, k = dim − 1.
  const radialWeight = dim === 1 ? [1] : radii.map((r) => r ** (dim - 1) * Math.exp(-0.5 * r * r));
  const alongSum = alongWeight.reduce((a, b) => a + b, 0), radialSum = radialWeight.reduce((a, b) => a + b, 0);
  // Nodes of weight below 1e-20 change no moment by more than ~1e-18 and are left out.
  const along: number[] = [], radius: number[] = [], weight: number[] = [];
  for (let i = 0; i < alongCount; i++) {
    for (let j = 0; j < radii.length; j++) {
      const value = (alongWeight[i] / alongSum) * (radialWeight[j] / radialSum);
      if (value < 1e-20) continue;
      along.push(-12 + i * h);
      radius.push(radii[j]);
      weight.push(value);
    }
  }
  return { along: Float64Array.from(along), radius: Float64Array.from(radius), weight: Float64Array.from(weight) };
}

const NODES = new Map<number, ReturnType<typeof isotropicNodes>>();
const nodesFor = (dim: number) => NODES.get(dim) ?? NODES.set(dim, isotropicNodes(dim)).get(dim)!;

/** The curated law's mean vector and second moment E‖x‖² (summed over coordinates). */
export interface CuratedMoments {
  mean: number[];
  second: number;
}

/**
 * Mean and second moment of the curated law h_K of N(m, vI), from
 * E_{h_K}[g] = K ∫ φ(s)^{K−1} E_p[g w e^{−s w}] ds with s = e^σ (trapezoid in σ, step 0.05, over the range
 * where s·w e^{−sw} is not negligible for some node), divided by the same integral with g = 1 (exactly 1:
 * the division removes the quadrature's common error). Writing x = m + √v·ζ and e the unit vector from m
 * to c (d = ‖c − m‖), ‖x − c‖² = (√v·ζ_∥ − d)² + v·‖ζ_⊥‖², so by symmetry h_K's mean is m + √v·E[ζ_∥]·e and
 * E‖x − m‖² = v·E[ζ_∥² + ‖ζ_⊥‖²]: a double integral in dim 1, a triple one above.
 */
export function curatedMoments({ mean: m, variance: v }: Model, target: readonly number[], tau: number, K: number): CuratedMoments {
  const dim = m.length, { along, radius, weight } = nodesFor(dim), count = along.length;
  const offset = target.map((c, l) => c - m[l]), d = Math.hypot(...offset);
  const sd = Math.sqrt(v);
  const w = new Float64Array(count);
  let leastLogW = 0;
  for (let k = 0; k < count; k++) {
    const logW = -((sd * along[k] - d) ** 2 + v * radius[k] ** 2) / (2 * tau * tau);
    w[k] = Math.exp(logW);
    leastLogW = Math.min(leastLogW, logW);
  }
  // −dφ(e^σ)^K/dσ is the integrand for g = 1, so φ^K is the mass left above σ: stop once it is below 1e-16
  // (or where every node's s·w exceeds e^40).
  const h = 0.05, steps = Math.ceil((-leastLogW + 80) / h);
  let total = 0, first = 0, second = 0;
  for (let step = 0; step <= steps; step++) {
    const s = Math.exp(-40 + step * h);
    let phi = 0, psi0 = 0, psi1 = 0, psi2 = 0;
    for (let k = 0; k < count; k++) {
      const a = weight[k] * Math.exp(-s * w[k]);
      phi += a;
      const b = a * w[k];
      psi0 += b;
      psi1 += b * along[k];
      psi2 += b * (along[k] ** 2 + radius[k] ** 2);
    }
    const factor = s * phi ** (K - 1);
    total += factor * psi0;
    first += factor * psi1;
    second += factor * psi2;
    if (phi ** K < 1e-16) break;
  }
  const shift = (sd * first) / total;
  const mean = m.map((ml, l) => ml + (d > 0 ? (shift * offset[l]) / d : 0));
  const mDotE = d > 0 ? m.reduce((acc, ml, l) => acc + (ml * offset[l]) / d, 0) : 0;
  return { mean, second: m.reduce((acc, ml) => acc + ml * ml, 0) + 2 * shift * mDotE + (v * second) / total };
}

/**
 * Generation 1's expected metrics for finite K and n, p_0 = P* (exact up to quadrature): ρ fresh samples
 * (mean 0, E‖x‖² = dim, standardised) and κ = n − ρ curated ones (mean μ_c, E‖x‖² = S_c) are independent, so
 *   E m = κμ_c/n,  tr Cov m = (ρ·dim + κ(S_c − ‖μ_c‖²))/n²,
 *   E v = (ρ·dim + κS_c)/(n·dim) − (‖E m‖² + tr Cov m)/dim,
 *   E‖m − c'‖² = ‖E m − c'‖² + tr Cov m,  E reward = −(E‖m − c'‖² + dim·E v)/(2τ'²).
 * In the spec's units (targetGap and variance times s*²). Only the metrics linear in (m, ‖m‖², v).
 */
export function generationOneExact(spec: Spec): Pick<ModelMetrics, 'reward' | 'targetGap' | 'variance'> {
  const { target, tau } = standardised(spec), D = spec.dim;
  const curated = curatedMoments({ mean: new Array<number>(D).fill(0), variance: 1 }, target, tau, spec.candidates);
  const n = spec.n, fresh = spec.realCounts[1], kept = n - fresh;
  const meanM = curated.mean.map((mu) => (kept * mu) / n);
  const norm2 = (x: readonly number[]) => x.reduce((acc, xl) => acc + xl * xl, 0);
  const traceCov = (fresh * D + kept * (curated.second - norm2(curated.mean))) / (n * n);
  const v = (fresh * D + kept * curated.second) / (n * D) - (norm2(meanM) + traceCov) / D;
  const gap = norm2(meanM.map((m, l) => m - target[l])) + traceCov;
  const s2 = spec.sigma ** 2;
  return { reward: -(gap + D * v) / (2 * tau * tau), targetGap: gap * s2, variance: v * s2 };
}

/**
 * The n → ∞ models for finite K (standardised): maximum likelihood on λ·N(0, I) + (1 − λ)·h_K matches
 * m_{t+1} = (1 − λ)μ_c and v_{t+1} = (λ·dim + (1 − λ)S_c − ‖m_{t+1}‖²)/dim, h_K's moments by curatedMoments.
 */
export function finiteKModels(spec: Spec, generations: number): Model[] {
  const { target, tau } = standardised(spec), D = spec.dim;
  const models: Model[] = [{ mean: new Array<number>(D).fill(0), variance: 1 }];
  for (let t = 1; t <= generations; t++) {
    const lambda = lambdaAt(spec, t);
    const curated = curatedMoments(models[t - 1], target, tau, spec.candidates);
    const mean = curated.mean.map((mu) => (1 - lambda) * mu);
    models.push({ mean, variance: (lambda * D + (1 - lambda) * curated.second - mean.reduce((acc, m) => acc + m * m, 0)) / D });
  }
  return models;
}

const METRICS = ['reward', 'targetGap', 'variance', 'klModel', 'entropy'] as const;

/** The K → ∞, n → ∞ curves of every metric at t = 0..T, in the spec's units. */
export function curationGaussianClosedForms(spec: ResolvedCurationGaussianSpec): ClosedForm[] {
  const { target, tau } = standardised(spec);
  const curves = infiniteLimitModels(spec, spec.generations).map((model) => inSpecUnits(modelMetrics(model, target, tau), spec));
  return METRICS.map((metric) => ({
    metric,
    limit: 'K → ∞, n → ∞',
    source: scienceSource(SCIENCE_SECTION, `${metric}, K → ∞ and n → ∞ limit: tilt by e^r, then moment matching with λ·P*`),
    values: curves.map((c) => c[metric]),
  }));
}
