/**
 * The contaminated next-token models (docs/science.md §4, Bakshi & Chakraborty 2026) as the engine
 * sees them: `categorical` (shaders/categorical/categorical.wgsl via src/models/categorical/gpu.ts, twin
 * src/models/categorical/twin.ts) and `bigram` (shaders/categorical/bigram.wgsl via src/models/categorical/bigram-gpu.ts, twin
 * src/models/categorical/bigram-twin.ts). Here: P* from the spec (a seeded Dirichlet draw where asked), the
 * statistics of a generation, and the model definitions.
 */
import {
  parseBigramSpec, parseCategoricalSpec, tokenCount,
  type BigramProbs, type CategoricalProbs, type ResolvedBigramSpec, type ResolvedCategoricalSpec,
} from './spec.js';
import { describeSchedule } from '../../core/spec/schedule.js';
import { keyFromSeed } from '../../core/random/address.js';
import { CATEGORICAL_COLUMNS, CategoricalColumn, CategoricalTwin } from './twin.js';
import { dirichletRow, fixedPointCumulative } from '../../core/cpu/tokens.js';
import { BIGRAM_COLUMNS, BigramColumn, BigramTwin } from './bigram-twin.js';
import { CategoricalGpu, type CategoricalGpuOptions } from './gpu.js';
import { BigramGpu } from './bigram-gpu.js';
import { categoricalRisk } from './theory.js';
import type { TokenProblem } from './problem.js';
import { scienceSource } from '../../core/theory/science.js';
import { standardError } from '../../core/engine/stats.js';
import { finishingStepper, type Runner } from '../../core/engine/stepper.js';
import { checkSweepCells } from '../../core/engine/experiment.js';
import type { MetricSums } from '../../core/engine/metrics.js';
import type { Estimate } from '../../core/engine/result.js';
import type { Backend, ClosedForm, MetricColumn, ModelDefinition, Stepper, StepperOptions } from '../../core/engine/model.js';
import { bigramView, categoricalView } from './view.js';

const normalised = (values: readonly number[]) => {
  const sum = values.reduce((a, b) => a + b, 0);
  return Float64Array.from(values, (v) => v / sum);
};

/** P* of a spec: its rows (one for categorical, K for bigram), given or drawn from the seed. */
function problemFrom(probs: CategoricalProbs | BigramProbs, seed: string | number, rows: 'one' | 'K'): TokenProblem {
  const K = tokenCount(probs);
  const key = keyFromSeed(seed);
  const count = rows === 'one' ? 1 : K;
  const matrix = new Float64Array(count * K);
  for (let s = 0; s < count; s++) {
    const row = probs.kind === 'dirichlet'
      ? dirichletRow(key, K, probs.alpha, s)
      : normalised((rows === 'one' ? probs.values : probs.values[s]) as number[]);
    matrix.set(row, s * K);
  }
  const cumulative = new Uint32Array(count * K);
  for (let s = 0; s < count; s++) cumulative.set(fixedPointCumulative(matrix.subarray(s * K, (s + 1) * K)), s * K);
  return { K, key, probs: matrix, cumulative };
}

/** The problem of every cell; cells with the same probs share one object (the GPU uploads each once). */
function problemsOf(cells: (ResolvedCategoricalSpec | ResolvedBigramSpec)[]): TokenProblem[] {
  const built = new Map<string, TokenProblem>();
  return cells.map((cell) => {
    const id = JSON.stringify(cell.probs);
    let problem = built.get(id);
    if (!problem) built.set(id, (problem = problemFrom(cell.probs, cell.seed, cell.model === 'categorical' ? 'one' : 'K')));
    return problem;
  });
}

export function buildCategoricalProblem(spec: ResolvedCategoricalSpec): TokenProblem {
  return problemFrom(spec.probs, spec.seed, 'one');
}

export function buildBigramProblem(spec: ResolvedBigramSpec): TokenProblem {
  return problemFrom(spec.probs, spec.seed, 'K');
}

