/**
 * The generation loop for any model: pick a backend, build the model's stepper over all sweep
 * cells, run t = 0..T, and stream each cell's statistics as they arrive.
 */
import { acquireDevice, NoAdapterError, type AdapterChoice, type GpuContext } from '../gpu/device.js';
import { experimentCells, modelOf, type Spec } from './experiment.js';
import type { Backend, Stepper } from './model.js';
import type { BackendName, CellResult, RunResult, Stats } from './result.js';

export interface RunOptions {
  /** WebGPU adapter path (default: SYNTHLOOP_ADAPTER, else auto). */
  adapter?: AdapterChoice;
  /** Run on this device instead of acquiring one (it is not destroyed afterwards). */
  gpu?: GpuContext;
  /** Each cell's statistics as soon as a generation is done (cell 0 without a sweep). */
  onGeneration?: (stats: Stats, cell: number) => void;
  signal?: AbortSignal;
  /** Keep the model's per-replicate estimates after each generation, where it has them (replicate-by-replicate checks). */
  captureEstimates?: boolean;
  /** GPU replicates per chunk; by default the largest the device's limits allow. */
  chunkReplicates?: number;
}

export interface RunOutput extends RunResult {
  /** With captureEstimates: the model's estimates per generation (linear: θ̂, cell-major, d per replicate). */
  estimates?: (Float32Array | Float64Array)[];
}

type EstimatingStepper = Stepper<Stats> & { estimates?(): Promise<Float32Array | Float64Array> };

/** The backend a spec asks for: WebGPU where an adapter works (or is required), else the CPU twin. */
async function chooseBackend(spec: Spec, options: RunOptions, notices: string[]): Promise<{ backend: Backend; ownDevice: boolean }> {
  if (spec.backend === 'cpu') return { backend: { kind: 'cpu' }, ownDevice: false };
  if (options.gpu) return { backend: { kind: 'webgpu', gpu: options.gpu }, ownDevice: false };
  try {
    return { backend: { kind: 'webgpu', gpu: await acquireDevice({ adapter: options.adapter }) }, ownDevice: true };
  } catch (error) {
    if (spec.backend !== 'auto' || !(error instanceof NoAdapterError)) throw error;
    notices.push(`No WebGPU adapter works here, so the float64 CPU twin ran instead (${error.attempts.map((a) => `${a.path}: ${a.reason}`).join('; ')}).`);
    return { backend: { kind: 'cpu' }, ownDevice: false };
  }
}

export async function runExperiment(spec: Spec, options: RunOptions = {}): Promise<RunOutput> {
  const started = performance.now();
  const notices: string[] = [];
  const model = modelOf(spec);
  const cells = experimentCells(spec);
  const { backend, ownDevice } = await chooseBackend(spec, options, notices);
  const generations: Stats[][] = cells.specs.map(() => []);
  const estimates: (Float32Array | Float64Array)[] = [];
  let stepper: EstimatingStepper | undefined;
  try {
    stepper = await model.createStepper(cells.specs, backend, { chunkReplicates: options.chunkReplicates }) as EstimatingStepper;
    for (let t = 0; t <= spec.generations; t++) {
      options.signal?.throwIfAborted();
      const stats = (await stepper.step(t)) as Stats[];
      stats.forEach((cellStats, c) => {
        generations[c].push(cellStats);
        options.onGeneration?.(cellStats, c);
      });
      if (options.captureEstimates && stepper.estimates) estimates.push(await stepper.estimates());
    }
  } finally {
    stepper?.destroy();
    if (ownDevice && backend.kind === 'webgpu') backend.gpu.device.destroy();
  }
  const backendName: BackendName = backend.kind;
  const closedForms = cells.specs.map((cell) => model.closedForm?.(cell) ?? null);
  const sweepCells: CellResult[] | undefined = spec.sweep
    ? cells.params.map((params, c) => ({ params, generations: generations[c], closedForm: closedForms[c] }))
    : undefined;
  return {
    spec,
    backend: backendName,
    adapter: backend.kind === 'webgpu' ? backend.gpu.adapter : null,
    generations: spec.sweep ? [] : generations[0],
    ...(sweepCells ? { cells: sweepCells } : {}),
    elapsedSeconds: (performance.now() - started) / 1000,
    notices,
    closedForm: spec.sweep ? null : closedForms[0],
    ...(options.captureEstimates ? { estimates } : {}),
  };
}
