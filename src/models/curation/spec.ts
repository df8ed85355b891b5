/**
 * Curated retraining on tokens (docs/science.md §8; Ferbach, Bertrand, Bose & Gidel 2024, arXiv:2407.09499;
 * several curators: Falahati, Mohammadi Amiri, Larson & Golab 2026, arXiv:2605.07724, and Zhao, Fu & Pham 2025,
 * arXiv:2511.09002): its spec, validated once here and resolved with every default filled.
 *
 * Tokens 0..V−1 with data distribution P* (given, or a seeded Dirichlet draw as `categorical` makes it).
 * Generation 0 is P* itself (the paper's p_0). Each generation t ≥ 1 refits p̂_t by counting n tokens:
 * m_t = round(λ_t·n) fresh from P*, the other n − m_t curated — K candidates drawn from p̂_{t−1}, a curator
 * (curator i with probability w_i) keeps one with probability e^{r_i(x_j)}/Σ_l e^{r_i(x_l)} (Bradley–Terry).
 */
import { z } from 'zod';
import { SpecError, type SpecIssue } from '../../core/spec/errors.js';
import { fields, integerBetween, numberAbove, numberList, tagged } from '../../core/spec/fields.js';
import { resolveSchedule, scheduleSchema, type ScheduleInput } from '../../core/spec/schedule.js';
import { MAX_SAMPLES, generationsField, runDefaults, runFields } from '../../core/spec/common.js';
import { parseWithSchema } from '../../core/spec/zod-issues.js';

/** Most tokens: a replicate carries V counts and V cumulative counts in the kernel's state. */
export const MAX_TOKENS = 256;
/** Most candidates per curated choice: the curator's integer weights of K candidates sum below 2³² (CURATOR_WEIGHT_BITS). */
export const MAX_CANDIDATES = 32;
/** Most curators (the kernel keeps their sums in vec3s). */
export const MAX_CURATORS = 3;
/** Largest |r|: e^r stays finite and normal in f32 (e^30 ≈ 1.1e13). */
export const MAX_REWARD = 30;
/** How far given probabilities, or the curators' weights, may sum from 1. */
export const SUM_TOLERANCE = 1e-9;
/** Dirichlet concentration when none is given: uniform over the simplex. */
export const DEFAULT_DIRICHLET_ALPHA = 1;

const rewardError = `must be an array of finite numbers between -${MAX_REWARD} and ${MAX_REWARD}`;
const rewardList = z.array(z.number({ error: rewardError }).min(-MAX_REWARD, { error: rewardError }).max(MAX_REWARD, { error: rewardError }), { error: rewardError });

const curationSpecSchema = fields({
  model: z.literal('curation', { error: 'must be "curation"' }),
  /** P*: V probabilities, or a seeded Dirichlet draw over V tokens. */
  probs: tagged([
    fields({ kind: z.literal('given'), values: numberList() }),
    fields({ kind: z.literal('dirichlet'), k: integerBetween(2, MAX_TOKENS), alpha: numberAbove(0).optional() }),
  ]),
  /** One curator's reward r over the V tokens (exclusive with `curators`). */
  reward: rewardList.optional(),
  /** Several curators: each choice is made by curator i with probability `weight` (the weights sum to 1). */
  curators: z.array(fields({ weight: numberAbove(0), reward: rewardList }), { error: 'must be an array of { weight, reward } objects' }).optional(),
  /** K: candidates drawn from p̂_{t−1} for each curated token (≥ 2). */
  candidates: integerBetween(2, MAX_CANDIDATES),
  /** Tokens each generation t ≥ 1 is refitted on (fresh and curated together). */
  n: integerBetween(1, MAX_SAMPLES),
  /** λ_t: the share of fresh P* tokens at generation t = 1..T (round(λ_t·n) of them). Default 0. */
  realFraction: scheduleSchema.optional(),
  generations: generationsField,
  ...runFields,
  /** Derived from n and realFraction; accepted (and checked) so a saved resolved spec re-runs as is. */
  realCounts: z.unknown().optional(),
});

export type CurationSpecInput = z.input<typeof curationSpecSchema>;

export type CurationProbs = { kind: 'given'; values: number[] } | { kind: 'dirichlet'; k: number; alpha: number };
export interface Curator { weight: number; reward: number[] }

