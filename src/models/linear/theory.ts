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
 * Replace mode, fresh design, Σ = I, OLS (exact in expectation):
 * risk_t = σ²d/(n₀ − d − 1) + Σ_{s=1..t} σ_s² d/(n_s − d − 1). Here mse = risk.
 */
export function replaceRisk(spec: ResolvedLinearSpec, t: number): number | null {
  if (spec.mode !== 'replace' || spec.design !== 'fresh' || !identityOls(spec)) return null;
  let risk = olsRisk(spec.sigma, spec.d, spec.schedule.n[0]);
  for (let s = 1; s <= t && risk !== null; s++) {
    const step = olsRisk(spec.syntheticSigma, spec.d, spec.schedule.n[s]);
    risk = step === null ? null : risk + step;
  }
  return risk;
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
  return replaceRisk(spec, t) ?? accumulateFixedRisk(spec, t);
}

/** The exact expected risk curve (the mse too where Σ = I) where docs/science.md gives one, else null. */
export function linearClosedForm(spec: ResolvedLinearSpec): ClosedForm | null {
  const ts = Array.from({ length: spec.generations + 1 }, (_, t) => t);
  const replace = ts.map((t) => replaceRisk(spec, t));
  if (replace.every((v) => v !== null)) {
    return { metric: 'risk', source: scienceSource(1, 'replace, fresh design, Σ = I, OLS (Dohmatob et al.)'), values: replace as number[] };
  }
  const accumulate = ts.map((t) => accumulateFixedRisk(spec, t));
  if (accumulate.every((v) => v !== null)) {
    return { metric: 'risk', source: scienceSource(1, 'accumulate, fixed design, Σ = I (Gerstgrasser et al.)'), values: accumulate as number[] };
  }
  return null;
}
