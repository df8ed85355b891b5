/**
 * Host side of shaders/curation-gaussian/curation_gaussian.wgsl: buffers, pipeline and bind groups for a
 * run over every sweep cell, planned from the device's limits, and one call per generation that returns
 * each cell's metric sums (reduced on the GPU by core's ColumnReducer). Twin: src/models/curation-gaussian/twin.ts.
 */
import { standardised, type ResolvedCurationGaussianSpec } from './spec.js';
import { keyFromSeed, type Key } from '../../core/random/address.js';
import { wgslConstTable, type CellSums } from '../../core/engine/metrics.js';
import { snapshotArray, type Snapshot } from '../../core/engine/snapshot.js';
import { CURATION_GAUSSIAN_COLUMNS, CurationGaussianMetric, VARIANCE_FLOOR, type CurationGaussianReplicateState } from './twin.js';
import type { GpuContext } from '../../core/adapter.js';
import { getPipeline, type Kernel } from '../../core/gpu/shader.js';
import curationGaussianSource from '../../../shaders/curation-gaussian/curation_gaussian.wgsl?raw';
import { alignTo, bufferFrom } from '../../core/gpu/dispatch.js';
import { ColumnReducer } from '../../core/gpu/reduce.js';
import { samplesPerBlock, type LoopCost } from '../../core/gpu/chunks.js';
import { BlockedRun } from '../../core/gpu/blocked.js';
import { readRows, writeRows } from '../../core/gpu/state.js';

const CURATION_GAUSSIAN_KERNEL: Kernel = { name: 'curation-gaussian', source: curationGaussianSource, libraries: [] };

const PARAMS_BYTES = 48;

/** vec4s of state per replicate (STATE_* in the kernel): the model m and (v, …) carry over (`carried`), the sums restart. */
export function stateLayout(dim: number) {
  const Q = Math.ceil(dim / 4);
  return { mean: 0, scalars: Q, sum: Q + 1, carried: Q + 1, stride: 2 * Q + 1 };
}

/** Loop-header visits of the kernel (see samplesPerBlock), counting every dim loop as a loop; the refit runs in the last block's invocation. */
export function curationGaussianLoopCost(dim: number, candidates: number): LoopCost {
  const Q = Math.ceil(dim / 4);
  return {
    // Per sample: K candidates, each a loop over dim coordinates, then the sums' loop over dim.
    perFourSamples: 4 * (candidates * (dim + 2) + dim + 3),
    // Loading m, the sums and c'; storing the sums or the refit (packing Q vec4s of four); the metrics.
    perDispatch: 5 * (dim + 1) + 6 * (Q + 1) + 20,
    finish: 0,
  };
}

export interface CurationGaussianGpuOptions {
  /** Threads (cells × replicates) per chunk, a multiple of the reduction's workgroup size. */
  chunkReplicates?: number;
  /** Replicate index of each cell's first replicate (a shard's start; default 0). */
  firstReplicate?: number;
}

export class CurationGaussianGpu {
  private constructor(
    private readonly device: GPUDevice,
    private readonly cells: readonly ResolvedCurationGaussianSpec[],
    private readonly key: Key,
    private readonly run: BlockedRun,
    private readonly blockSamples: number,
    private readonly shared: { cells: GPUBuffer; targets: GPUBuffer; realCounts: GPUBuffer },
    private readonly replicateBase: number,
  ) {}

