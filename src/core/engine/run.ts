/**
 * The generation loop for any model: pick a backend, build the model's stepper over all sweep
 * cells, run t = 0..T, and stream each cell's statistics as they arrive. The same loop runs a
 * shard of a run (a range of every cell's replicates, src/core/engine/shard.ts), hands out a
 * checkpoint after every generation and resumes from one, and survives a lost GPU device:
 * after each generation it keeps the steppers' snapshot (src/core/engine/snapshot.ts), and when the
 * device is lost or raises an error it acquires a new one on the same adapter path, restores
 * the snapshot into a new stepper and goes on from there.
 */
import { acquireDevice, NoAdapterError, watchDevice, type DeviceFailure, type DeviceWatch } from '../gpu/device.js';
import { type AdapterChoice, type AdapterPath, type GpuContext } from '../adapter.js';
import { experimentCells, modelOf, type Spec } from './experiment.js';
import type { CellSums } from './metrics.js';
import type { Backend, GenerationRecord, ReplicateRows, Stepper, StepperOptions } from './model.js';
import { DEFAULT_MEMORY_BUDGET, planMemory } from './memory.js';
import { runResult, type BackendName, type RunResult, type Stats } from './result.js';
import { shardRange, type ReplicateRange, type Shard, type ShardOutput } from './shard.js';
import type { Snapshot } from './snapshot.js';

/** Devices a run may lose (or see fail) and replace before it gives up. */
export const MAX_DEVICE_RECOVERIES = 3;

export interface RunOptions {
  /** WebGPU adapter path (default: SYNTHLOOP_ADAPTER, else auto). */
  adapter?: AdapterChoice;
  /** Run on this device instead of acquiring one (it is not destroyed afterwards; a replacement after a loss is the run's own). */
  gpu?: GpuContext;
  /** Each cell's statistics as soon as a generation is done (cell 0 without a sweep). */
  onGeneration?: (stats: Stats, cell: number) => void;
  signal?: AbortSignal;
  /** Keep every replicate's rows after each generation (Stepper.replicateRows: replicate-by-replicate checks). */
  captureReplicateRows?: boolean;
  /** GPU replicates per chunk; by default the largest the device's limits allow. */
  chunkReplicates?: number;
  /** Images a model draws after each generation (mnist-cvae: a digit grid per cell), for the caller to save or show. */
  onImage?: StepperOptions['onImage'];
  /** Bytes the run's replicates may hold (core/engine/memory.ts); default DEFAULT_MEMORY_BUDGET. Past it the run is refused before any allocation. */
  memoryBudget?: number;
  /** Run only this shard of every cell's replicates; the output then carries the sums a merge needs. */
  shard?: Shard;
  /**
   * After every generation, what resuming needs (serialise it before returning). Costs a read-back
   * of the replicates' state per generation on WebGPU, as recovery does.
   */
  onCheckpoint?: (checkpoint: Checkpoint) => void | Promise<void>;
  /** Continue the run this checkpoint was taken of (same spec), on its backend kind and adapter path. */
  resume?: Checkpoint;
  /**
   * WebGPU runs (default true): keep each generation's snapshot (one read-back of the replicates'
   * state per generation) and, when the device is lost or raises an uncaptured error, continue on
   * a new device — up to MAX_DEVICE_RECOVERIES times.
   */
  recover?: boolean;
  /** Each device the run acquires itself, also a replacement for a lost one. */
  onDevice?: (gpu: GpuContext) => void;
}

/** A run after its generation t: enough to finish it elsewhere, later, with identical output. */
export interface Checkpoint {
  spec: Spec;
  backend: BackendName;
  /** The adapter path it ran on (webgpu), to resume on the same kind of device. */
  adapter: AdapterPath | null;
  shard?: Shard;
  /** The last completed generation. */
  t: number;
  /** Per cell, generations 0..t. */
  generations: Stats[][];
  /** Shards: per cell, the sufficient statistics of generations 0..t. */
  sums?: CellSums[][];
  snapshot: Snapshot;
  notices: string[];
  /** Seconds spent on generations 0..t, over every session of the run. */
  elapsedSeconds: number;
}

export interface RunOutput extends RunResult {
  /** With captureReplicateRows: every replicate's rows per generation (linear: `theta`, cell-major, d per replicate). */
  replicateRows?: ReplicateRows[];
  /** With a shard: which one, its replicates of every cell, and per cell per generation the sums to merge. */
  shard?: Shard & ReplicateRange;
  sums?: CellSums[][];
}

