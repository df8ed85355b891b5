/**
 * Closed forms of docs/science.md §9 (curated retraining of a Gaussian), for tests and overlays.
 * Everything here is in standardised units (P* = N(0, I), c' = (c − μ*)/s*, τ' = τ/s*) unless it says
 * otherwise; `inSpecUnits` scales back (‖m − c‖² and v by s*², entropy + dim·ln s*; reward and KL unchanged).
 *
 * Curation of a model p = N(m, vI) keeps, of K candidates, x_j with probability e^{r(x_j)}/Σ_i e^{r(x_i)},
 * r(x) = −‖x − c‖²/(2τ²), w = e^{r}. Its law h_K has density K·p(x)·w(x)·E[1/(w(x) + S_{K−1})], S_{K−1} the
 * other K − 1 candidates' weights; with 1/a = ∫_0^∞ e^{−sa} ds,
 *   E_{h_K}[g] = K ∫_0^∞ φ(s)^{K−1} E_p[g(X) w(X) e^{−s w(X)}] ds,   φ(s) = E_p[e^{−s w(X)}]   (exact),
 * a double integral in dim 1 (computed by quadrature below; for dim > 1 the mean needs the component
 * along m − c and the orthogonal radius, a triple integral not computed here).
 * As K → ∞, h_K → p·e^{r}/E_p[e^{r}] (the paper's Lemma 2.1), here a Gaussian again:
 *   v' = v·τ²/(v + τ²),   m' = (m·τ² + c·v)/(v + τ²)   (exact for the limit).
 * With a fraction λ of fresh data, maximum likelihood on infinitely many samples (n → ∞) matches the
 * mixture λ·P* + (1 − λ)·h's mean and per-coordinate variance, between-component term included:
 *   m_{t+1} = (1 − λ)·m',   v_{t+1} = λ + (1 − λ)·v' + λ(1 − λ)·‖m'‖²/dim   (K → ∞, n → ∞).
 * λ = 0: 1/v_{t+1} = 1/v_t + 1/τ², so v_t = τ²/(t + τ²) → 0 and ‖m_t − c‖² = ‖c‖²·(τ²/(t + τ²))² → 0: the model concentrates on the
 * reward's maximiser and E[r] → 0 = max r. λ > 0: the map has a fixed point (m̄, v̄) that iterating reaches.
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

/** Nodes of the trapezoid rule for E over N(0, 1): z ∈ [−12, 12] in steps of 0.01 (spectrally accurate for smooth integrands). */
const STANDARD_NODES = (() => {
  const h = 0.01, count = 2401, z = new Float64Array(count), weight = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    z[k] = -12 + k * h;
    weight[k] = (h * Math.exp(-0.5 * z[k] * z[k])) / Math.sqrt(2 * Math.PI);
  }
  return { z, weight };
})();

/**
 * Mean and second moment of the curated law h_K of N(m, v) in dim 1, from
 * E_{h_K}[g] = K ∫ φ(s)^{K−1} E_p[g w e^{−s w}] ds with s = e^σ (trapezoid in σ, step 0.02, over the
 * range where s·w e^{−sw} is not negligible for some node), divided by the same integral with g = 1
 * (which is exactly 1: the division removes the quadrature's common error).
 */
export function curatedMoments1d(m: number, v: number, c: number, tau: number, K: number): { mean: number; second: number } {
  const { z, weight } = STANDARD_NODES, count = z.length;
  const x = new Float64Array(count), w = new Float64Array(count);
  let leastLogW = 0;
  for (let k = 0; k < count; k++) {
    x[k] = m + Math.sqrt(v) * z[k];
    const logW = -((x[k] - c) ** 2) / (2 * tau * tau);
    w[k] = Math.exp(logW);
    leastLogW = Math.min(leastLogW, logW);
  }
  const h = 0.02, first = -40, last = -leastLogW + 40;
  let total = 0, mean = 0, second = 0;
  for (let sigma = first; sigma <= last; sigma += h) {
    const s = Math.exp(sigma);
    let phi = 0, psi0 = 0, psi1 = 0, psi2 = 0;
    for (let k = 0; k < count; k++) {
      const e = Math.exp(-s * w[k]), a = weight[k] * e;
      phi += a;
      const b = a * w[k];
      psi0 += b;
      psi1 += b * x[k];
      psi2 += b * x[k] * x[k];
    }
    const factor = s * phi ** (K - 1);
    total += factor * psi0;
    mean += factor * psi1;
    second += factor * psi2;
  }
  return { mean: mean / total, second: second / total };
}

/**
 * Generation 1's expected metrics in dim 1 for finite K and n, p_0 = P* (exact up to quadrature):
 * ρ fresh samples (mean 0, second moment 1) and κ = n − ρ curated ones (μ_c, s_c) are independent, so
 *   E m = κμ_c/n,  Var m = (ρ + κ(s_c − μ_c²))/n²,  E v = (ρ + κ s_c)/n − (E m)² − Var m,
 *   E(m − c')² = (E m − c')² + Var m,  E reward = −(E(m − c')² + E v)/(2τ'²).
 * In the spec's units (targetGap and variance times s*²). Only the metrics linear in (m, m², v).
 */
export function generationOneExact1d(spec: Spec): Pick<ModelMetrics, 'reward' | 'targetGap' | 'variance'> {
  if (spec.dim !== 1) throw new RangeError(`generationOneExact1d: dim must be 1, got ${spec.dim}`);
  const { target: [c], tau } = standardised(spec);
  const { mean: mu, second } = curatedMoments1d(0, 1, c, tau, spec.candidates);
  const n = spec.n, fresh = spec.realCounts[1], curated = n - fresh;
  const meanM = (curated * mu) / n;
  const varM = (fresh + curated * (second - mu * mu)) / (n * n);
  const v = (fresh + curated * second) / n - meanM * meanM - varM;
  const gap = (meanM - c) ** 2 + varM;
  const s2 = spec.sigma ** 2;
  return { reward: -(gap + v) / (2 * tau * tau), targetGap: gap * s2, variance: v * s2 };
}

/**
 * The n → ∞ models for finite K in dim 1 (standardised): m_{t+1} = (1 − λ)μ_c(m_t, v_t),
 * v_{t+1} = λ + (1 − λ)s_c − m_{t+1}², the curated law's moments by curatedMoments1d.
 */
export function finiteKModels1d(spec: Spec, generations: number): Model[] {
  const { target: [c], tau } = standardised(spec);
  const models: Model[] = [{ mean: [0], variance: 1 }];
  for (let t = 1; t <= generations; t++) {
    const { mean: [m], variance: v } = models[t - 1], lambda = lambdaAt(spec, t);
    const { mean: mu, second } = curatedMoments1d(m, v, c, tau, spec.candidates);
    const next = (1 - lambda) * mu;
    models.push({ mean: [next], variance: lambda + (1 - lambda) * second - next * next });
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
    source: scienceSource(SCIENCE_SECTION, `${metric}, K → ∞ and n → ∞ limit: tilt by e^r, then moment matching with λ·P*`),
    values: curves.map((c) => c[metric]),
  }));
}

/** The curve shown next to the results: the reward's K → ∞, n → ∞ limit. */
export function curationGaussianClosedForm(spec: ResolvedCurationGaussianSpec): ClosedForm {
  return curationGaussianClosedForms(spec)[0];
}
