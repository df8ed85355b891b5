/**
 * Float64 twin of shaders/curation/curation.wgsl: one generation of every replicate of every cell on the
 * same random words and the same integer draws (token for token), with the metrics in float64.
 *
 * Random words of generation t ≥ 1, replicate r: token i owns the 2K + 1 words of addresses
 * i·A .. i·A + A − 1 (A = ⌈(2K + 1)/4⌉, stream `inputs`, counter (r, t)), word m being component m mod 4 of
 * address i·A + ⌊m/4⌋. Tokens i < m_t are fresh: word 0 draws from P*. The others are curated: word 0 picks
 * the curator (by its fixed-point share), word 1 + 2j draws candidate j from p̂_{t−1} and word 2 + 2j decides
 * whether it replaces the candidate kept so far — weighted reservoir sampling: with T_j the curator's weight
 * summed over candidates 0..j, candidate j is kept iff ⌊word·T_j/2³²⌋ < b(x_j), so the candidate finally kept
 * is x_j with probability b(x_j)/T_K (to within 2⁻³²). A draw from a cumulative table C of total S turns a
 * word w into ⌊w·S/2³²⌋ and finds the token whose interval holds it: p̂_{t−1} from its cumulative counts
 * (S = n), P* from its fixed-point table (S = 2³² − 1), which is also generation 1's p̂_0 (p_0 = P*).
 */
import type { ResolvedCurationSpec } from './spec.js';
import type { CurationProblem } from './problem.js';
import { FIXED_POINT_TOTAL, scaleWord, searchCumulative } from '../../core/cpu/tokens.js';
import { Stream } from '../../core/random/address.js';
import { randomWords } from '../../core/cpu/random.js';
import { emptySums, type CellSums } from '../../core/engine/metrics.js';
import { snapshotArray, type Snapshot } from '../../core/engine/snapshot.js';

/** Per-replicate metric columns, written by both backends (prepended to the WGSL as METRIC_*). */
export const CurationMetric = {
  /** Σ_i w_i E_{p̂}[r_i]. */
  reward: 0,
  /** p̂'s mass on tokens that maximise some curator's reward. */
  top: 1,
  /** KL(p̂ ‖ P*). */
  divergence: 2,
  /** Entropy of p̂ (nats). */
  entropy: 3,
  /** Σ_i w_i log E_{p̂} e^{r_i}: the weighted Nash product's logarithm. */
  nash: 4,
  /** E_{p̂}[r_i] per curator (0 for curators the spec does not have). */
  reward1: 5,
  reward2: 6,
  reward3: 7,
  /** p̂'s mass on curator i's maximisers. */
  top1: 8,
  top2: 9,
  top3: 10,
} as const;
export const CURATION_COLUMNS = Object.keys(CurationMetric).length;

/** Random words a token owns: the curator's, and a draw and a decision per candidate. */
export const wordsPerToken = (K: number) => 2 * K + 1;
/** Addresses (four words each) a token owns. */
export const addressesPerToken = (K: number) => Math.ceil(wordsPerToken(K) / 4);

/** log E e^x from E e^x and E (e^x − 1) (x ≤ 0): log1p of the second above ½, where log of the first would lose it. */
export const logMeanExp = (mean: number, meanMinusOne: number) => (mean > 0.5 ? Math.log1p(meanMinusOne) : Math.log(mean));

/** The metrics of p (a distribution over V tokens) into `row`, in CurationMetric order. */
export function curationMetrics(p: ArrayLike<number>, problem: CurationProblem, row: Float64Array): void {
  row.fill(0);
  const { V, pStar, curators } = problem;
  const tops = curators.map((c) => Math.max(...c.reward));
  // E e^{r − max r} and E (e^{r − max r} − 1) per curator: log of the first where it is small, log1p of the
  // second where it is near 1 (each keeps its precision there).
  const exps = new Float64Array(curators.length), expm1s = new Float64Array(curators.length);
  for (let k = 0; k < V; k++) {
    const q = p[k];
    if (q === 0) continue;
    row[CurationMetric.divergence] += q * Math.log(q / pStar[k]);
    row[CurationMetric.entropy] -= q * Math.log(q);
    let best = false;
    curators.forEach((c, i) => {
      row[CurationMetric.reward1 + i] += q * c.reward[k];
      exps[i] += q * Math.exp(c.reward[k] - tops[i]);
      expm1s[i] += q * Math.expm1(c.reward[k] - tops[i]);
      if (c.reward[k] === tops[i]) { row[CurationMetric.top1 + i] += q; best = true; }
    });
    if (best) row[CurationMetric.top] += q;
  }
  curators.forEach((c, i) => {
    row[CurationMetric.reward] += c.weight * row[CurationMetric.reward1 + i];
    row[CurationMetric.nash] += c.weight * (tops[i] + logMeanExp(exps[i], expm1s[i]));
  });
}