export interface CategoricalGenerationStats {
  t: number;
  /** Mean ‖P̂_t − P*‖² over replicates (R_t of docs/science.md §4). */
  r: Estimate;
  rSE: Estimate;
  /** Mean total variation ½‖P̂_t − P*‖₁. */
  tv: Estimate;
  tvSE: Estimate;
  /** Mean KL(P* ‖ P̂_t smoothed add-½: (count + ½)/(n_t + K/2)). */
  kl: Estimate;
  klSE: Estimate;
  /** Fraction of replicates whose P̂_t is a point mass. */
  absorbed: Estimate;
  replicates: number;
}

export interface BigramGenerationStats {
  t: number;
  /** Mean over replicates of Σ_rows ‖P̂_row − P*_row‖² / K. */
  r: Estimate;
  rSE: Estimate;
  /** Mean over replicates of the rows' mean total variation. */
  tv: Estimate;
  tvSE: Estimate;
  /** Mean over replicates of the rows' mean KL(P*_row ‖ P̂_row smoothed add-½). */
  kl: Estimate;
  klSE: Estimate;
  replicates: number;
}

/** Mean and standard error of one metric column over R replicates (null where undefined). */
function meanWithError(sums: MetricSums, column: number, R: number): [Estimate, Estimate] {
  return [sums.sum[column] / R, standardError(sums.sum[column], sums.sumSquares[column], R)];
}

/** categoricalModel.finish: a cell's generation-t statistics from its column sums over all R replicates. */
export function finishCategorical(t: number, cell: ResolvedCategoricalSpec, sums: MetricSums): CategoricalGenerationStats {
  const R = cell.replicates;
  const [r, rSE] = meanWithError(sums, CategoricalColumn.r, R);
  const [tv, tvSE] = meanWithError(sums, CategoricalColumn.tv, R);
  const [kl, klSE] = meanWithError(sums, CategoricalColumn.kl, R);
  return { t, r, rSE, tv, tvSE, kl, klSE, absorbed: sums.sum[CategoricalColumn.absorbed] / R, replicates: R };
}

/** bigramModel.finish: as finishCategorical, for the chain's rows. */
export function finishBigram(t: number, cell: ResolvedBigramSpec, sums: MetricSums): BigramGenerationStats {
  const R = cell.replicates;
  const [r, rSE] = meanWithError(sums, BigramColumn.r, R);
  const [tv, tvSE] = meanWithError(sums, BigramColumn.tv, R);
  const [kl, klSE] = meanWithError(sums, BigramColumn.kl, R);
  return { t, r, rSE, tv, tvSE, kl, klSE, replicates: R };
}

type TokenRunner = Runner & {
  replicateCounts(): Promise<Uint32Array> | Uint32Array;
  replicateMetrics(): Promise<Float32Array | Float64Array> | Float64Array;
};

/**
 * Rows: `counts`, behind every replicate's P̂ (categorical K per replicate, bigram K×K cumulative
 * rows), and `metrics`, its CategoricalColumn or BigramColumn row.
 */
function tokenStepper<S, G extends { t: number }>(cells: S[], runner: TokenRunner, finish: (t: number, cell: S, sums: MetricSums) => G): Stepper<G> {
  return finishingStepper(cells, runner, finish, async () => ({ counts: await runner.replicateCounts(), metrics: await runner.replicateMetrics() }));
}

/** The categorical stepper of some cells on a backend (the model's createStepper, typed for tests). */
export async function createCategoricalStepper(cells: ResolvedCategoricalSpec[], backend: Backend, options: CategoricalGpuOptions): Promise<Stepper<CategoricalGenerationStats>> {
  checkSweepCells(categoricalModel, cells);
  const problems = problemsOf(cells);
  const runner = backend.kind === 'webgpu'
    ? await CategoricalGpu.create(backend.gpu, cells, problems, options)
    : new CategoricalTwin(cells, problems, options.firstReplicate);
  return tokenStepper(cells, runner, finishCategorical);
}

