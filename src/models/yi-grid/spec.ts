/**
 * The authors' one-round study of verified synthetic data (docs/science.md §2; Yi, Liu, Cheng & Xu,
 * `simulation/linear_regression_empirical_loss.py`): per replicate θ* ~ N(0, I), a verifier
 * centred at θ_c = θ* + bias·(1, …, 1), and four OLS estimators. Usually run as a sweep over
 * bias × radius (the preset `yi-grid`).
 */
import { z } from 'zod';
import { SpecError } from '../../core/spec/errors.js';
import { fields, integerBetween, numberAboveAtMost, numberAtLeast, numberBetween } from '../../core/spec/fields.js';
import { MAX_D, MAX_SAMPLES, MAX_SCALE, BACKENDS, runDefaults, runFields } from '../../core/spec/common.js';
import { parseWithSchema } from '../../core/spec/zod-issues.js';

const yiGridSchema = fields({
  model: z.literal('yi-grid', { error: 'must be "yi-grid"' }),
  d: integerBetween(1, MAX_D).optional(),
  sigma: numberAboveAtMost(0, MAX_SCALE).optional(),
  /** Real samples (n₁). */
  n1: integerBetween(1, MAX_SAMPLES).optional(),
  /** Synthetic samples per synthetic estimator (n₂). */
  n2: integerBetween(1, MAX_SAMPLES).optional(),
  /** a: θ_c = θ* + a·(1, …, 1). */
  bias: numberBetween(-MAX_SCALE, MAX_SCALE).optional(),
  radius: numberAtLeast(0).optional(),
  slack: numberAtLeast(0).optional(),
  /** One round: generation 0 is the whole study. */
  generations: z.literal(0, { error: 'must be 0 (yi-grid is one round)' }).optional(),
  ...runFields,
});

export type YiGridSpecInput = z.input<typeof yiGridSchema>;

export interface ResolvedYiGridSpec {
  model: 'yi-grid';
  d: number;
  sigma: number;
  n1: number;
  n2: number;
  bias: number;
  radius: number;
  slack: number;
  generations: 0;
  replicates: number;
  seed: string | number;
  backend: (typeof BACKENDS)[number];
}

/** Validates a yi-grid spec and fills the authors' defaults (d = 5, σ = 1, n₁ = n₂ = 100, slack √(2/π)σ). */
export function parseYiGridSpec(input: unknown): ResolvedYiGridSpec {
  const spec = parseWithSchema(yiGridSchema, input);
  const d = spec.d ?? 5;
  const n1 = spec.n1 ?? 100;
  const n2 = spec.n2 ?? 100;
  // Without ridge, the fit on all n₁ real samples needs n₁ ≥ d (the verified fits may still fail, and are counted).
  if (n1 < d) throw new SpecError([{ path: 'n1', message: `ordinary least squares needs n1 ≥ d = ${d}, got ${n1}` }]);
  const sigma = spec.sigma ?? 1;
  return {
    model: 'yi-grid', d, sigma, n1, n2,
    bias: spec.bias ?? 0,
    radius: spec.radius ?? 0.1,
    // The authors' slack: E|ε| = √(2/π)·σ.
    slack: spec.slack ?? Math.sqrt(2 / Math.PI) * sigma,
    generations: 0,
    ...runDefaults(spec),
  };
}
