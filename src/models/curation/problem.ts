/**
 * What both backends and the closed forms read of a curation spec: P* (given, or a seeded Dirichlet draw
 * made as `categorical` makes it, so one seed names the same P* in both models), its fixed-point table,
 * and each curator's integer weights, rewards and maximisers.
 */
import type { ResolvedCurationSpec } from './spec.js';
import { keyFromSeed, Stream, type Key } from '../../core/random/address.js';
import { boxMuller, randomWords, uniformOpen01 } from '../../core/cpu/random.js';
import { curationClosedForms, curatorWeights, type CuratorForm, type CurationTheoryInput } from './theory.js';
import type { ClosedForm } from '../../core/engine/model.js';

/** Total weight of a fixed-point table (P*, the curators' shares). */
export const FIXED_TOTAL = 0xffffffff;

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

/** ⌊word·total/2³²⌋, exactly (16-bit halves keep every product below 2⁵³); WGSL: mulhilo32(word, total).x. */
export function scaleWord(word: number, total: number): number {
  const hi = word >>> 16, lo = word & 0xffff;
  return Math.floor((hi * total + Math.floor((lo * total) / 65536)) / 65536);
}

/** The k with C[k−1] ≤ j < C[k] (C[−1] = 0) for j < C[size−1], by bisection over `size` entries from `offset` (as the kernel searches). */
export function searchCumulative(table: ArrayLike<number>, offset: number, size: number, j: number): number {
  let low = 0, high = size - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (table[offset + middle] <= j) low = middle + 1; else high = middle;
  }
  return low;
}

/** round(FIXED_TOTAL·cumulative share), the last entry exactly FIXED_TOTAL: a zero share is never drawn. */
export function fixedPointCumulative(shares: ArrayLike<number>): Uint32Array {
  let sum = 0;
  for (let k = 0; k < shares.length; k++) sum += shares[k];
  const table = new Uint32Array(shares.length);
  let running = 0;
  for (let k = 0; k < shares.length; k++) {
    running += shares[k];
    table[k] = Math.min(FIXED_TOTAL, Math.round((FIXED_TOTAL * running) / sum));
  }
  table[shares.length - 1] = FIXED_TOTAL;
  return table;
}

/**
 * log Gamma(shape) for component k of a Dirichlet row, from the setup stream: attempt a uses the counter
 * (k, 0, setup, a) until Marsaglia & Tsang's squeeze accepts (the convention of src/models/categorical).
 */
function logGammaVariate(key: Key, shape: number, component: number): number {
  const boosted = shape < 1 ? shape + 1 : shape;
  const d = boosted - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (let attempt = 0; ; attempt++) {
    const words = randomWords(key, component, 0, Stream.setup, attempt);
    const [x] = boxMuller(words[0], words[1]);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    if (Math.log(uniformOpen01(words[2])) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
      const logValue = Math.log(d * v);
      return shape < 1 ? logValue + Math.log(uniformOpen01(words[3])) / shape : logValue;
    }
  }
}

function starOf(spec: ResolvedCurationSpec, key: Key): Float64Array {
  const { probs } = spec;
  const values = probs.kind === 'given'
    ? probs.values
    : (() => {
      const logs = Array.from({ length: probs.k }, (_, k) => logGammaVariate(key, probs.alpha, k));
      const top = Math.max(...logs);
      return logs.map((l) => Math.exp(l - top));
    })();
  const sum = values.reduce((a, b) => a + b, 0);
  return Float64Array.from(values, (v) => v / sum);
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
