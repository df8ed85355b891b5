/**
 * Gaussian refitting (docs/science.md §5) as the engine sees it: spec, sweepable fields, metric
 * columns, closed forms, and a stepper on either backend (shaders/gaussian/gaussian.wgsl via
 * src/models/gaussian/gpu.ts, or the float64 twin src/models/gaussian/twin.ts). Both run the standardised
 * chain (σ = 1, μ = 0); the statistics are scaled back by each cell's σ here, in float64.
 */
import { parseGaussianSpec, type ResolvedGaussianSpec } from './spec.js';
import { GaussianGpu, stateLayout } from './gpu.js';
import {
  COLLAPSED_LOG_VARIANCE, GAUSSIAN_COLUMNS, GaussianMetric, GaussianTwin, type GaussianReplicateState,
} from './twin.js';
import { packedSize } from '../../core/cpu/cholesky.js';
import { gaussianClosedForms } from './theory.js';
import { standardError } from '../../core/engine/stats.js';
import { finishingStepper } from '../../core/engine/stepper.js';
import { checkSweepCells } from '../../core/engine/experiment.js';
import type { CellSums } from '../../core/engine/metrics.js';
import type { Backend, GenerationRecord, MetricColumn, ModelDefinition, ReplicateRows, Stepper, StepperOptions } from '../../core/engine/model.js';
import { gaussianView } from './view.js';

/** One generation of one cell. Means are over the replicates that have not collapsed (`replicates`). */
export interface GaussianGeneration extends GenerationRecord {
  /** Mean ‖μ̂ − μ‖². */
  meanErr2: number | null;
  meanErr2SE: number | null;
  /** Mean fitted variance tr Σ̂ / dim. */
  varMean: number | null;
  varMeanSE: number | null;
  /** Mean of log(tr Σ̂ / dim). */
  logVarMean: number | null;
  logVarMeanSE: number | null;
  /**
   * Median of log(tr Σ̂ / dim) over all replicates, collapsed ones counted as below every other;
   * null once the median is a collapsed one.
   */
  logVarMedian: number | null;
  /** Fraction of all replicates collapsed (now or earlier): variance ≤ 1e-30·σ² or a failed factorisation. */
  collapsed: number;
  /** Replicates counted in the means. */
  replicates: number;
  [metric: string]: number | null;
}

const COLUMNS: MetricColumn[] = [
  { key: 'meanErr2', label: '‖μ̂−μ‖²', se: 'meanErr2SE' },
  { key: 'varMean', label: 'σ̂²', se: 'varMeanSE' },
  { key: 'logVarMean', label: 'log σ̂²', se: 'logVarMeanSE' },
  { key: 'logVarMedian', label: 'median log σ̂²' },
  { key: 'collapsed', label: 'collapsed' },
];

/** Fields a sweep may vary: neither changes the kernel's specialisation (m is read per cell). */
const SWEEPABLE = ['m', 'sigma'] as const;

/**
 * The median of the log variances (R values), or null where it falls on a collapsed replicate.
 * Sorting R floats each generation costs far less than drawing the generation's R·M·dim normals.
 */
function median(logVariances: Float32Array | Float64Array): number | null {
  const sorted = logVariances.slice().sort();
  const n = sorted.length, lower = sorted[(n - 1) >> 1], upper = sorted[n >> 1];
  return lower === COLLAPSED_LOG_VARIANCE ? null : (lower + upper) / 2;
}

/**
 * A cell's statistics from its standardised sums and every replicate's log variance (`values`),
 * scaled by σ² (log: shifted by log σ²) in float64.
 */
