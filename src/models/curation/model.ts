/**
 * Curated retraining on tokens (docs/science.md §8, Ferbach et al. 2024; several curators: Falahati et al.
 * 2026, Zhao, Fu & Pham 2025) as the engine sees it: spec, sweepable fields, metric columns, closed forms
 * and a stepper. Backends: shaders/curation/curation.wgsl via src/models/curation/gpu.ts, or the float64
 * twin (twin.ts), on the same random words.
 */
import { parseCurationSpec, tokenCount, type ResolvedCurationSpec } from './spec.js';
import { CURATION_COLUMNS, CurationMetric, CurationTwin } from './twin.js';
import { CurationGpu } from './gpu.js';
import { buildCurationProblem, cellClosedForms, shownMetrics } from './problem.js';
import { curationView } from './view.js';
import { describeSchedule } from '../../core/spec/schedule.js';
import { standardError } from '../../core/engine/stats.js';
import { finishingStepper } from '../../core/engine/stepper.js';
import { checkSweepCells } from '../../core/engine/experiment.js';
import type { CellSums } from '../../core/engine/metrics.js';
import type { Backend, GenerationRecord, MetricColumn, ModelDefinition, Stepper, StepperOptions } from '../../core/engine/model.js';

/** One generation of one cell: each metric's mean over replicates and its standard error (null where the spec has no such curator). */
export interface CurationGeneration extends GenerationRecord {
  [metric: string]: number | null;
}

type MetricKey = keyof typeof CurationMetric;

const LABELS: Record<MetricKey, string> = {
  reward: 'E r', top: 'mass on argmax r', divergence: 'KL(p̂‖P*)', entropy: 'entropy', nash: 'Σw log E e^r',
  reward1: 'E r₁', reward2: 'E r₂', reward3: 'E r₃', top1: 'mass argmax r₁', top2: 'mass argmax r₂', top3: 'mass argmax r₃',
};

const metricKeys = (cell: ResolvedCurationSpec) => shownMetrics(cell) as MetricKey[];

export function finish(t: number, cell: ResolvedCurationSpec, { sum, sumSquares }: CellSums): CurationGeneration {
  const R = cell.replicates, shown = new Set(metricKeys(cell));
  const out: CurationGeneration = { t };
  for (const [key, column] of Object.entries(CurationMetric) as [MetricKey, number][]) {
    out[key] = shown.has(key) ? sum[column] / R : null;
    // Generation 0 is P* in every replicate: its spread is exactly 0, not the rounding left in Σx² − (Σx)²/R.
    const se = standardError(sum[column], sumSquares[column], R);
    out[`${key}SE`] = shown.has(key) && se !== null ? (t === 0 ? 0 : se) : null;
  }
  return out;
}

type CurationRunner = CurationTwin | CurationGpu;

export async function createCurationStepper(cells: ResolvedCurationSpec[], backend: Backend, options: StepperOptions): Promise<Stepper<CurationGeneration>> {
  checkSweepCells(curationModel, cells);
  const problem = buildCurationProblem(cells[0]);
  const runner: CurationRunner = backend.kind === 'webgpu'
    ? await CurationGpu.create(backend.gpu, cells, problem, options)
    : new CurationTwin(cells, problem, options.firstReplicate);
  return finishingStepper(cells, runner, finish, async () => ({ counts: await runner.replicateCounts(), metrics: await runner.replicateMetrics() }));
}

/** Fields a sweep may vary: none changes the kernel's specialisation (V and the curators do). */
const SWEEPABLE = ['n', 'candidates', 'realFraction'] as const;

export const curationModel: ModelDefinition<ResolvedCurationSpec, CurationGeneration> = {
  model: 'curation',
  view: curationView,
  parse: parseCurationSpec,
  sweepable: SWEEPABLE,
  derivedFields: ['realCounts'],
  columns: (spec): MetricColumn[] => metricKeys(spec).map((key) => ({ key, label: LABELS[key], se: `${key}SE` })),
  describe: (spec) => [
    `V = ${tokenCount(spec.probs)} tokens, ${spec.probs.kind === 'dirichlet' ? `P* ~ Dirichlet(${spec.probs.alpha}) seeded` : 'P* given'}`,
    `${spec.curators.length === 1 ? '1 curator' : `${spec.curators.length} curators (w = ${spec.curators.map((c) => c.weight).join(', ')})`}, K = ${spec.candidates}`,
    `n = ${spec.n}, realFraction = ${describeSchedule(spec.realFraction)}, T = ${spec.generations}, R = ${spec.replicates}`,
  ].join(' · '),
  createStepper: createCurationStepper,
  finish,
  // The population path of every metric the cell reports (E r first; exact at t ≤ 1 for rewards and masses).
  closedForms: cellClosedForms,
  memoryBytes(cells, backend) {
    // WebGPU: counts and cumulative counts (2V words), a metric row, and a snapshot's counts three times
    // (packed, staged, on the host); twin: the counts and a float64 metric row.
    const V = tokenCount(cells[0].probs), replicates = cells.length * cells[0].replicates;
    return replicates * (backend === 'webgpu' ? 4 * (2 * V + CURATION_COLUMNS + 3 * V) : 4 * V + 8 * CURATION_COLUMNS);
  },
};
