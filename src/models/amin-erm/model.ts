/**
 * Mean estimation from contaminated data (docs/science.md §7, Amin et al. 2026) as the engine sees it:
 * spec, sweepable fields, metric columns (both estimators' mean squared error in one run), closed forms,
 * and a stepper. The chain runs standardised (μ = 0, σ = 1); squared errors are scaled by each cell's σ² here.
 * Backends: shaders/amin-erm/amin-erm.wgsl via src/models/amin-erm/gpu.ts, or the float64 twin (twin.ts).
 */
import { parseAminErmSpec, type ResolvedAminErmSpec } from './spec.js';
import { AMIN_ERM_COLUMNS, AminErmMetric, AminErmTwin, type AminErmReplicateState } from './twin.js';
import { AminErmGpu, stateLayout } from './gpu.js';
import { aminErmClosedForms } from './theory.js';
import { standardError } from '../../core/engine/stats.js';
import { finishingStepper } from '../../core/engine/stepper.js';
import { checkSweepCells } from '../../core/engine/experiment.js';
import type { CellSums } from '../../core/engine/metrics.js';
import type { Backend, GenerationRecord, MetricColumn, ModelDefinition, ReplicateRows, Stepper, StepperOptions } from '../../core/engine/model.js';
import { aminErmView } from './view.js';

/** One generation of one cell. */
export interface AminErmGeneration extends GenerationRecord {
  /** Mean ‖μ̂_ERM − μ‖² over the replicates. */
  erm: number | null;
  ermSE: number | null;
  /** Mean ‖μ̂_weighted − μ‖². */
  weighted: number | null;
  weightedSE: number | null;
  [metric: string]: number | null;
}

const COLUMNS: MetricColumn[] = [
  { key: 'erm', label: 'ERM ‖μ̂−μ‖²', se: 'ermSE' },
  { key: 'weighted', label: 'weighted ‖μ̂−μ‖²', se: 'weightedSE' },
];

/** Fields a sweep may vary: none changes a kernel's specialisation (n, α, σ are per cell). */
const SWEEPABLE = ['n', 'alpha', 'sigma'] as const;

/** A cell's statistics from its standardised sums, scaled by σ² in float64. */
export function finish(t: number, cell: ResolvedAminErmSpec, { sum, sumSquares }: CellSums): AminErmGeneration {
  const n = cell.replicates, sigma2 = cell.sigma ** 2;
  const mean = (column: number) => (sum[column] / n) * sigma2;
  const se = (column: number) => {
    const value = standardError(sum[column], sumSquares[column], n);
    return value === null ? null : value * sigma2;
  };
  return {
    t,
    erm: mean(AminErmMetric.erm),
    ermSE: se(AminErmMetric.erm),
    weighted: mean(AminErmMetric.weighted),
    weightedSE: se(AminErmMetric.weighted),
  };
}

/** Every replicate after the last generation, in the spec's units (cell-major): each estimator's μ̂ − μ (dim each). */
function inSpecUnits(cells: readonly ResolvedAminErmSpec[], states: AminErmReplicateState[]): ReplicateRows {
  const total = states.reduce((n, s) => n + s.erm.length, 0);
  const erm = new Float64Array(total), weighted = new Float64Array(total);
  let at = 0;
  states.forEach((s, c) => {
    const { sigma } = cells[c];
    erm.set(Array.from(s.erm, (v) => v * sigma), at);
    weighted.set(Array.from(s.weighted, (v) => v * sigma), at);
    at += s.erm.length;
  });
  return { erm, weighted };
}

export async function createAminErmStepper(cells: ResolvedAminErmSpec[], backend: Backend, options: StepperOptions): Promise<Stepper<AminErmGeneration>> {
  checkSweepCells(aminErmModel, cells);
  const engine = backend.kind === 'webgpu'
    ? await AminErmGpu.create(backend.gpu, cells, options)
    : new AminErmTwin(cells, options.firstReplicate);
  return finishingStepper(cells, engine, finish, async () => inSpecUnits(cells, await engine.replicateStates()));
}

export const aminErmModel: ModelDefinition<ResolvedAminErmSpec, AminErmGeneration> & {
  createStepper(cells: ResolvedAminErmSpec[], backend: Backend, options: StepperOptions): Promise<Stepper<AminErmGeneration>>;
} = {
  model: 'amin-erm',
  view: aminErmView,
  parse: parseAminErmSpec,
  sweepable: SWEEPABLE,
  derivedFields: ['synthetic'],
  columns: () => COLUMNS,
  describe: (spec) => `ERM vs weighted · dim = ${spec.dim}, n = ${spec.n}, α = ${spec.alpha}, σ = ${spec.sigma}, T = ${spec.generations}, R = ${spec.replicates}`,
  createStepper: createAminErmStepper,
  finish,
  closedForms: aminErmClosedForms,
  memoryBytes(cells, backend) {
    // WebGPU: the state, a metric row, and a snapshot's carried estimates three times (packed, staged, on the host);
    // twin: two float64 estimates of dim numbers.
    const { dim, replicates } = cells[0];
    const n = cells.length * replicates;
    const { stride, carried } = stateLayout(dim);
    return backend === 'webgpu' ? n * (16 * stride + 4 * AMIN_ERM_COLUMNS + 3 * 16 * carried) : n * 2 * 8 * dim;
  },
};

export { AMIN_ERM_COLUMNS };
