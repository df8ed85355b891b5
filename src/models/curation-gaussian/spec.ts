/**
 * Curated retraining of a Gaussian (docs/science.md §9, Ferbach, Bertrand, Bose & Gidel 2024,
 * arXiv:2407.09499): its spec, validated once here and resolved with every default filled.
 *
 * The data are P* = N(μ*, s*²I). Generation 0 is the data distribution itself (p_0 = P*, docs/science.md
 * §9). Every generation t ≥ 1 fits N(m_t, v_t I) by maximum likelihood to n samples: round(λ_t·n)
 * fresh from P*, the rest curated, each the one a curator keeps of K candidates from the current model,
 * candidate j with probability e^{r(x_j)}/Σ_i e^{r(x_i)}, r(x) = −‖x − c‖²/(2τ²).
 */
import { z } from 'zod';
import { SpecError, type SpecIssue } from '../../core/spec/errors.js';
import { fields, finiteNumber, integerBetween, numberList } from '../../core/spec/fields.js';
import { MAX_SAMPLES, generationsField, runDefaults, runFields } from '../../core/spec/common.js';
import { resolveSchedule, scheduleSchema } from '../../core/spec/schedule.js';
import { parseWithSchema } from '../../core/spec/zod-issues.js';

/** Largest dimension (the kernel keeps dim candidate coordinates in registers). */
export const MAX_DIM = 8;

/**
 * Most candidates a curator compares per kept sample: at dim 8 four samples' candidates stay within
 * one dispatch's loop budget on llvmpipe (65 535 iterations, see gpu.ts).
 */
export const MAX_CANDIDATES = 1024;

/** Most normals one generation of one replicate may address (their index is a u32). */
export const MAX_DRAWS = 2 ** 32 - 1;

/** s* where the standardised chain's scale factors (s*², ln s*) stay finite in float64. */
export const SIGMA_RANGE = [1e-15, 1e15] as const;

/**
 * How far the reward's width τ and its centre c may be from the data, in units of s*: τ/s* within
 * [1e-3, 1e3] and |c − μ*|/s* ≤ 1e3 per coordinate keep every reward r(x) (≤ 8·(2e3)²/(2e-6) ≈ 1e13
 * in magnitude) and every squared distance finite and normal in f32.
 */
export const TAU_RATIO_RANGE = [1e-3, 1e3] as const;
export const MAX_TARGET_OFFSET = 1e3;

const sigmaError = `must be a number between ${SIGMA_RANGE[0]} and ${SIGMA_RANGE[1]}`;
const vector = z.union([finiteNumber, numberList()], { error: 'must be a number or an array of numbers' });

const curationGaussianSpecSchema = fields({
  model: z.literal('curation-gaussian', { error: 'must be "curation-gaussian"' }),
  /** Dimension of the data and of the model. Default 1. */
  dim: integerBetween(1, MAX_DIM).optional(),
  /** Samples each generation t ≥ 1 is fitted to (fresh and curated together). */
  n: integerBetween(2, MAX_SAMPLES),
  /** K: candidates the curator compares for each curated sample. Default 4. */
  candidates: integerBetween(2, MAX_CANDIDATES).optional(),
  /** λ_t: the fraction of generation t's samples fresh from P* (round(λ_t·n) of them); a schedule over t = 1..T. Default 0. */
  realFraction: scheduleSchema.optional(),
  /** Data mean μ*: one number for every coordinate, or dim numbers. Default 0. */
  mean: vector.optional(),
  /** Data standard deviation s* per coordinate. Default 1. */
  sigma: z.number({ error: sigmaError }).min(SIGMA_RANGE[0], { error: sigmaError }).max(SIGMA_RANGE[1], { error: sigmaError }).optional(),
  /** The reward's maximiser c: one number for every coordinate, or dim numbers. */
  target: vector,
  /** The reward's width τ: r(x) = −‖x − c‖²/(2τ²). Default 1. */
  tau: z.number({ error: 'must be a positive number' }).positive({ error: 'must be a positive number' }).optional(),
  generations: generationsField,
  ...runFields,
  /** Derived from n and realFraction; accepted, and recomputed, so a saved resolved spec re-runs as is. */
  realCounts: z.unknown().optional(),
});