/** What a shard's run hands to mergeShards (and the CLI writes to a shard file). */
export function shardOutput(run: RunOutput): ShardOutput {
  if (!run.shard || !run.sums) throw new RangeError('shardOutput: not the output of a shard (runExperiment with `shard`)');
  const { spec, shard, backend, adapter, elapsedSeconds, notices, sums } = run;
  return { spec, shard, backend, adapter, elapsedSeconds, notices, sums };
}

/** The run's backend and, on WebGPU, its device: the caller's, or one the run acquired (and destroys). */
class Session {
  private watch: DeviceWatch | null;

  private constructor(public backend: Backend, private own: boolean, private readonly onDevice?: (gpu: GpuContext) => void) {
    this.watch = backend.kind === 'webgpu' ? watchDevice(backend.gpu.device) : null;
    if (own && backend.kind === 'webgpu') onDevice?.(backend.gpu);
  }

  /** WebGPU where an adapter works (or is required; a resumed run keeps its backend and adapter path), else the CPU twin. */
  static async open(spec: Spec, options: RunOptions, notices: string[]): Promise<Session> {
    const { resume } = options;
    const choice = resume?.backend ?? spec.backend;
    if (choice === 'cpu') return new Session({ kind: 'cpu' }, false);
    const adapter = resume?.adapter ?? options.adapter;
    if (options.gpu && (!resume || options.gpu.adapter.path === adapter)) return new Session({ kind: 'webgpu', gpu: options.gpu }, false, options.onDevice);
    try {
      return new Session({ kind: 'webgpu', gpu: await acquireDevice({ adapter }) }, true, options.onDevice);
    } catch (error) {
      if (choice !== 'auto' || !(error instanceof NoAdapterError)) throw error;
      notices.push(`No WebGPU adapter works here, so the float64 CPU twin ran instead (${error.attempts.map((a) => `${a.path}: ${a.reason}`).join('; ')}).`);
      return new Session({ kind: 'cpu' }, false);
    }
  }

  get adapterPath(): AdapterPath | null {
    return this.backend.kind === 'webgpu' ? this.backend.gpu.adapter.path : null;
  }

  /** Throws if the device has been lost or has raised an error since the run began with it. */
  check(): void {
    if (this.watch?.failure) throw new Error(describeFailure(this.watch.failure));
  }

  /** After an error: what went wrong with the device, if anything did. */
  async failure(): Promise<DeviceFailure | null> {
    return this.watch ? this.watch.settle() : null;
  }

  /** A new device on the same adapter path in place of a failed one. */
  async replace(): Promise<void> {
    if (this.backend.kind !== 'webgpu') return;
    const path = this.backend.gpu.adapter.path;
    this.close();
    this.backend = { kind: 'webgpu', gpu: await acquireDevice({ adapter: path }) };
    this.own = true;
    this.watch = watchDevice(this.backend.gpu.device);
    this.onDevice?.(this.backend.gpu);
  }

  close(): void {
    this.watch?.stop();
    if (this.own && this.backend.kind === 'webgpu') this.backend.gpu.device.destroy();
  }
}

/** A checkpoint's shape against its spec, before anything runs: every problem a RangeError naming the field. */
function checkResume(resume: Checkpoint, spec: Spec, cellCount: number): void {
  const { t } = resume;
  if (!Number.isInteger(t) || t < 0 || t > spec.generations) {
    throw new RangeError(`resume: t must be a completed generation, an integer in 0..${spec.generations}, got ${JSON.stringify(t)}`);
  }
  const perCell = (what: string, value: unknown) => {
    if (!Array.isArray(value) || value.length !== cellCount || value.some((cell) => !Array.isArray(cell) || cell.length !== t + 1)) {
      throw new RangeError(`resume: ${what} must hold generations 0..${t} of each of the ${cellCount} cell(s)`);
    }
  };
  perCell('generations', resume.generations);
  if (resume.shard) perCell('sums', resume.sums);
  if (resume.snapshot === null || typeof resume.snapshot !== 'object') throw new RangeError('resume: snapshot is missing');
  if (!Array.isArray(resume.notices) || typeof resume.elapsedSeconds !== 'number') throw new RangeError('resume: notices and elapsedSeconds are missing');
}

const describeFailure = (failure: DeviceFailure) => `${failure.kind} (${failure.detail})`;

