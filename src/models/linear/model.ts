/**
 * The linear retraining model (docs/science.md §1–2) as the engine sees it: spec, sweepable fields,
 * metric columns, and a stepper on either backend (shaders/linear/linear.wgsl via src/models/linear/gpu.ts,
 * or the float64 twin src/models/linear/twin.ts, one per cell).
 */
import { parseLinearSpec, type ResolvedLinearSpec } from './spec.js';
import { LinearGpu, linearStateFloats, linearBlockFloats } from './gpu.js';
import { packedSize } from '../../core/cpu/cholesky.js';
import { LinearTwin } from './twin.js';
import { linearClosedForms } from './theory.js';
import { buildProblem } from './problem.js';
import { generationPlan } from './plan.js';
import { finishingStepper } from '../../core/engine/stepper.js';
import { joinSnapshots, splitSnapshot, type Snapshot } from '../../core/engine/snapshot.js';
import type { Backend, MetricColumn, ModelDefinition, Stepper, StepperOptions } from '../../core/engine/model.js';
import { finish, linearColumnCount, type LinearStats } from './columns.js';
import { describeSchedule } from '../../core/spec/schedule.js';
import { linearView } from './view.js';

const COLUMNS: MetricColumn[] = [
  { key: 'mse', label: 'mse', se: 'mseSE' },
  { key: 'bias2', label: 'bias²' },
  { key: 'variance', label: 'variance' },
  { key: 'risk', label: 'risk', se: 'riskSE' },
];


/** Rows: `theta`, every replicate's θ̂ (d each). */
async function createLinearStepper(cells: ResolvedLinearSpec[], backend: Backend, options: StepperOptions): Promise<Stepper<LinearStats>> {
  const spec = cells[0];
  if (backend.kind === 'webgpu') {
    const gpu = await LinearGpu.create(backend.gpu, cells, options);
    const runner = {
      step: (t: number) => gpu.step(cells.map((cell) => generationPlan(cell, t))),
      snapshot: () => gpu.snapshot(),
      restore: (snapshot: Snapshot) => gpu.restore(snapshot),
      destroy: () => gpu.destroy(),
    };
    return finishingStepper(cells, runner, finish, async () => ({ theta: await gpu.estimates() }));
  }
  const twins = cells.map((cell) => new LinearTwin(cell, buildProblem(cell), options.firstReplicate));
  const runner = {
    step: (t: number) => twins.map((twin, c) => twin.step(generationPlan(cells[c], t))),
    snapshot: () => joinSnapshots(twins.map((twin) => twin.snapshot())),
    restore: (snapshot: Snapshot) => splitSnapshot(snapshot, twins.length).forEach((part, c) => twins[c].restore(part)),
    destroy: () => {},
  };
  return finishingStepper(cells, runner, finish, () => {
    const theta = new Float64Array(cells.length * spec.replicates * spec.d);
    twins.forEach((twin, c) => theta.set(twin.estimates(), c * spec.replicates * spec.d));
    return { theta };
  });
}

export const linearModel: ModelDefinition<ResolvedLinearSpec, LinearStats> & {
  createStepper(cells: ResolvedLinearSpec[], backend: Backend, options: StepperOptions): Promise<Stepper<LinearStats>>;
} = {
  model: 'linear',
  view: linearView,
  parse: parseLinearSpec,
  sweepable: ['sigma', 'syntheticSigma', 'n0', 'n', 'realFraction', 'ridgeLambda', 'verifier.bias', 'verifier.radius', 'verifier.slack'],
  derivedFields: ['schedule'],
  columns(spec) {
    return [
      ...COLUMNS,
      ...(spec.verifier.kind === 'ball' ? [{ key: 'centerDist2', label: 'centerDist²', se: 'centerDist2SE' }] : []),
      { key: 'acceptRate', label: 'accept' },
      { key: 'failed', label: 'failed' },
    ];
  },
  describe(spec) {
    const parts = [
      `${spec.mode}, ${spec.design} design`,
      `d = ${spec.d}, n0 = ${spec.n0}, n = ${describeSchedule(spec.n)}, T = ${spec.generations}, R = ${spec.replicates}`,
    ];
    if (spec.mode === 'mixture') parts.push(`realFraction = ${describeSchedule(spec.realFraction)}`);
    if (spec.schedule.ridgeLambda.some((l) => l !== 0)) parts.push(`ridgeLambda = ${describeSchedule(spec.ridgeLambda)}`);
    const v = spec.verifier;
    parts.push(v.kind === 'ball'
      ? `verifier ball (bias ${v.bias}, radius ${v.radius}, slack ${v.slack.toPrecision(4)}, direction ${v.direction})`
      : 'no verifier');
    return parts.join(' · ');
  },
  createStepper: createLinearStepper,
  finish: finish,
  closedForms: linearClosedForms,
  memoryBytes(cells, backend) {
    const { d, replicates, mode } = cells[0];
    const n = cells.length * replicates;
    // WebGPU: the state and metric rows, the wide layout's staged rows and block Gram, and a
    // snapshot's carried words three times (packed, staged, on the host).
    const carried = mode === 'accumulate' ? linearStateFloats(d) : d + 4;
    if (backend === 'webgpu') return n * 4 * (linearStateFloats(d) + linearBlockFloats(d) + linearColumnCount(d) + 3 * carried);
    // Twin: θ̂ and the failed flag; accumulate mode keeps each replicate's Gram, rhs and count.
    return n * (8 * d + 1 + (mode === 'accumulate' ? 8 * (packedSize(d) + d + 1) : 0));
  },
};
