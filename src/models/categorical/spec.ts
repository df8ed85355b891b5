/**
 * The contaminated next-token experiments (docs/science.md §4, Bakshi & Chakraborty 2026): a
 * categorical distribution P* over K tokens (`categorical`) and a Markov chain on K states
 * (`bigram`), each refitted by counting on samples from the mixture α_t P* + (1 − α_t) P̂_{t−1}.
 * Specs validated once here and resolved with every default filled; presets for both.
 */
import { z } from 'zod';
import { SpecError, type SpecIssue } from '../../core/spec/errors.js';
import { fields, integerBetween, numberAbove, numberList, tagged } from '../../core/spec/fields.js';
import { resolveSchedule, scheduleSchema, type ScheduleInput } from '../../core/spec/schedule.js';
import { BACKENDS, generationsField, runDefaults, runFields } from '../../core/spec/common.js';
import { parseWithSchema } from '../../core/spec/zod-issues.js';

/** Most tokens of a categorical model: one replicate's counts fill half of 32 KiB of workgroup memory. */
export const MAX_TOKENS = 4096;
/** Most states of a bigram model: a replicate's K×K estimate and counts take 2K² words. */
export const MAX_STATES = 256;
/** Tokens per generation: counts stay exact in the kernels' f32 metrics. */
export const MAX_SAMPLE_TOKENS = 2 ** 24;
/** How far given probabilities (a row of them, for bigram) may sum from 1. */
export const SUM_TOLERANCE = 1e-9;
/** Dirichlet concentration when none is given: uniform over the simplex. */
export const DEFAULT_DIRICHLET_ALPHA = 1;

const common = {
  /** Tokens fitting generation 0, all drawn from P*. */
  n0: integerBetween(1, MAX_SAMPLE_TOKENS),
  /** Tokens per generation t = 1..T. Default n0. */
  n: scheduleSchema.optional(),
  /** α_t: the share of P* in the mixture generation t samples from, t = 1..T. Default 0. */
  realFraction: scheduleSchema.optional(),
  generations: generationsField,
  ...runFields,
  /** Derived from n and realFraction; accepted so a saved resolved spec re-runs as is. */
  schedule: z.unknown().optional(),
};

/** Dirichlet(alpha, …, alpha) over `k` outcomes, drawn from the run's seed (src/models/categorical/model.ts). */
const dirichlet = (maxK: number) => fields({ kind: z.literal('dirichlet'), k: integerBetween(2, maxK), alpha: numberAbove(0).optional() });

const categoricalSpecSchema = fields({
  model: z.literal('categorical', { error: 'must be "categorical"' }),
  /** P*: K probabilities, or a seeded Dirichlet draw over K tokens. */
  probs: tagged([fields({ kind: z.literal('given'), values: numberList() }), dirichlet(MAX_TOKENS)]),
  ...common,
});

const bigramSpecSchema = fields({
  model: z.literal('bigram', { error: 'must be "bigram"' }),
  /** P*: K rows of K transition probabilities, or each row a seeded Dirichlet draw. */
  probs: tagged([
    fields({ kind: z.literal('given'), values: z.array(numberList(), { error: 'must be an array of rows (arrays of numbers)' }) }),
    dirichlet(MAX_STATES),
  ]),
  ...common,
  /** A sequence of n tokens has n − 1 transitions: at least one. */
  n0: integerBetween(2, MAX_SAMPLE_TOKENS),
});

/** What users write (JSON or TypeScript). */
export type CategoricalSpecInput = z.input<typeof categoricalSpecSchema>;
export type BigramSpecInput = z.input<typeof bigramSpecSchema>;

export type DirichletProbs = { kind: 'dirichlet'; k: number; alpha: number };
export type CategoricalProbs = { kind: 'given'; values: number[] } | DirichletProbs;
export type BigramProbs = { kind: 'given'; values: number[][] } | DirichletProbs;

/** Per-generation values, each of length T + 1 and indexed by generation t. */
export interface TokenSchedule {
  /** Tokens drawn at generation t; n[0] = n0. */
  n: number[];
  /** α_t; 1 at t = 0 (generation 0 sees P* only). */
  realFraction: number[];
}

interface ResolvedCommon {
  n0: number;
  /** As given (or defaulted) so the saved object re-parses to itself; the engine reads `schedule`. */
  n: ScheduleInput;
  realFraction: ScheduleInput;
  generations: number;
  replicates: number;
  seed: string | number;
  backend: (typeof BACKENDS)[number];
  schedule: TokenSchedule;
}

export type ResolvedCategoricalSpec = { model: 'categorical'; probs: CategoricalProbs } & ResolvedCommon;
export type ResolvedBigramSpec = { model: 'bigram'; probs: BigramProbs } & ResolvedCommon;

