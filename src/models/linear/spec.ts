/**
 * The linear-regression experiment (docs/science.md §1–2): its spec, validated once here and
 * resolved into the object the engine runs, with every default filled and every schedule
 * turned into per-generation arrays. Nothing downstream re-checks a field.
 */
import { z } from 'zod';
import { SpecError, type SpecIssue } from '../../core/spec/errors.js';
import { fields, integerBetween, numberAboveAtMost, numberAtLeast, numberBetween, oneOf, tagged } from '../../core/spec/fields.js';
import { resolveSchedule, scheduleSchema, type ScheduleInput } from '../../core/spec/schedule.js';
import { parseWithSchema } from '../../core/spec/zod-issues.js';
import { MAX_D, MAX_RIDGE, MAX_RIDGE_TEXT, MAX_SAMPLES, MAX_SCALE, generationsField, runDefaults, runFields } from '../../core/spec/common.js';

export const MODES = ['replace', 'accumulate', 'mixture'] as const;
export const DESIGNS = ['fresh', 'fixed'] as const;
export type Mode = (typeof MODES)[number];
export type Design = (typeof DESIGNS)[number];

/** Mixture mode's real fraction when none is given: half fresh real data. */
export const DEFAULT_MIXTURE_REAL_FRACTION = 0.5;

/**
 * Largest condition number d^exponent of a power-law Σ. The estimate's error along a direction
 * of variance s grows like σ/√(n·s), so a tiny s overflows f32 statistics as surely as a huge σ
 * does (d = 4, exponent 20: an SE of Infinity); see MAX_SCALE.
 */
export const MAX_SPECTRUM_CONDITION = 1e4;

/** Σ = I, or Σ = diag(j^(−exponent)), j = 1..d. */
const spectrumSchema = tagged([
  fields({ kind: z.literal('identity') }),
  fields({ kind: z.literal('power'), exponent: numberAtLeast(0) }),
]);

/** θ*: a seeded random unit vector drawn by the engine, or given. */
const thetaSchema = tagged([
  fields({ kind: z.literal('random') }),
  fields({
    kind: z.literal('given'),
    values: z.array(numberBetween(-MAX_SCALE, MAX_SCALE), { error: 'must be an array of numbers' })
      .refine((v) => v.some((x) => x !== 0), { error: 'must not be all zero' }),
  }),
]);

/**
 * Yi et al.'s ball verifier: accept (x, ỹ) iff |ỹ − xᵀθ_c| ≤ radius·‖x‖ + slack, with the
 * knowledge center θ_c = θ* + bias·u, u a seeded random unit vector or 1/√d·(1, …, 1).
 */
const verifierSchema = tagged([
  fields({ kind: z.literal('none') }),
  fields({
    kind: z.literal('ball'),
    bias: numberBetween(0, MAX_SCALE),
    radius: numberAtLeast(0),
    slack: numberAtLeast(0).optional(),
    direction: oneOf(['random', 'ones']).optional(),
  }),
]);

const linearSpecSchema = fields({
  model: z.literal('linear', { error: 'must be "linear"' }),
  d: integerBetween(1, MAX_D),
  /** Noise of real labels. Default 1. */
  sigma: numberAboveAtMost(0, MAX_SCALE).optional(),
  /** Noise of synthetic labels. Default sigma. */
  syntheticSigma: numberBetween(0, MAX_SCALE).optional(),
  /** Real samples fitting generation 0. */
  n0: integerBetween(1, MAX_SAMPLES),
  /** Samples per generation t = 1..T. Default n0. */
  n: scheduleSchema.optional(),
  mode: oneOf(MODES).optional(),
  /** Mixture only: fraction of generation t's samples that are fresh real data, t = 1..T. */
  realFraction: scheduleSchema.optional(),
  /** fixed: every generation reuses the same inputs. */
  design: oneOf(DESIGNS).optional(),
  /** Ridge λ for generations t = 0..T. Default 0 (least squares: minimum-norm where n < d). */
  ridgeLambda: scheduleSchema.optional(),
  spectrum: spectrumSchema.optional(),
  theta: thetaSchema.optional(),
  verifier: verifierSchema.optional(),
  generations: generationsField,
  ...runFields,
  /** Derived from n, realFraction and ridgeLambda; accepted so a saved resolved spec re-runs as is. */
  schedule: z.unknown().optional(),
});

