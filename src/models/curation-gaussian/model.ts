/**
 * Curated retraining of a Gaussian (docs/science.md §9, Ferbach et al. 2024) as the engine sees it:
 * spec, sweepable fields, metric columns, closed forms and a stepper. The chain runs standardised
 * (P* = N(0, I)); ‖m − c‖² and v are scaled by s*² here, the entropy shifted by dim·ln s*.
 * Backends: shaders/curation-gaussian/curation_gaussian.wgsl via gpu.ts, or the float64 twin (twin.ts).
 */
import { parseCurationGaussianSpec, type ResolvedCurationGaussianSpec } from './spec.js';
import { CURATION_GAUSSIAN_COLUMNS, CurationGaussianMetric, CurationGaussianTwin, type CurationGaussianReplicateState } from './twin.js';
import { CurationGaussianGpu, stateLayout } from './gpu.js';
import { curationGaussianClosedForms } from './theory.js';
import { curationGaussianView } from './view.js';
import { standardError } from '../../core/engine/stats.js';
import { finishingStepper } from '../../core/engine/stepper.js';
import { checkSweepCells } from '../../core/engine/experiment.js';
import { describeSchedule } from '../../core/spec/schedule.js';
import type { CellSums } from '../../core/engine/metrics.js';
import type { Backend, GenerationRecord, MetricColumn, ModelDefinition, ReplicateRows, Stepper, StepperOptions } from '../../core/engine/model.js';

/** One generation of one cell: each metric's mean over the replicates and its standard error. */
export interface CurationGaussianGeneration extends GenerationRecord {
  /** E_{p̂_t}[r], the fitted model's expected reward (maximum 0). */
  reward: number | null;
  rewardSE: number | null;
  /** ‖m_t − c‖². */
  targetGap: number | null;
  targetGapSE: number | null;
  /** v_t, the fitted per-coordinate variance. */
  variance: number | null;
  varianceSE: number | null;
  /** KL(p̂_t ‖ P*). */
  klModel: number | null;
  klModelSE: number | null;
  /** Differential entropy of p̂_t. */
  entropy: number | null;
  entropySE: number | null;
  [metric: string]: number | null;
}

const COLUMNS: MetricColumn[] = [
  { key: 'reward', label: 'E_p̂[r]', se: 'rewardSE' },
  { key: 'targetGap', label: '‖m−c‖²', se: 'targetGapSE' },
  { key: 'variance', label: 'v', se: 'varianceSE' },
  { key: 'klModel', label: 'KL(p̂‖P*)', se: 'klModelSE' },
  { key: 'entropy', label: 'entropy', se: 'entropySE' },
];

/** Fields a sweep may vary: none changes a kernel's specialisation (dim does; K, n, λ, τ, s* are per cell). */
const SWEEPABLE = ['n', 'candidates', 'realFraction', 'tau', 'sigma'] as const;

/** A cell's statistics from its standardised sums: column k's mean and SE times scale, plus shift. */
export function finish(t: number, cell: ResolvedCurationGaussianSpec, { sum, sumSquares }: CellSums): CurationGaussianGeneration {
  const n = cell.replicates, s2 = cell.sigma ** 2;
  const out: CurationGaussianGeneration = {
    t, reward: null, rewardSE: null, targetGap: null, targetGapSE: null, variance: null, varianceSE: null, klModel: null, klModelSE: null, entropy: null, entropySE: null,
  };
  const units: Record<keyof typeof CurationGaussianMetric, [scale: number, shift: number]> = {
    reward: [1, 0], targetGap: [s2, 0], variance: [s2, 0], klModel: [1, 0], entropy: [1, cell.dim * Math.log(cell.sigma)],
  };
  for (const [key, column] of Object.entries(CurationGaussianMetric) as [keyof typeof CurationGaussianMetric, number][]) {
    const [scale, shift] = units[key];
    const se = standardError(sum[column], sumSquares[column], n);
    out[key] = (sum[column] / n) * scale + shift;
    out[`${key}SE`] = se === null ? null : se * scale;
  }
  return out;
}

/** Every replicate's model after the last generation, in the spec's units (cell-major): mean (dim each) and variance. */
function inSpecUnits(cells: readonly ResolvedCurationGaussianSpec[], states: CurationGaussianReplicateState[]): ReplicateRows {
  const total = states.reduce((n, s) => n + s.variance.length, 0);
  const mean = new Float64Array(total * cells[0].dim), variance = new Float64Array(total);
  let at = 0;
  states.forEach((s, c) => {
    const { sigma, mean: mu, dim } = cells[c];
    mean.set(Array.from(s.mean, (m, i) => mu[i % dim] + sigma * m), at * dim);
    variance.set(Array.from(s.variance, (v) => v * sigma * sigma), at);
    at += s.variance.length;
  });
  return { mean, variance };
}

export async function createCurationGaussianStepper(cells: ResolvedCurationGaussianSpec[], backend: Backend, options: StepperOptions): Promise<Stepper<CurationGaussianGeneration>> {
  checkSweepCells(curationGaussianModel, cells);
  const engine = backend.kind === 'webgpu'
    ? await CurationGaussianGpu.create(backend.gpu, cells, options)
    : new CurationGaussianTwin(cells, options.firstReplicate);
  return finishingStepper(cells, engine, finish, async () => inSpecUnits(cells, await engine.replicateStates()));
}

export const curationGaussianModel: ModelDefinition<ResolvedCurationGaussianSpec, CurationGaussianGeneration> & {
  createStepper(cells: ResolvedCurationGaussianSpec[], backend: Backend, options: StepperOptions): Promise<Stepper<CurationGaussianGeneration>>;
} = {
  model: 'curation-gaussian',
  view: curationGaussianView,
  parse: parseCurationGaussianSpec,
  sweepable: SWEEPABLE,
  derivedFields: ['realCounts'],
  columns: () => COLUMNS,
  describe: (spec) => `curated retraining · dim = ${spec.dim}, n = ${spec.n}, K = ${spec.candidates}, λ = ${describeSchedule(spec.realFraction)}, `
    + `c = [${spec.target.join(', ')}], τ = ${spec.tau}, T = ${spec.generations}, R = ${spec.replicates}`,
  createStepper: createCurationGaussianStepper,
  finish,
  closedForms: curationGaussianClosedForms,
  memoryBytes(cells, backend) {
    // WebGPU: the state, a metric row, and a snapshot's carried model three times (packed, staged, on the host);
    // twin: the model's dim + 1 float64 numbers.
    const { dim, replicates } = cells[0];
    const n = cells.length * replicates;
    const { stride, carried } = stateLayout(dim);
    return backend === 'webgpu' ? n * (16 * stride + 4 * CURATION_GAUSSIAN_COLUMNS + 3 * 16 * carried) : n * 8 * (dim + 1);
  },
};

export { CURATION_GAUSSIAN_COLUMNS };