/** K: tokens of a categorical model, states of a bigram model. */
export function tokenCount(probs: CategoricalProbs | BigramProbs): number {
  return probs.kind === 'given' ? probs.values.length : probs.k;
}

function sumIssue(path: string, values: number[]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  values.forEach((v, i) => { if (v < 0) issues.push({ path: `${path}.${i}`, message: `must be a number ≥ 0, got ${v}` }); });
  const sum = values.reduce((a, b) => a + b, 0);
  if (!issues.length && Math.abs(sum - 1) > SUM_TOLERANCE) {
    issues.push({ path, message: `must sum to 1 (within ${SUM_TOLERANCE}), got a sum of ${sum}` });
  }
  return issues;
}

function checkCategoricalProbs(probs: CategoricalProbs): SpecIssue[] {
  if (probs.kind !== 'given') return [];
  const K = probs.values.length;
  if (K < 2 || K > MAX_TOKENS) {
    return [{ path: 'probs.values', message: `must have between 2 and ${MAX_TOKENS} entries (one per token), got ${K}` }];
  }
  return sumIssue('probs.values', probs.values);
}

function checkBigramProbs(probs: BigramProbs): SpecIssue[] {
  if (probs.kind !== 'given') return [];
  const K = probs.values.length;
  if (K < 2 || K > MAX_STATES) {
    return [{ path: 'probs.values', message: `must have between 2 and ${MAX_STATES} rows (one per state), got ${K}` }];
  }
  return probs.values.flatMap((row, s) => row.length !== K
    ? [{ path: `probs.values.${s}`, message: `must have K = ${K} entries (one per next state), got ${row.length}` }]
    : sumIssue(`probs.values.${s}`, row));
}

const roundsToTokenCount = (least: number) => (v: number) =>
  (Math.round(v) >= least && Math.round(v) <= MAX_SAMPLE_TOKENS ? null : `must round to an integer between ${least} and ${MAX_SAMPLE_TOKENS}`);
const isFraction = (v: number) => (v >= 0 && v <= 1 ? null : 'must be between 0 and 1');

type ParsedCommon = Omit<z.output<typeof categoricalSpecSchema>, 'model' | 'probs'>;

function resolveCommon(spec: ParsedCommon, leastTokens: number, issues: SpecIssue[]): ResolvedCommon | undefined {
  const T = spec.generations;
  const n = spec.n ?? spec.n0;
  const realFraction = spec.realFraction ?? 0;
  const collect = <V>(resolve: () => V): V | undefined => {
    try {
      return resolve();
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      issues.push(...error.issues);
      return undefined;
    }
  };
  const nValues = collect(() => resolveSchedule(n, 1, T, 'n', roundsToTokenCount(leastTokens)).map(Math.round));
  const realValues = collect(() => resolveSchedule(realFraction, 1, T, 'realFraction', isFraction));
  if (!nValues || !realValues) return undefined;
  nValues[0] = spec.n0;
  realValues[0] = 1;
  const schedule = { n: nValues, realFraction: realValues };
  if (spec.schedule !== undefined && JSON.stringify(spec.schedule) !== JSON.stringify(schedule)) {
    issues.push({ path: 'schedule', message: 'is derived from n0, n and realFraction and cannot be edited; change those fields or remove schedule' });
  }
  return {
    n0: spec.n0, n, realFraction, generations: T,
    ...runDefaults(spec), schedule,
  };
}

const withAlpha = <P extends CategoricalProbs | BigramProbs>(probs: P | { kind: 'dirichlet'; k: number; alpha?: number }): P =>
  (probs.kind === 'dirichlet' ? { ...probs, alpha: probs.alpha ?? DEFAULT_DIRICHLET_ALPHA } : probs) as P;

/** Validates a categorical spec and fills its defaults; throws a SpecError listing every problem. */
export function parseCategoricalSpec(input: unknown): ResolvedCategoricalSpec {
  const spec = parseWithSchema(categoricalSpecSchema, input);
  const probs = withAlpha<CategoricalProbs>(spec.probs);
  const issues = checkCategoricalProbs(probs);
  const resolved = resolveCommon(spec, 1, issues);
  if (issues.length || !resolved) throw new SpecError(issues);
  return { model: 'categorical', probs, ...resolved };
}

/** Validates a bigram spec and fills its defaults; throws a SpecError listing every problem. */
export function parseBigramSpec(input: unknown): ResolvedBigramSpec {
  const spec = parseWithSchema(bigramSpecSchema, input);
  const probs = withAlpha<BigramProbs>(spec.probs);
  const issues = checkBigramProbs(probs);
  const resolved = resolveCommon(spec, 2, issues);
  if (issues.length || !resolved) throw new SpecError(issues);
  return { model: 'bigram', probs, ...resolved };
}