export class CurationTwin {
  private readonly V: number;
  private readonly R: number;
  /** p̂ of the last generation as counts, cell-major then replicate-major, V per replicate (zero after t = 0: p̂_0 = P*). */
  private readonly counts: Uint32Array;
  private readonly metrics: Float64Array;

  /** `cells` share P*, the curators, replicates and seed; n, K and λ may differ. Replicates count from `firstReplicate`. */
  constructor(private readonly cells: readonly ResolvedCurationSpec[], private readonly problem: CurationProblem, private readonly firstReplicate = 0) {
    this.V = problem.V;
    this.R = cells[0].replicates;
    this.counts = new Uint32Array(cells.length * this.R * this.V);
    this.metrics = new Float64Array(cells.length * this.R * CURATION_COLUMNS);
  }

  replicateCounts(): Uint32Array {
    return this.counts.slice();
  }

  replicateMetrics(): Float64Array {
    return this.metrics.slice();
  }

  snapshot(): Snapshot {
    return { counts: this.replicateCounts() };
  }

  restore(snapshot: Snapshot): void {
    this.counts.set(snapshotArray(snapshot, 'counts', Uint32Array, this.counts.length));
  }

  destroy(): void {}

  step(t: number): CellSums[] {
    const { V, R, problem } = this;
    const cumulative = new Uint32Array(V);
    const p = new Float64Array(V);
    return this.cells.map((cell, c) => {
      const sums = emptySums(CURATION_COLUMNS);
      for (let r = 0; r < R; r++) {
        const offset = (c * R + r) * V;
        const counts = this.counts.subarray(offset, offset + V);
        if (t === 0) {
          counts.fill(0);
          p.set(problem.pStar);
        } else {
          this.drawGeneration(cell, t, this.firstReplicate + r, counts, cumulative);
          for (let k = 0; k < V; k++) p[k] = counts[k] / cell.n;
        }
        const row = this.metrics.subarray((c * R + r) * CURATION_COLUMNS, (c * R + r + 1) * CURATION_COLUMNS);
        curationMetrics(p, problem, row);
        for (let m = 0; m < CURATION_COLUMNS; m++) {
          sums.sum[m] += row[m];
          sums.sumSquares[m] += row[m] * row[m];
        }
      }
      return sums;
    });
  }

  /** Generation t ≥ 1 of one replicate: p̂_{t−1}'s counts in, p̂_t's out. */
  private drawGeneration(cell: ResolvedCurationSpec, t: number, replicate: number, counts: Uint32Array, cumulative: Uint32Array): void {
    const { V, problem } = this;
    const { n, candidates: K } = cell;
    const fresh = cell.realCounts[t], A = addressesPerToken(K), C = problem.curators.length;
    // p̂_{t−1}: P*'s fixed-point table at t = 1, else the cumulative counts.
    const previous = t === 1 ? problem.starCumulative : cumulative;
    const total = t === 1 ? FIXED_POINT_TOTAL : n;
    if (t > 1) {
      let running = 0;
      for (let k = 0; k < V; k++) cumulative[k] = running += counts[k];
    }
    counts.fill(0);
    const words = new Array<number>(4 * A);
    for (let i = 0; i < n; i++) {
      const first = randomWords(problem.key, replicate, t, Stream.inputs, i * A);
      if (i < fresh) {
        counts[searchCumulative(problem.starCumulative, 0, V, scaleWord(first[0], FIXED_POINT_TOTAL))]++;
        continue;
      }
      for (let a = 0; a < A; a++) {
        const w = a === 0 ? first : randomWords(problem.key, replicate, t, Stream.inputs, i * A + a);
        for (let e = 0; e < 4; e++) words[4 * a + e] = w[e];
      }
      const curator = C === 1 ? 0 : searchCumulative(problem.curatorCumulative, 0, C, scaleWord(words[0], FIXED_POINT_TOTAL));
      let kept = 0, weightSum = 0;
      for (let j = 0; j < K; j++) {
        const token = searchCumulative(previous, 0, V, scaleWord(words[1 + 2 * j], total));
        const b = problem.weights[curator * V + token];
        weightSum += b;
        if (scaleWord(words[2 + 2 * j], weightSum) < b) kept = token;
      }
      counts[kept]++;
    }
  }
}