  /** `cells` share dim, replicates, generations and seed; n, K, λ, c, τ and s* may differ. */
  static async create(gpu: GpuContext, cells: readonly ResolvedCurationGaussianSpec[], options: CurationGaussianGpuOptions = {}): Promise<CurationGaussianGpu> {
    const { device } = gpu;
    const { limits } = device;
    const { dim, replicates: R } = cells[0];
    const Q = Math.ceil(dim / 4);
    const layout = stateLayout(dim);
    const largestN = Math.max(...cells.map((cell) => cell.n));
    const largestK = Math.max(...cells.map((cell) => cell.candidates));
    const blockSamples = Math.min(
      samplesPerBlock(gpu.adapter.loopIterationLimit, curationGaussianLoopCost(dim, largestK), { name: 'candidates', value: largestK }),
      alignTo(largestN, 4));
    const reducer = await ColumnReducer.create(gpu, CURATION_GAUSSIAN_COLUMNS);
    const workgroupSize = Math.min(64, limits.maxComputeWorkgroupSizeX, limits.maxComputeInvocationsPerWorkgroup);
    const pipeline = await getPipeline(device, {
      kernel: CURATION_GAUSSIAN_KERNEL, entryPoint: 'step',
      consts: { D: dim, Q, COLUMNS: CURATION_GAUSSIAN_COLUMNS, ...wgslConstTable('METRIC', CurationGaussianMetric) },
      constants: { WORKGROUP_SIZE: workgroupSize, VARIANCE_FLOOR },
    });

    // Cell: n, K, 1/(2τ'²), padding; c' (dim per cell); ρ_t (T + 1 per cell).
    const generationCount = cells[0].generations + 1;
    const cellData = new ArrayBuffer(cells.length * 16);
    const cellWords = new Uint32Array(cellData), cellFloats = new Float32Array(cellData);
    const targets = new Float32Array(cells.length * dim), realCounts = new Uint32Array(cells.length * generationCount);
    cells.forEach((cell, c) => {
      const { target, tau } = standardised(cell);
      cellWords[4 * c] = cell.n;
      cellWords[4 * c + 1] = cell.candidates;
      cellFloats[4 * c + 2] = 1 / (2 * tau * tau);
      targets.set(target, c * dim);
      realCounts.set(cell.realCounts, c * generationCount);
    });
    const shared = {
      cells: bufferFrom(device, new Uint8Array(cellData), GPUBufferUsage.STORAGE, 'cells'),
      targets: bufferFrom(device, new Uint8Array(targets.buffer), GPUBufferUsage.STORAGE, 'targets'),
      realCounts: bufferFrom(device, new Uint8Array(realCounts.buffer), GPUBufferUsage.STORAGE, 'real counts'),
    };
    const run = BlockedRun.create(device, {
      pipeline, reducer, workgroupSize, cells: cells.length, replicates: R,
      blocks: Math.ceil(largestN / blockSamples), paramsBytes: PARAMS_BYTES, stateBytes: layout.stride * 16,
      chunkReplicates: options.chunkReplicates,
      bindings: (params, state, metrics) => [params, shared.cells, shared.targets, shared.realCounts, state, metrics],
    });
    return new CurationGaussianGpu(device, cells, keyFromSeed(cells[0].seed), run, blockSamples, shared, options.firstReplicate ?? 0);
  }

  /** Generation t of every cell (t = 0 is P* itself); generations must come in order. */
  step(t: number): Promise<CellSums[]> {
    const R = this.cells[0].replicates;
    return this.run.step(`curation-gaussian generation ${t}`, (chunk, b) => new Uint32Array([this.key[0], this.key[1], t, chunk.offset, chunk.rows, R,
      b * this.blockSamples, (b + 1) * this.blockSamples, chunk.grid.rowPitch, this.replicateBase, this.cells[0].generations + 1]));
  }

  private get carriedFloats(): number {
    return 4 * stateLayout(this.cells[0].dim).carried;
  }

  async snapshot(): Promise<Snapshot> {
    const { stride } = stateLayout(this.cells[0].dim);
    return { state: new Float32Array((await readRows(this.device, this.run.stateChunks, 4 * stride, this.carriedFloats)).buffer) };
  }

  async restore(snapshot: Snapshot): Promise<void> {
    const { stride } = stateLayout(this.cells[0].dim);
    const state = snapshotArray(snapshot, 'state', Float32Array, this.cells.length * this.cells[0].replicates * this.carriedFloats);
    await writeRows(this.device, this.run.stateChunks, 4 * stride, this.carriedFloats, state);
  }

  /** Every replicate's model (standardised), per cell (read back on request only). */
  async replicateStates(): Promise<CurationGaussianReplicateState[]> {
    const { dim, replicates: R } = this.cells[0];
    const layout = stateLayout(dim), floats = this.carriedFloats;
    const { state } = await this.snapshot() as { state: Float32Array };
    return this.cells.map((_, c) => {
      const out = { mean: new Float32Array(R * dim), variance: new Float32Array(R) };
      for (let r = 0; r < R; r++) {
        const base = (c * R + r) * floats;
        out.mean.set(state.subarray(base + layout.mean * 4, base + layout.mean * 4 + dim), r * dim);
        out.variance[r] = state[base + layout.scalars * 4];
      }
      return out;
    });
  }

  destroy(): void {
    this.run.destroy();
    for (const buffer of Object.values(this.shared)) buffer.destroy();
  }
}
