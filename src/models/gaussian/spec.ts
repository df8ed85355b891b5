/**
 * The Gaussian refitting experiment (docs/science.md §5, Shumailov et al. 2024; Bertrand et al. 2024):
 * its spec, validated once here and resolved with every default filled, and its presets.
 */
import { z } from 'zod';
import { SpecError, type SpecIssue } from '../../core/spec/errors.js';
import { fields, finiteNumber, integerBetween, numberList, oneOf } from '../../core/spec/fields.js';
import { MAX_SAMPLES, generationsField, runDefaults, runFields } from '../../core/spec/common.js';
import { parseWithSchema } from '../../core/spec/zod-issues.js';

/** Largest dimension the kernel is compiled for (a full covariance: dim(dim+1)/2 entries per replicate). */
export const MAX_DIM = 16;

/**
 * σ is kept where σ² and σ⁴ stay finite and normal in float64 with room for the fitted
 * variances' own range, so no statistic overflows or underflows to Infinity or 0.
 */
export const SIGMA_RANGE = [1e-30, 1e30] as const;

/** Divide the sum of squared deviations by M (maximum likelihood) or by M − 1 (unbiased). */
export const ESTIMATORS = ['mle', 'unbiased'] as const;
export type Estimator = (typeof ESTIMATORS)[number];

const sigmaError = `must be a number between ${SIGMA_RANGE[0]} and ${SIGMA_RANGE[1]}`;

const gaussianSpecSchema = fields({
  model: z.literal('gaussian', { error: 'must be "gaussian"' }),
  /** Dimension of the Gaussian. Default 1. */
  dim: integerBetween(1, MAX_DIM).optional(),
  /** Samples drawn from the previous fit (from the truth at t = 0) to fit each generation. */
  m: integerBetween(2, MAX_SAMPLES),
  /** Default "mle". */
  estimator: oneOf(ESTIMATORS).optional(),
  /** True mean μ: one number for every coordinate, or dim numbers. Default 0. */
  mean: z.union([finiteNumber, numberList()], { error: 'must be a number or an array of numbers' }).optional(),
  /** True covariance σ²I. Default 1. */
  sigma: z.number({ error: sigmaError }).min(SIGMA_RANGE[0], { error: sigmaError }).max(SIGMA_RANGE[1], { error: sigmaError }).optional(),
  generations: generationsField,
  ...runFields,
});

/** What users write (JSON or TypeScript). */
export type GaussianSpecInput = z.input<typeof gaussianSpecSchema>;
type ParsedGaussianSpec = z.output<typeof gaussianSpecSchema>;

/** Every field filled; `mean` as dim numbers. */
export type ResolvedGaussianSpec = Required<Omit<ParsedGaussianSpec, 'mean'>> & { mean: number[] };

function resolve(spec: ParsedGaussianSpec): ResolvedGaussianSpec {
  const issues: SpecIssue[] = [];
  const dim = spec.dim ?? 1;
  const given = spec.mean ?? 0;
  if (Array.isArray(given) && given.length !== dim) {
    issues.push({ path: 'mean', message: `must have dim = ${dim} entries, got ${given.length}` });
  }
  // M samples span at most M − 1 directions around their mean: fewer than dim + 1 cannot give
  // a full-rank covariance, and every replicate would collapse at generation 0.
  if (spec.m < dim + 1) {
    issues.push({ path: 'm', message: `a full covariance in dim = ${dim} needs m ≥ dim + 1 = ${dim + 1} samples, got ${spec.m}` });
  }
  if (issues.length) throw new SpecError(issues);
  return {
    model: spec.model,
    dim,
    m: spec.m,
    estimator: spec.estimator ?? 'mle',
    mean: Array.isArray(given) ? given : new Array<number>(dim).fill(given),
    sigma: spec.sigma ?? 1,
    generations: spec.generations,
    ...runDefaults(spec),
  };
}

/** Validates a gaussian spec and fills its defaults; throws a SpecError listing every problem. */
export function parseGaussianSpec(input: unknown): ResolvedGaussianSpec {
  return resolve(parseWithSchema(gaussianSpecSchema, input));
}
