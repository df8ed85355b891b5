/**
 * Mean estimation from contaminated data (docs/science.md §7, Amin, Bie, Kong, Syed & Vassilvitskii,
 * "Learning from Synthetic Data: Limitations of ERM", arXiv:2601.15468): its spec, validated once here
 * and resolved with every default filled.
 *
 * Generation 0 sees n natural samples of N(μ, σ²I); every later generation sees n samples of which
 * k = α·n are synthetic, drawn from N(μ̂_{t−1}, σ²I) around the learner's own previous estimate, and
 * n − k natural. The learner cannot tell them apart. α·n must therefore be a whole number.
 */
import { z } from 'zod';
import { SpecError } from '../../core/spec/errors.js';
import { fields, integerBetween } from '../../core/spec/fields.js';
import { MAX_SAMPLES, generationsField, runDefaults, runFields } from '../../core/spec/common.js';
import { parseWithSchema } from '../../core/spec/zod-issues.js';

/** Largest dimension (the estimate is dim numbers per estimator per replicate). */
export const MAX_DIM = 16;

/** σ where σ² and the squared errors stay finite and normal in float64 and f32. */
export const SIGMA_RANGE = [1e-15, 1e15] as const;

/** α·n is accepted as whole when within this of an integer (0.1·30 is 3.0000000000000004 in float64). */
const WHOLE_TOLERANCE = 1e-9;

const sigmaError = `must be a number between ${SIGMA_RANGE[0]} and ${SIGMA_RANGE[1]}`;
const alphaError = 'must be a number ≥ 0 and < 1';

const aminErmSpecSchema = fields({
  model: z.literal('amin-erm', { error: 'must be "amin-erm"' }),
  /** Dimension d of the mean. Default 1. */
  dim: integerBetween(1, MAX_DIM).optional(),
  /** Samples each generation trains on (natural and synthetic together). */
  n: integerBetween(1, MAX_SAMPLES),
  /** Contamination rate α: the fraction of each generation t ≥ 1 that is synthetic. */
  alpha: z.number({ error: alphaError }).min(0, { error: alphaError }).lt(1, { error: alphaError }),
  /** Per-coordinate standard deviation σ of natural and synthetic samples. Default 1. */
  sigma: z.number({ error: sigmaError }).min(SIGMA_RANGE[0], { error: sigmaError }).max(SIGMA_RANGE[1], { error: sigmaError }).optional(),
  generations: generationsField,
  ...runFields,
  /** Derived from n and alpha (α·n); accepted, and recomputed, so a saved resolved spec re-runs as is. */
  synthetic: z.unknown().optional(),
});

/** What users write (JSON or TypeScript). */
export type AminErmSpecInput = z.input<typeof aminErmSpecSchema>;
type ParsedAminErmSpec = z.output<typeof aminErmSpecSchema>;

/** Every field filled; `synthetic` = α·n, the synthetic samples of each generation t ≥ 1. */
export type ResolvedAminErmSpec = Required<Omit<ParsedAminErmSpec, 'synthetic'>> & { synthetic: number };

function resolve(spec: ParsedAminErmSpec): ResolvedAminErmSpec {
  const k = spec.alpha * spec.n, synthetic = Math.round(k);
  if (Math.abs(k - synthetic) > WHOLE_TOLERANCE) {
    throw new SpecError([{ path: 'alpha', message: `must make α·n a whole number of synthetic samples (n = ${spec.n}), got α·n = ${k}` }]);
  }
  return {
    model: spec.model,
    dim: spec.dim ?? 1,
    n: spec.n,
    alpha: spec.alpha,
    sigma: spec.sigma ?? 1,
    generations: spec.generations,
    ...runDefaults(spec),
    synthetic,
  };
}

/** Validates an amin-erm spec and fills its defaults; throws a SpecError listing every problem. */
export function parseAminErmSpec(input: unknown): ResolvedAminErmSpec {
  return resolve(parseWithSchema(aminErmSpecSchema, input));
}