export interface ResolvedCurationSpec {
  model: 'curation';
  probs: CurationProbs;
  /** Always the list (one curator of weight 1 where `reward` was given). */
  curators: Curator[];
  candidates: number;
  n: number;
  /** As given (or defaulted) so the saved object re-parses to itself; the engine reads `realCounts`. */
  realFraction: ScheduleInput;
  generations: number;
  replicates: number;
  seed: string | number;
  backend: 'auto' | 'webgpu' | 'cpu';
  /** m_t = round(λ_t·n), fresh P* tokens at generation t (index t; m_0 = n: generation 0 is P* itself). */
  realCounts: number[];
}

/** V, the number of tokens. */
export function tokenCount(probs: CurationProbs): number {
  return probs.kind === 'given' ? probs.values.length : probs.k;
}

function probsIssues(probs: CurationProbs): SpecIssue[] {
  if (probs.kind !== 'given') return [];
  const V = probs.values.length;
  if (V < 2 || V > MAX_TOKENS) return [{ path: 'probs.values', message: `must have between 2 and ${MAX_TOKENS} entries (one per token), got ${V}` }];
  const issues: SpecIssue[] = [];
  probs.values.forEach((v, i) => { if (v < 0) issues.push({ path: `probs.values.${i}`, message: `must be a number ≥ 0, got ${v}` }); });
  const sum = probs.values.reduce((a, b) => a + b, 0);
  if (!issues.length && Math.abs(sum - 1) > SUM_TOLERANCE) issues.push({ path: 'probs.values', message: `must sum to 1 (within ${SUM_TOLERANCE}), got a sum of ${sum}` });
  return issues;
}

function curatorsOf(spec: { reward?: number[]; curators?: Curator[] }, V: number, issues: SpecIssue[]): Curator[] {
  if (spec.reward === undefined && spec.curators === undefined) {
    issues.push({ path: 'reward', message: 'must be given (one curator), or else curators (several)' });
    return [];
  }
  if (spec.reward !== undefined && spec.curators !== undefined) {
    issues.push({ path: 'curators', message: 'must not be given with reward: reward for one curator, curators for several' });
    return [];
  }
  const curators = spec.curators ?? [{ weight: 1, reward: spec.reward! }];
  const path = (i: number) => (spec.curators ? `curators.${i}.reward` : 'reward');
  if (curators.length < 1 || curators.length > MAX_CURATORS) {
    issues.push({ path: 'curators', message: `must have between 1 and ${MAX_CURATORS} entries, got ${curators.length}` });
  }
  curators.forEach((curator, i) => {
    if (curator.reward.length !== V) issues.push({ path: path(i), message: `must have V = ${V} entries (one per token), got ${curator.reward.length}` });
  });
  const total = curators.reduce((a, c) => a + c.weight, 0);
  if (spec.curators && Math.abs(total - 1) > SUM_TOLERANCE) {
    issues.push({ path: 'curators', message: `weights must sum to 1 (within ${SUM_TOLERANCE}), got a sum of ${total}` });
  }
  return curators;
}

/** Validates a curation spec and fills its defaults; throws a SpecError listing every problem. */
export function parseCurationSpec(input: unknown): ResolvedCurationSpec {
  const spec = parseWithSchema(curationSpecSchema, input);
  const probs: CurationProbs = spec.probs.kind === 'dirichlet' ? { ...spec.probs, alpha: spec.probs.alpha ?? DEFAULT_DIRICHLET_ALPHA } : spec.probs;
  const issues = probsIssues(probs);
  const curators = curatorsOf(spec, tokenCount(probs), issues);
  const realFraction = spec.realFraction ?? 0;
  let realCounts: number[] | undefined;
  try {
    const fractions = resolveSchedule(realFraction, 1, spec.generations, 'realFraction', (v) => (v >= 0 && v <= 1 ? null : 'must be between 0 and 1'));
    realCounts = fractions.map((f, t) => (t === 0 ? spec.n : Math.round(f * spec.n)));
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    issues.push(...error.issues);
  }
  if (realCounts && spec.realCounts !== undefined && JSON.stringify(spec.realCounts) !== JSON.stringify(realCounts)) {
    issues.push({ path: 'realCounts', message: 'is derived from n and realFraction and cannot be edited; change those fields or remove realCounts' });
  }
  if (issues.length || !realCounts) throw new SpecError(issues);
  return {
    model: 'curation', probs, curators: curators.map((c) => ({ weight: c.weight, reward: [...c.reward] })),
    candidates: spec.candidates, n: spec.n, realFraction, generations: spec.generations,
    ...runDefaults(spec), realCounts,
  };
}
