/**
 * The selection experiment for classification (docs/science.md §3, Feng, Dohmatob, Yang, Charton &
 * Kempe 2024): its spec, validated once here and resolved with every default filled, and its
 * presets. Nothing downstream re-checks a field.
 */
import { z } from 'zod';
import { SpecError, type SpecIssue } from '../../core/spec/errors.js';
import { fields, integerBetween, numberBetween, tagged } from '../../core/spec/fields.js';
import { MAX_D, MAX_RIDGE, MAX_RIDGE_TEXT, MAX_SAMPLES, generationsField, runDefaults, runFields } from '../../core/spec/common.js';
import { parseWithSchema } from '../../core/spec/zod-issues.js';

/**
 * The class mean's largest norm: beyond it the Bayes accuracy Φ(‖μ‖) is 1 to f64 precision
 * anyway, and sums of x² over 2²⁴ samples must stay finite in the kernel's f32.
 */
export const MAX_MEAN_NORM = 100;

const probability = () => numberBetween(0, 1);

const meanNormError = `must be a number > 0 and ≤ ${MAX_MEAN_NORM}`;

/**
 * Which generated pairs the classifier is trained on: all; a selector by rates that keeps a
 * correctly labelled pair with probability keepCorrect (ϕ) and a wrongly labelled one with
 * keepWrong (ψ); or a linear verifier w_v at `angle` radians from μ that keeps (x, ŷ) iff ŷ·w_vᵀx > 0.
 */
const selectorSchema = tagged([
  fields({ kind: z.literal('none') }),
  fields({ kind: z.literal('rates'), keepCorrect: probability(), keepWrong: probability() }),
  fields({ kind: z.literal('linear'), angle: numberBetween(0, Math.PI, `π (${Math.PI})`) }),
]);

const gmmSelectionSpecSchema = fields({
  model: z.literal('gmm-selection', { error: 'must be "gmm-selection"' }),
  d: integerBetween(1, MAX_D),
  /** ‖μ‖: x | y ~ N(yμ, I) with μ = meanNorm·e₁. */
  meanNorm: z.number({ error: meanNormError }).gt(0, { error: meanNormError }).max(MAX_MEAN_NORM, { error: meanNormError }),
  /** p: generation 0's generator flips the true label with this probability. */
  flipRate: probability(),
  selector: selectorSchema.optional(),
  /** Samples the generator labels per generation (before selection). */
  n: integerBetween(1, MAX_SAMPLES),
  /** Ridge λ of the least-squares classifier. Default 0. */
  ridgeLambda: numberBetween(0, MAX_RIDGE, MAX_RIDGE_TEXT).optional(),
  generations: generationsField,
  ...runFields,
});

/** What users write (JSON or TypeScript). */
export type GmmSelectionSpecInput = z.input<typeof gmmSelectionSpecSchema>;

/** Every field filled. */
export type ResolvedGmmSelectionSpec = Required<z.output<typeof gmmSelectionSpecSchema>>;

function resolve(spec: z.output<typeof gmmSelectionSpecSchema>): ResolvedGmmSelectionSpec {
  const issues: SpecIssue[] = [];
  const selector = spec.selector ?? { kind: 'none' };
  const ridgeLambda = spec.ridgeLambda ?? 0;
  if (selector.kind === 'rates' && selector.keepCorrect === 0 && selector.keepWrong === 0) {
    issues.push({ path: 'selector', message: 'keeps nothing: keepCorrect and keepWrong must not both be 0' });
  }
  // In one dimension the only directions are ±μ.
  if (selector.kind === 'linear' && spec.d === 1 && selector.angle !== 0 && selector.angle !== Math.PI) {
    issues.push({ path: 'selector.angle', message: `must be 0 or π (${Math.PI}) when d = 1 (another direction needs d ≥ 2), got ${selector.angle}` });
  }
  if (ridgeLambda === 0 && spec.n < spec.d) {
    issues.push({ path: 'n', message: `least squares without ridge (ridgeLambda = 0) needs at least d = ${spec.d} samples, got ${spec.n}; raise n or set ridgeLambda > 0` });
  }
  if (issues.length) throw new SpecError(issues);
  return {
    model: spec.model,
    d: spec.d,
    meanNorm: spec.meanNorm,
    flipRate: spec.flipRate,
    selector,
    n: spec.n,
    ridgeLambda,
    generations: spec.generations,
    ...runDefaults(spec),
  };
}

/** Validates a gmm-selection spec and fills its defaults; throws a SpecError listing every problem. */
export function parseGmmSelectionSpec(input: unknown): ResolvedGmmSelectionSpec {
  return resolve(parseWithSchema(gmmSelectionSpecSchema, input));
}
