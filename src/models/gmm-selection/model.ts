/**
 * The selection-for-classification model (docs/science.md §3, Feng et al. 2024) as the engine sees
 * it: spec, sweepable fields, metric columns, and a stepper over all sweep cells on either
 * backend (shaders/gmm-selection/gmm_selection.wgsl via src/models/gmm-selection/gpu.ts, or the float64 twin
 * src/models/gmm-selection/twin.ts).
 */
import { parseGmmSelectionSpec, type ResolvedGmmSelectionSpec } from './spec.js';
import { GmmSelectionGpu, gmmStateFloats } from './gpu.js';
import { GMM_COLUMNS, GmmColumn, GmmSelectionTwin } from './twin.js';
import { breakdownPoint, gmmSelectionClosedForm, selectorRates } from './theory.js';
import { standardError } from '../../core/engine/stats.js';
import { finishingStepper } from '../../core/engine/stepper.js';
import { checkSweepCells } from '../../core/engine/experiment.js';
import type { MetricSums } from '../../core/engine/metrics.js';
import type { Backend, ModelDefinition, Stepper, StepperOptions } from '../../core/engine/model.js';
import type { Estimate } from '../../core/engine/result.js';
import { gmmSelectionView } from './view.js';

/** One generation of one cell. */
export type GmmSelectionStats = {
  t: number;
  /** Mean over valid replicates of Φ(wᵀμ/‖w‖), the trained classifier's population accuracy. */
  accuracy: Estimate;
  accuracySE: Estimate;
  /** Mean kept pairs / n over replicates alive at the generation's start (a failed solve still selected). */
  keptFraction: Estimate;
  keptFractionSE: Estimate;
  /** Replicates excluded because a solve failed (now or earlier). */
  failed: number;
  /** Replicates counted in accuracy. */
  replicates: number;
};

/** ModelDefinition.finish: a cell's generation-t statistics from its column sums over all its replicates. */
function finish(t: number, cell: ResolvedGmmSelectionSpec, { sum, sumSquares }: MetricSums): GmmSelectionStats {
  const totalReplicates = cell.replicates;
  const valid = Math.round(sum[GmmColumn.valid]);
  const alive = Math.round(sum[GmmColumn.alive]);
  return {
    t,
    accuracy: valid > 0 ? sum[GmmColumn.accuracy] / valid : null,
    accuracySE: standardError(sum[GmmColumn.accuracy], sumSquares[GmmColumn.accuracy], valid),
    keptFraction: alive > 0 ? sum[GmmColumn.keptFraction] / alive : null,
    keptFractionSE: standardError(sum[GmmColumn.keptFraction], sumSquares[GmmColumn.keptFraction], alive),
    failed: totalReplicates - valid,
    replicates: valid,
  };
}

/** Rows: `w`, every replicate's classifier (d each; stale where a solve failed), and `metrics`, its GmmColumn row. */
export async function createGmmSelectionStepper(cells: ResolvedGmmSelectionSpec[], backend: Backend, options: StepperOptions): Promise<Stepper<GmmSelectionStats>> {
  checkSweepCells(gmmSelectionModel, cells);
  if (backend.kind === 'webgpu') {
    const gpu = await GmmSelectionGpu.create(backend.gpu, cells, options);
    return finishingStepper(cells, gpu, finish, async () => ({ w: await gpu.estimates(), metrics: await gpu.metricRows() }));
  }
  const twin = new GmmSelectionTwin(cells, options.firstReplicate);
  return finishingStepper(cells, twin, finish, () => ({ w: twin.estimates(), metrics: twin.metricRows() }));
}

function describeSelector(spec: ResolvedGmmSelectionSpec): string {
  const { selector } = spec;
  const { keepCorrect, keepWrong } = selectorRates(spec);
  const pStar = breakdownPoint(keepCorrect, keepWrong)!.toPrecision(4);
  if (selector.kind === 'none') return `no selection (p* = ${pStar})`;
  if (selector.kind === 'rates') return `selector rates ϕ = ${keepCorrect}, ψ = ${keepWrong} (p* = ${pStar})`;
  return `linear verifier at ${selector.angle.toPrecision(4)} rad from μ (ϕ = ${keepCorrect.toPrecision(4)}, ψ = ${keepWrong.toPrecision(4)}, p* = ${pStar})`;
}

export const gmmSelectionModel: ModelDefinition<ResolvedGmmSelectionSpec, GmmSelectionStats> & {
  createStepper(cells: ResolvedGmmSelectionSpec[], backend: Backend, options: StepperOptions): Promise<Stepper<GmmSelectionStats>>;
} = {
  model: 'gmm-selection',
  view: gmmSelectionView,
  parse: parseGmmSelectionSpec,
  sweepable: ['flipRate', 'meanNorm', 'selector.keepCorrect', 'selector.keepWrong', 'selector.angle', 'ridgeLambda', 'n'],
  columns: () => [
    { key: 'accuracy', label: 'accuracy', se: 'accuracySE' },
    { key: 'keptFraction', label: 'kept', se: 'keptFractionSE' },
    { key: 'failed', label: 'failed' },
  ],
  describe(spec) {
    const parts = [
      `d = ${spec.d}, ‖μ‖ = ${spec.meanNorm}, flipRate = ${spec.flipRate}, n = ${spec.n}, T = ${spec.generations}, R = ${spec.replicates}`,
      describeSelector(spec),
    ];
    if (spec.ridgeLambda !== 0) parts.push(`ridgeLambda = ${spec.ridgeLambda}`);
    return parts.join(' · ');
  },
  createStepper: createGmmSelectionStepper,
  finish,
  closedForms: (spec) => [gmmSelectionClosedForm(spec)].filter((cf) => cf !== null),
  memoryBytes(cells, backend) {
    const { d, replicates } = cells[0];
    const n = cells.length * replicates;
    // WebGPU: state and metric rows, and a snapshot's carried w and flags three times (packed, staged, on the host);
    // twin: w, the flag, a metric row.
    return backend === 'webgpu' ? n * 4 * (gmmStateFloats(d) + GMM_COLUMNS + 3 * (d + 4)) : n * (8 * d + 1 + 8 * GMM_COLUMNS);
  },
};