/** What users write (JSON or TypeScript). */
export type LinearSpecInput = z.input<typeof linearSpecSchema>;
type ParsedLinearSpec = z.output<typeof linearSpecSchema>;

export type Spectrum = z.output<typeof spectrumSchema>;
export type Theta = z.output<typeof thetaSchema>;
export type VerifierInput = z.output<typeof verifierSchema>;
/** The verifier with slack and direction filled. */
export type Verifier = Exclude<VerifierInput, { kind: 'ball' }> | Required<Extract<VerifierInput, { kind: 'ball' }>>;

/** Per-generation values, each of length T + 1 and indexed by generation t. */
export interface ResolvedSchedule {
  /** Samples fitting generation t; n[0] = n0. */
  n: number[];
  /** Fraction of generation t's samples that are real: 1 at t = 0, 0 after unless mode is mixture. */
  realFraction: number[];
  ridgeLambda: number[];
}

/**
 * Every field filled. `n`, `realFraction` and `ridgeLambda` keep the schedules as given (or
 * defaulted) so the object saved as JSON re-parses to itself; the engine reads `schedule`.
 */
export type ResolvedLinearSpec = Required<Omit<ParsedLinearSpec, 'n' | 'realFraction' | 'ridgeLambda' | 'verifier' | 'schedule'>> & {
  n: ScheduleInput;
  realFraction: ScheduleInput;
  ridgeLambda: ScheduleInput;
  verifier: Verifier;
  schedule: ResolvedSchedule;
};

const roundsToSampleCount = (v: number) =>
  (Math.round(v) >= 1 && Math.round(v) <= MAX_SAMPLES ? null : `must round to an integer between 1 and ${MAX_SAMPLES}`);
const isFraction = (v: number) => (v >= 0 && v <= 1 ? null : 'must be between 0 and 1');
const isRidge = (v: number) => (v >= 0 && v <= MAX_RIDGE ? null : `must be between 0 and ${MAX_RIDGE_TEXT}`);

/** Collects a resolver's SpecError into `issues` so every field's problem is reported at once. */
function collecting<T>(issues: SpecIssue[], resolve: () => T): T | undefined {
  try {
    return resolve();
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    issues.push(...error.issues);
    return undefined;
  }
}

/** Largest d with the minimum-norm fit: the one-thread-per-replicate kernel's (shaders/linear/linear.wgsl). */
export const MINIMUM_NORM_MAX_D = 16;

/**
 * Without ridge, a fit on fewer than d distinct inputs is underdetermined: n_t of them in replace
 * and mixture mode, all so far in accumulate mode (the same ones again with a fixed design). Replace
 * and mixture mode then fit the minimum-norm least-squares solution X⁺y (docs/science.md §1, over-parameterised regime), which
 * needs every sample kept (no verifier) and a fit made from this generation's samples alone (not
 * accumulate mode), and is implemented for d ≤ MINIMUM_NORM_MAX_D.
 */
function leastSquaresFeasibility(spec: { d: number; mode: Mode; design: Design; verifier: boolean }, schedule: ResolvedSchedule): SpecIssue | undefined {
  const { d, mode, design } = spec;
  const where = mode === 'accumulate' ? 'in accumulate mode' : spec.verifier ? 'with a verifier'
    : d > MINIMUM_NORM_MAX_D ? `at d > ${MINIMUM_NORM_MAX_D}` : undefined;
  let accumulated = 0;
  for (const [t, n] of schedule.n.entries()) {
    accumulated = design === 'fixed' ? Math.max(accumulated, n) : accumulated + n;
    const seen = mode === 'accumulate' ? accumulated : n;
    if (schedule.ridgeLambda[t] !== 0 || seen >= d || where === undefined) continue;
    const why = `without ridge (ridgeLambda = 0 at generation ${t}) ${where} (the minimum-norm fit of fewer samples is available in replace and mixture mode, without a verifier, for d ≤ ${MINIMUM_NORM_MAX_D})`;
    if (t === 0) return { path: 'n0', message: `must be ≥ d = ${d} ${why}, got ${n}; raise n0 or set ridgeLambda > 0` };
    const what = mode === 'accumulate' ? `${seen} distinct inputs accumulated by generation ${t}` : `${seen} at generation ${t}`;
    return { path: 'n', message: `must be ≥ d = ${d} per fit ${why}, got ${what}; raise n or set ridgeLambda > 0` };
  }
  return undefined;
}