/** The bigram stepper of some cells on a backend (the model's createStepper, typed for tests). */
export async function createBigramStepper(cells: ResolvedBigramSpec[], backend: Backend, options: StepperOptions): Promise<Stepper<BigramGenerationStats>> {
  checkSweepCells(bigramModel, cells);
  const problems = problemsOf(cells);
  const runner = backend.kind === 'webgpu'
    ? await BigramGpu.create(backend.gpu, cells, problems, options)
    : new BigramTwin(cells, problems, options.firstReplicate);
  return tokenStepper(cells, runner, finishBigram);
}

/** Fields a sweep may vary: sizes, the real share and P*'s concentration; K is fixed (it shapes the kernels). */
const SWEEPABLE = ['n0', 'n', 'realFraction', 'probs.alpha'] as const;

const ERROR_COLUMNS: MetricColumn[] = [
  { key: 'r', label: 'R = ‖P̂−P*‖²', se: 'rSE' },
  { key: 'tv', label: 'TV', se: 'tvSE' },
  { key: 'kl', label: 'KL(P*‖P̂½)', se: 'klSE' },
];

function describeTokens(spec: ResolvedCategoricalSpec | ResolvedBigramSpec, unit: string): string {
  const K = tokenCount(spec.probs);
  const probs = spec.probs.kind === 'dirichlet' ? `P* ~ Dirichlet(${spec.probs.alpha}) seeded` : 'P* given';
  return [
    `K = ${K} ${unit}, ${probs}`,
    `n0 = ${spec.n0}, n = ${describeSchedule(spec.n)}, realFraction = ${describeSchedule(spec.realFraction)}, T = ${spec.generations}, R = ${spec.replicates}`,
  ].join(' · ');
}

export const categoricalModel: ModelDefinition<ResolvedCategoricalSpec, CategoricalGenerationStats> = {
  model: 'categorical',
  view: categoricalView,
  parse: parseCategoricalSpec,
  sweepable: SWEEPABLE,
  derivedFields: ['schedule'],
  columns: () => [...ERROR_COLUMNS, { key: 'absorbed', label: 'absorbed' }, { key: 'replicates', label: 'replicates' }],
  describe: (spec) => describeTokens(spec, 'tokens'),
  createStepper: createCategoricalStepper,
  finish: finishCategorical,
  // WebGPU: two count rows of K, a metric row, and a snapshot's counts three times (packed, staged, on the host);
  // twin: the counts and a metric row.
  memoryBytes: (cells, backend) => cells.length * cells[0].replicates
    * (backend === 'webgpu' ? 4 * (5 * tokenCount(cells[0].probs) + CATEGORICAL_COLUMNS) : 4 * tokenCount(cells[0].probs) + 8 * CATEGORICAL_COLUMNS),
  closedForms: (spec): ClosedForm[] => [{
    metric: 'r',
    source: scienceSource(4, 'R_t = (1 − ‖P*‖²)/n_t + (1 − 1/n_t)(1 − α_t)² R_{t−1} (Bakshi & Chakraborty)'),
    values: categoricalRisk(buildCategoricalProblem(spec).probs, spec.schedule.n, spec.schedule.realFraction),
  }],
};

export const bigramModel: ModelDefinition<ResolvedBigramSpec, BigramGenerationStats> = {
  model: 'bigram',
  view: bigramView,
  parse: parseBigramSpec,
  sweepable: SWEEPABLE,
  derivedFields: ['schedule'],
  columns: () => [...ERROR_COLUMNS, { key: 'replicates', label: 'replicates' }],
  describe: (spec) => describeTokens(spec, 'states'),
  createStepper: createBigramStepper,
  finish: finishBigram,
  // As categorical, with K rows of K, and the chain's state on WebGPU.
  memoryBytes: (cells, backend) => cells.length * cells[0].replicates
    * (backend === 'webgpu' ? 4 * (5 * tokenCount(cells[0].probs) ** 2 + 1 + BIGRAM_COLUMNS) : 4 * tokenCount(cells[0].probs) ** 2 + 8 * BIGRAM_COLUMNS),
};
