/**
 * What both backends and the closed forms read of a curation spec: P* (given, or a seeded Dirichlet draw
 * made as `categorical` makes it, src/core/cpu/tokens.ts, so one seed names the same P* in both models),
 * its fixed-point table, and each curator's integer weights, rewards and maximisers.
 */
import type { ResolvedCurationSpec } from './spec.js';
import { keyFromSeed, type Key } from '../../core/random/address.js';
import { dirichletRow, fixedPointCumulative } from '../../core/cpu/tokens.js';
import { curationClosedForms, curatorWeights, type CuratorForm, type CurationTheoryInput } from './theory.js';
import type { ClosedForm } from '../../core/engine/model.js';

export interface CurationProblem {
  V: number;
  key: Key;
  pStar: Float64Array;
  /** P* as fixedPointCumulative: what both backends draw fresh tokens and generation 1's candidates from. */
  starCumulative: Uint32Array;
  /** The curators' shares w_i as a fixed-point cumulative table (C entries). */
  curatorCumulative: Uint32Array;
  /** Curator i's integer weight of token k at i·V + k (theory.ts curatorWeights). */
  weights: Uint32Array;
  curators: CuratorForm[];
}

function starOf(spec: ResolvedCurationSpec, key: Key): Float64Array {
  const { probs } = spec;
  if (probs.kind === 'dirichlet') return dirichletRow(key, probs.k, probs.alpha, 0);
  const sum = probs.values.reduce((a, b) => a + b, 0);
  return Float64Array.from(probs.values, (v) => v / sum);
}

export function buildCurationProblem(spec: ResolvedCurationSpec): CurationProblem {
  const key = keyFromSeed(spec.seed);
  const pStar = starOf(spec, key);
  const V = pStar.length;
  const weights = new Uint32Array(spec.curators.length * V);
  const curators = spec.curators.map((curator, i) => {
    const b = curatorWeights(curator.reward);
    weights.set(b, i * V);
    return { weight: curator.weight, b, reward: curator.reward };
  });
  return {
    V, key, pStar, starCumulative: fixedPointCumulative(pStar),
    curatorCumulative: fixedPointCumulative(spec.curators.map((c) => c.weight)),
    weights, curators,
  };
}

/** The closed forms' input for a cell: λ_t = m_t/n (λ_0 = 1). */
export function theoryInput(spec: ResolvedCurationSpec, problem: CurationProblem = buildCurationProblem(spec)): CurationTheoryInput {
  return { pStar: problem.pStar, curators: problem.curators, candidates: spec.candidates, lambdas: spec.realCounts.map((m) => m / spec.n) };
}

/** The metrics a cell reports (the others are null): five, and each curator's reward and mass where there are several. */
export function shownMetrics(spec: ResolvedCurationSpec): string[] {
  const C = spec.curators.length;
  const perCurator = C > 1 ? ['reward', 'top'].flatMap((m) => Array.from({ length: C }, (_, i) => `${m}${i + 1}`)) : [];
  return ['reward', 'top', 'divergence', 'entropy', 'nash', ...perCurator];
}

/** The population path of every metric a cell reports (the chart overlays them all). */
export function cellClosedForms(spec: ResolvedCurationSpec): ClosedForm[] {
  const shown = new Set(shownMetrics(spec));
  return curationClosedForms(theoryInput(spec)).filter((form) => shown.has(form.metric));
}