function sameSchedule(given: unknown, resolved: ResolvedSchedule): boolean {
  return JSON.stringify(given) === JSON.stringify(resolved);
}

function resolve(spec: ParsedLinearSpec): ResolvedLinearSpec {
  const issues: SpecIssue[] = [];
  const T = spec.generations;
  const mode = spec.mode ?? 'replace';
  const design = spec.design ?? 'fresh';
  const sigma = spec.sigma ?? 1;
  const n = spec.n ?? spec.n0;
  const realFraction = spec.realFraction ?? (mode === 'mixture' ? DEFAULT_MIXTURE_REAL_FRACTION : 0);
  const ridgeLambda = spec.ridgeLambda ?? 0;

  const nValues = collecting(issues, () => resolveSchedule(n, 1, T, 'n', roundsToSampleCount).map(Math.round));
  const realValues = collecting(issues, () => resolveSchedule(realFraction, 1, T, 'realFraction', isFraction));
  const ridgeValues = collecting(issues, () => resolveSchedule(ridgeLambda, 0, T, 'ridgeLambda', isRidge));

  // A zero real fraction outside mixture mode is what those modes mean, so a saved resolved spec is accepted.
  if (mode !== 'mixture' && realValues?.some((v) => v !== 0)) {
    issues.push({ path: 'realFraction', message: `only used with mode "mixture", got mode "${mode}"` });
  }
  if (spec.spectrum?.kind === 'power' && spec.d ** spec.spectrum.exponent > MAX_SPECTRUM_CONDITION) {
    const most = Math.floor((1000 * Math.log(MAX_SPECTRUM_CONDITION)) / Math.log(spec.d)) / 1000;
    issues.push({
      path: 'spectrum.exponent',
      message: `must be ≤ ${most} for d = ${spec.d} (Σ's condition number d^exponent at most ${MAX_SPECTRUM_CONDITION}), got ${spec.spectrum.exponent}`,
    });
  }
  const theta = spec.theta ?? { kind: 'random' };
  if (theta.kind === 'given' && theta.values.length !== spec.d) {
    issues.push({ path: 'theta.values', message: `must have d = ${spec.d} entries, got ${theta.values.length}` });
  }

  let schedule: ResolvedSchedule | undefined;
  if (nValues && realValues && ridgeValues) {
    nValues[0] = spec.n0;
    realValues[0] = 1;
    schedule = { n: nValues, realFraction: realValues, ridgeLambda: ridgeValues };
    const infeasible = leastSquaresFeasibility({ d: spec.d, mode, design, verifier: spec.verifier?.kind === 'ball' }, schedule);
    if (infeasible) issues.push(infeasible);
    if (spec.schedule !== undefined && !sameSchedule(spec.schedule, schedule)) {
      issues.push({ path: 'schedule', message: 'is derived from n, realFraction and ridgeLambda and cannot be edited; change those fields or remove schedule' });
    }
  }
  if (issues.length || !schedule) throw new SpecError(issues);

  const verifier = spec.verifier ?? { kind: 'none' };
  return {
    model: spec.model,
    d: spec.d,
    sigma,
    syntheticSigma: spec.syntheticSigma ?? sigma,
    n0: spec.n0,
    n,
    mode,
    realFraction,
    design,
    ridgeLambda,
    spectrum: spec.spectrum ?? { kind: 'identity' },
    theta,
    // Yi et al.'s code uses slack √(2/π)·σ = E|ε|, the mean absolute label noise.
    verifier: verifier.kind === 'ball'
      ? { ...verifier, slack: verifier.slack ?? Math.sqrt(2 / Math.PI) * sigma, direction: verifier.direction ?? 'random' }
      : verifier,
    generations: T,
    ...runDefaults(spec),
    schedule,
  };
}

/** Validates a linear spec and fills its defaults; throws a SpecError listing every problem. */
export function parseLinearSpec(input: unknown): ResolvedLinearSpec {
  return resolve(parseWithSchema(linearSpecSchema, input));
}
