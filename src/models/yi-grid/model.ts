/**
 * The yi-grid study (docs/science.md §2) as the engine sees it: one round, four estimators, per
 * cell the mean loss of each with its standard error and which is smallest.
 */
import { parseYiGridSpec, type ResolvedYiGridSpec } from './spec.js';
import { YiGridGpu } from './gpu.js';
import { yiGridRows } from './twin.js';
import { realLoss } from './theory.js';
import { scienceSource } from '../../core/theory/science.js';
import { YiColumn, YI_COLUMNS } from './columns.js';
import { emptySums, type MetricSums } from '../../core/engine/metrics.js';
import { standardError } from '../../core/engine/stats.js';
import { finishingStepper } from '../../core/engine/stepper.js';
import type { Backend, ModelDefinition, Stepper, StepperOptions } from '../../core/engine/model.js';
import { yiGridView } from './view.js';

/** The statistics of one cell (generation 0 is the whole study). */
export type YiGridStats = {
  t: number;
  /** Mean ‖θ̂_k − θ*‖² over the replicates where estimator k could be fitted, and its SE. */
  loss0: number | null; loss0SE: number | null;
  loss1: number | null; loss1SE: number | null;
  loss2: number | null; loss2SE: number | null;
  loss3: number | null; loss3SE: number | null;
  /** The estimator k with the smallest mean loss (the phase diagram's colour). */
  best: number | null;
  /** Fraction of real samples the verifier accepted, and its SE over replicates. */
  acceptReal: number;
  acceptRealSE: number | null;
  /** Fractions of synthetic samples it accepted, labelled by θ̂₁ and by θ̂₀. */
  acceptFromVerified: number | null;
  acceptFromReal: number | null;
  /** The most replicates any one estimator could not fit (too few accepted samples). */
  failed: number;
  replicates: number;
};

/** ModelDefinition.finish (one round, so t is always 0): a cell's statistics from its column sums. */
export function finish(_t: number, spec: ResolvedYiGridSpec, { sum, sumSquares }: MetricSums): YiGridStats {
  const valid = [0, 1, 2, 3].map((k) => Math.round(sum[YiColumn.valid + k]));
  const loss = valid.map((n, k) => (n > 0 ? sum[YiColumn.loss + k] / n : null));
  const se = valid.map((n, k) => standardError(sum[YiColumn.loss + k], sumSquares[YiColumn.loss + k], n));
  let best: number | null = null;
  loss.forEach((value, k) => { if (value !== null && (best === null || value < loss[best]!)) best = k; });
  const rate = (accepted: number, fits: number) => (fits > 0 ? accepted / (fits * spec.n2) : null);
  return {
    t: 0,
    loss0: loss[0], loss0SE: se[0], loss1: loss[1], loss1SE: se[1],
    loss2: loss[2], loss2SE: se[2], loss3: loss[3], loss3SE: se[3],
    best,
    acceptReal: sum[YiColumn.acceptedReal] / (spec.replicates * spec.n1),
    acceptRealSE: ((se) => (se === null ? null : se / spec.n1))(standardError(sum[YiColumn.acceptedReal], sumSquares[YiColumn.acceptedReal], spec.replicates)),
    acceptFromVerified: rate(sum[YiColumn.acceptedFromVerified], valid[1]),
    acceptFromReal: rate(sum[YiColumn.acceptedFromReal], valid[0]),
    failed: spec.replicates - Math.min(...valid),
    replicates: spec.replicates,
  };
}

/** Column sums of replicate-major rows, in float64. */
function sumRows(rows: Float64Array): MetricSums {
  const sums = emptySums(YI_COLUMNS);
  for (let i = 0; i < rows.length; i++) {
    sums.sum[i % YI_COLUMNS] += rows[i];
    sums.sumSquares[i % YI_COLUMNS] += rows[i] * rows[i];
  }
  return sums;
}

/** One round: nothing carries over, so a snapshot is empty. */
const STATELESS = { snapshot: () => ({}), restore: () => {} };

export const yiGridModel: ModelDefinition<ResolvedYiGridSpec, YiGridStats> & {
  /** Rows: `metrics`, every replicate's YiColumn row (cell-major; on WebGPU, runs of one chunk). */
  createStepper(cells: ResolvedYiGridSpec[], backend: Backend, options?: StepperOptions): Promise<Stepper<YiGridStats>>;
} = {
  model: 'yi-grid',
  view: yiGridView,
  parse: parseYiGridSpec,
  sweepable: ['bias', 'radius', 'slack', 'sigma', 'n1', 'n2'],
  columns: () => [
    { key: 'loss0', label: 'loss θ̂₀ real', se: 'loss0SE' },
    { key: 'loss1', label: 'θ̂₁ verified real', se: 'loss1SE' },
    { key: 'loss2', label: 'θ̂₂ synth. from θ̂₁', se: 'loss2SE' },
    { key: 'loss3', label: 'θ̂₃ synth. from θ̂₀', se: 'loss3SE' },
    { key: 'best', label: 'best' },
    { key: 'acceptReal', label: 'accept real' },
    { key: 'failed', label: 'failed' },
  ],
  describe: (spec) => `one round, d = ${spec.d}, σ = ${spec.sigma}, n1 = ${spec.n1}, n2 = ${spec.n2}, bias ${spec.bias}, radius ${spec.radius}, slack ${spec.slack.toPrecision(4)}, R = ${spec.replicates}`,
  async createStepper(cells, backend, options = {}) {
    if (backend.kind === 'webgpu') {
      const gpu = await YiGridGpu.create(backend.gpu, cells, options);
      return finishingStepper(cells, { ...STATELESS, step: () => gpu.step(), destroy: () => gpu.destroy() }, finish, async () => ({ metrics: await gpu.rows() }));
    }
    let stepped = false;
    const runner = {
      ...STATELESS,
      step: () => {
        stepped = true;
        return cells.map((cell) => sumRows(yiGridRows(cell, options.firstReplicate)));
      },
      destroy: () => {},
    };
    // Recomputed on request (the same words give the same rows) rather than kept: a full grid's rows are ~0.5 GB.
    return finishingStepper(cells, runner, finish, () => {
      if (!stepped) throw new Error('replicateRows: run step first');
      const rows = cells.map((cell) => yiGridRows(cell, options.firstReplicate));
      const metrics = new Float64Array(rows.reduce((n, cellRows) => n + cellRows.length, 0));
      rows.reduce((offset, cellRows) => (metrics.set(cellRows, offset), offset + cellRows.length), 0);
      return { metrics };
    });
  },
  finish,
  // One metric row a replicate: on WebGPU at most a chunk's are resident, on the twin a cell's (an upper bound either way).
  memoryBytes: (cells, backend) => cells.length * cells[0].replicates * YI_COLUMNS * (backend === 'webgpu' ? 4 : 8),
  closedForms(spec) {
    const value = realLoss(spec.sigma, spec.d, spec.n1);
    return value === null ? [] : [{ metric: 'loss0', source: scienceSource(1, 'OLS on n₁ real samples, σ²d/(n₁ − d − 1)'), values: [value] }];
  },
};