/** What users write (JSON or TypeScript). */
export type CurationGaussianSpecInput = z.input<typeof curationGaussianSpecSchema>;
type ParsedCurationGaussianSpec = z.output<typeof curationGaussianSpecSchema>;

/**
 * Every field filled; `mean` and `target` as dim numbers; `realCounts[t]` = round(λ_t·n), the fresh
 * samples of generation t (0 at t = 0, which is P* itself).
 */
export type ResolvedCurationGaussianSpec =
  Required<Omit<ParsedCurationGaussianSpec, 'mean' | 'target' | 'realCounts'>> & { mean: number[]; target: number[]; realCounts: number[] };

const isFraction = (v: number) => (v >= 0 && v <= 1 ? null : 'must be between 0 and 1');

function asVector(given: number | number[], dim: number, field: string, issues: SpecIssue[]): number[] {
  if (!Array.isArray(given)) return new Array<number>(dim).fill(given);
  if (given.length !== dim) issues.push({ path: field, message: `must have dim = ${dim} entries, got ${given.length}` });
  return given;
}

function resolve(spec: ParsedCurationGaussianSpec): ResolvedCurationGaussianSpec {
  const issues: SpecIssue[] = [];
  const dim = spec.dim ?? 1, sigma = spec.sigma ?? 1, tau = spec.tau ?? 1;
  const mean = asVector(spec.mean ?? 0, dim, 'mean', issues);
  const target = asVector(spec.target, dim, 'target', issues);
  if (!issues.length) {
    const offset = Math.max(...target.map((c, j) => Math.abs(c - mean[j]) / sigma));
    if (!(offset <= MAX_TARGET_OFFSET)) {
      issues.push({ path: 'target', message: `must be within ${MAX_TARGET_OFFSET}·sigma of mean in every coordinate, got |c − μ*|/s* = ${offset}` });
    }
  }
  const candidates = spec.candidates ?? 4;
  // Candidate j of sample i, coordinate l, is normal (i·K + j)·dim + l: a u32 word counter.
  if (spec.n * candidates * dim > MAX_DRAWS) {
    issues.push({ path: 'n', message: `must keep n·candidates·dim at most ${MAX_DRAWS} normals a generation, got ${spec.n}·${candidates}·${dim} = ${spec.n * candidates * dim}` });
  }
  const ratio = tau / sigma;
  if (!(ratio >= TAU_RATIO_RANGE[0] && ratio <= TAU_RATIO_RANGE[1])) {
    issues.push({ path: 'tau', message: `must be between ${TAU_RATIO_RANGE[0]}·sigma and ${TAU_RATIO_RANGE[1]}·sigma, got tau/sigma = ${ratio}` });
  }
  const realFraction = spec.realFraction ?? 0;
  let fractions: number[] = [];
  try {
    fractions = resolveSchedule(realFraction, 1, spec.generations, 'realFraction', isFraction);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    issues.push(...error.issues);
  }
  if (issues.length) throw new SpecError(issues);
  return {
    model: spec.model,
    dim,
    n: spec.n,
    candidates,
    realFraction,
    mean,
    sigma,
    target,
    tau,
    generations: spec.generations,
    ...runDefaults(spec),
    realCounts: fractions.map((fraction, t) => (t === 0 ? 0 : Math.round(fraction * spec.n))),
  };
}

/** Validates a curation-gaussian spec and fills its defaults; throws a SpecError listing every problem. */
export function parseCurationGaussianSpec(input: unknown): ResolvedCurationGaussianSpec {
  return resolve(parseWithSchema(curationGaussianSpecSchema, input));
}

/** The chain's standardised parameters (x → (x − μ*)/s*): the reward's centre c' and width τ'. */
export function standardised(spec: Pick<ResolvedCurationGaussianSpec, 'mean' | 'sigma' | 'target' | 'tau'>): { target: number[]; tau: number } {
  return { target: spec.target.map((c, j) => (c - spec.mean[j]) / spec.sigma), tau: spec.tau / spec.sigma };
}