export async function runExperiment(spec: Spec, options: RunOptions = {}): Promise<RunOutput> {
  const started = performance.now();
  const { resume } = options;
  if (resume && JSON.stringify(resume.spec) !== JSON.stringify(spec)) throw new RangeError('resume: the checkpoint is of another spec');
  const model = modelOf(spec);
  const cells = experimentCells(spec);
  if (resume) checkResume(resume, spec, cells.specs.length);
  const notices = [...(resume?.notices ?? [])];
  const shard = resume ? resume.shard : options.shard;
  const range = shard ? shardRange(spec, shard) : undefined;
  // A shard's steppers see cells of its replicates only, counted from its first.
  const stepperCells = range ? cells.specs.map((cell) => ({ ...cell, replicates: range.replicates })) : cells.specs;
  // Planned before the device is acquired, for the backend asked for; again if "auto" ends on the twin.
  const budget = options.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
  const asked = (resume?.backend ?? spec.backend) === 'cpu' ? 'cpu' : 'webgpu';
  planMemory(model, stepperCells, asked, budget);
  const session = await Session.open(spec, options, notices);
  if (session.backend.kind !== asked) planMemory(model, stepperCells, session.backend.kind, budget);
  const recover = session.backend.kind === 'webgpu' && (options.recover ?? true);
  const keepSnapshots = recover || options.onCheckpoint !== undefined;
  const generations: Stats[][] = resume ? resume.generations.map((cell) => [...cell]) : cells.specs.map(() => []);
  const sums: CellSums[][] | undefined = range ? (resume?.sums?.map((cell) => [...cell]) ?? cells.specs.map(() => [])) : undefined;
  const replicateRows: ReplicateRows[] = [];
  // The last completed generation's state: where a new stepper starts from.
  let restorePoint = resume ? { t: resume.t, snapshot: resume.snapshot } : null;
  const elapsed = () => (resume?.elapsedSeconds ?? 0) + (performance.now() - started) / 1000;
  let stepper: Stepper<GenerationRecord> | undefined;
  let recoveries = 0;
  try {
    for (let t = (restorePoint?.t ?? -1) + 1; t <= spec.generations;) {
      options.signal?.throwIfAborted();
      let stats: Stats[], snapshot: Snapshot | undefined, rows: ReplicateRows | undefined;
      try {
        if (!stepper) {
          stepper = await model.createStepper(stepperCells, session.backend, { chunkReplicates: options.chunkReplicates, firstReplicate: range?.first, onImage: options.onImage });
          if (restorePoint) await stepper.restore(restorePoint.snapshot, restorePoint.t);
        }
        stats = (await stepper.step(t)) as Stats[];
        if (keepSnapshots) snapshot = await stepper.snapshot();
        if (options.captureReplicateRows) rows = await stepper.replicateRows();
        session.check();
      } catch (error) {
        const failure = await session.failure();
        if (failure === null) throw error;
        const what = `${describeFailure(failure)} at generation ${t}`;
        if (!recover || failure.kind === 'invalid use') throw new Error(`the GPU failed: ${what}`, { cause: error });
        if (++recoveries > MAX_DEVICE_RECOVERIES) throw new Error(`the GPU failed ${recoveries} times, the last: ${what}; giving up`, { cause: error });
        notices.push(`${what}, re-acquired, resumed`);
        stepper?.destroy();
        stepper = undefined;
        await session.replace();
        continue;
      }
      stats.forEach((cellStats, c) => {
        generations[c].push(cellStats);
        options.onGeneration?.(cellStats, c);
      });
      if (sums) stepper.sums().forEach((cellSums, c) => sums[c].push(cellSums));
      if (rows) replicateRows.push(rows);
      if (snapshot) restorePoint = { t, snapshot };
      await options.onCheckpoint?.({
        spec, backend: session.backend.kind, adapter: session.adapterPath, ...(shard ? { shard } : {}),
        t, generations, ...(sums ? { sums } : {}), snapshot: snapshot!, notices, elapsedSeconds: elapsed(),
      });
      t++;
    }
  } finally {
    stepper?.destroy();
    session.close();
  }
  const result = runResult(spec, generations, {
    backend: session.backend.kind,
    adapter: session.backend.kind === 'webgpu' ? session.backend.gpu.adapter : null,
    elapsedSeconds: elapsed(),
    notices,
  });
  return {
    ...result,
    ...(options.captureReplicateRows ? { replicateRows } : {}),
    ...(shard && range && sums ? { shard: { ...shard, ...range }, sums } : {}),
  };
}
