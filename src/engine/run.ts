/**
 * The generation loop: pick a backend, run t = 0..T, finish each generation's statistics
 * in float64 and stream them as they arrive.
 */
import type { ResolvedLinearSpec } from '../spec/linear.js';
import { acquireDevice, NoAdapterError, type AdapterChoice, type GpuContext } from '../gpu/device.js';
import { LinearGpu } from '../gpu/linear.js';
import { LinearTwin } from '../cpu/linear.js';
import { buildProblem } from './problem.js';
import { generationPlan } from './plan.js';
import { finishGeneration } from './stats.js';
import { linearClosedForm } from '../theory/linear.js';
import type { MetricSums } from './metrics.js';
import type { BackendName, GenerationStats, RunResult } from './result.js';

export interface RunOptions {
  /** WebGPU adapter path (default: SYNTHLOOP_ADAPTER, else auto). */
  adapter?: AdapterChoice;
  /** Run on this device instead of acquiring one (it is not destroyed afterwards). */
  gpu?: GpuContext;
  onGeneration?: (stats: GenerationStats) => void;
  signal?: AbortSignal;
  /** Keep every replicate's θ̂ after each generation (for replicate-by-replicate checks). */
  captureEstimates?: boolean;
  /** GPU replicates per chunk; by default the largest the device's limits allow. */
  chunkReplicates?: number;
}

export interface RunOutput extends RunResult {
  /** With captureEstimates: θ̂ per generation, replicate-major (d per replicate). */
  estimates?: (Float32Array | Float64Array)[];
}

interface Stepper {
  step(plan: ReturnType<typeof generationPlan>): Promise<MetricSums> | MetricSums;
  estimates(): Promise<Float32Array | Float64Array> | Float64Array;
  destroy(): void;
}

export async function runExperiment(spec: ResolvedLinearSpec, options: RunOptions = {}): Promise<RunOutput> {
  const started = performance.now();
  const notices: string[] = [];
  const problem = buildProblem(spec);
  let backend: BackendName = spec.backend === 'cpu' ? 'cpu' : 'webgpu';
  let gpu = options.gpu;
  const ownDevice = !gpu && backend === 'webgpu';
  if (backend === 'webgpu' && !gpu) {
    try {
      gpu = await acquireDevice({ adapter: options.adapter });
    } catch (error) {
      if (spec.backend !== 'auto' || !(error instanceof NoAdapterError)) throw error;
      notices.push(`No WebGPU adapter works here, so the float64 CPU twin ran instead (${error.attempts.map((a) => `${a.path}: ${a.reason}`).join('; ')}).`);
      backend = 'cpu';
    }
  }
  const stepper: Stepper = backend === 'webgpu'
    ? await LinearGpu.create(gpu!, spec, problem, { chunkReplicates: options.chunkReplicates })
    : new LinearTwin(spec, problem);
  const generations: GenerationStats[] = [];
  const estimates: (Float32Array | Float64Array)[] = [];
  try {
    for (let t = 0; t <= spec.generations; t++) {
      options.signal?.throwIfAborted();
      const sums = await stepper.step(generationPlan(spec, t));
      const stats = finishGeneration(t, sums, spec.d, spec.replicates, spec.verifier.kind === 'ball');
      generations.push(stats);
      if (options.captureEstimates) estimates.push(await stepper.estimates());
      options.onGeneration?.(stats);
    }
  } finally {
    stepper.destroy();
    if (ownDevice) gpu?.device.destroy();
  }
  return {
    spec,
    backend,
    adapter: backend === 'webgpu' ? gpu!.adapter : null,
    generations,
    elapsedSeconds: (performance.now() - started) / 1000,
    notices,
    closedForm: linearClosedForm(spec),
    ...(options.captureEstimates ? { estimates } : {}),
  };
}