export function finish(t: number, cell: ResolvedGaussianSpec, { sum, sumSquares, values }: CellSums): GaussianGeneration {
  const n = Math.round(sum[GaussianMetric.valid]);
  const sigma2 = cell.sigma ** 2, logSigma2 = 2 * Math.log(cell.sigma);
  const mean = (column: number, scale: number, shift: number) => (n > 0 ? (sum[column] / n) * scale + shift : null);
  const se = (column: number, scale: number) => {
    const value = standardError(sum[column], sumSquares[column], n);
    return value === null ? null : value * scale;
  };
  const middle = median(values!);
  return {
    t,
    meanErr2: mean(GaussianMetric.err2, sigma2, 0),
    meanErr2SE: se(GaussianMetric.err2, sigma2),
    varMean: mean(GaussianMetric.variance, sigma2, 0),
    varMeanSE: se(GaussianMetric.variance, sigma2),
    logVarMean: mean(GaussianMetric.logVariance, 1, logSigma2),
    logVarMeanSE: se(GaussianMetric.logVariance, 1),
    logVarMedian: middle === null ? null : middle + logSigma2,
    collapsed: (cell.replicates - n) / cell.replicates,
    replicates: n,
  };
}

/**
 * Every replicate after the last generation, in the spec's units (cell-major): `meanError`, μ̂ − μ
 * (dim each); `variance`, tr Σ̂ / dim; `collapsed`, 1 where the fit collapsed.
 */
function inSpecUnits(cells: readonly ResolvedGaussianSpec[], states: GaussianReplicateState[]): ReplicateRows {
  const { dim } = cells[0], P = packedSize(dim);
  const meanError = new Float64Array(states.reduce((n, s) => n + s.delta.length, 0));
  const variance = new Float64Array(states.reduce((n, s) => n + s.collapsed.length, 0));
  const collapsed = new Uint8Array(variance.length);
  let r0 = 0;
  states.forEach(({ delta, factor, collapsed: cellCollapsed }, c) => {
    const { sigma } = cells[c];
    meanError.set(Array.from(delta, (v) => v * sigma), r0 * dim);
    collapsed.set(cellCollapsed, r0);
    for (let r = 0; r < cellCollapsed.length; r++) {
      let s = 0;
      for (let p = 0; p < P; p++) s += factor[r * P + p] ** 2;
      variance[r0 + r] = (s / dim) * sigma * sigma;
    }
    r0 += cellCollapsed.length;
  });
  return { meanError, variance, collapsed };
}

export async function createGaussianStepper(cells: ResolvedGaussianSpec[], backend: Backend, options: StepperOptions): Promise<Stepper<GaussianGeneration>> {
  checkSweepCells(gaussianModel, cells);
  const engine = backend.kind === 'webgpu'
    ? await GaussianGpu.create(backend.gpu, cells, options)
    : new GaussianTwin(cells, options.firstReplicate);
  return finishingStepper(cells, engine, finish, async () => inSpecUnits(cells, await engine.replicateStates()));
}

export const gaussianModel: ModelDefinition<ResolvedGaussianSpec, GaussianGeneration> & {
  createStepper(cells: ResolvedGaussianSpec[], backend: Backend, options: StepperOptions): Promise<Stepper<GaussianGeneration>>;
} = {
  model: 'gaussian',
  view: gaussianView,
  parse: parseGaussianSpec,
  sweepable: SWEEPABLE,
  columns: () => COLUMNS,
  describe: (spec) => `${spec.estimator === 'mle' ? 'MLE' : 'unbiased'} fit · dim = ${spec.dim}, m = ${spec.m}, σ = ${spec.sigma}, T = ${spec.generations}, R = ${spec.replicates}`,
  createStepper: createGaussianStepper,
  finish: finish,
  closedForms: gaussianClosedForms,
  memoryBytes(cells, backend) {
    const { dim, replicates } = cells[0];
    const n = cells.length * replicates;
    // WebGPU: state, a metric row, the log variance, and a snapshot's carried fit three times (packed, staged, on
    // the host); twin: δ, the factor, the flag, the log variance.
    // The fit carries over: the vec4s before `sum` (flags, δ, the factor).
    const { stride, sum: carried } = stateLayout(dim);
    return backend === 'webgpu'
      ? n * (16 * stride + 4 * GAUSSIAN_COLUMNS + 4 + 3 * 16 * carried)
      : n * (8 * dim + 8 * packedSize(dim) + 1 + 8);
  },
};
