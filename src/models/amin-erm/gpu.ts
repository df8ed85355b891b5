/**
 * Host side of shaders/amin-erm/amin-erm.wgsl: buffers, pipeline and bind groups for a run over every
 * sweep cell, planned from the device's limits, and one call per generation that returns each cell's
 * metric sums (reduced on the GPU by core's ColumnReducer). Twin: src/models/amin-erm/twin.ts.
 */
import type { ResolvedAminErmSpec } from './spec.js';
import { keyFromSeed, type Key } from '../../core/random/address.js';
import { wgslConstTable, type CellSums } from '../../core/engine/metrics.js';
import { snapshotArray, type Snapshot } from '../../core/engine/snapshot.js';
import { AMIN_ERM_COLUMNS, AminErmMetric, type AminErmReplicateState } from './twin.js';
import type { GpuContext } from '../../core/adapter.js';
import { getPipeline, type Kernel } from '../../core/gpu/shader.js';
import aminErmSource from '../../../shaders/amin-erm/amin-erm.wgsl?raw';
import { alignTo, bufferFrom } from '../../core/gpu/dispatch.js';
import { ColumnReducer } from '../../core/gpu/reduce.js';
import { samplesPerBlock, type LoopCost } from '../../core/gpu/chunks.js';
import { BlockedRun } from '../../core/gpu/blocked.js';
import { readRows, writeRows } from '../../core/gpu/state.js';

const AMIN_ERM_KERNEL: Kernel = { name: 'amin-erm', source: aminErmSource, libraries: [] };

const PARAMS_BYTES = 48;

/** vec4s of state per replicate (STATE_* in the kernel): both estimates carry over (`carried`), the noise sum restarts. */
export function stateLayout(dim: number) {
  const Q = Math.ceil(dim / 4);
  return { erm: 0, weighted: Q, sum: 2 * Q, carried: 2 * Q, stride: 3 * Q };
}

/** Loop-header visits of the kernel (see samplesPerBlock); the update runs in the last block's invocation. */
export function aminErmLoopCost(dim: number): LoopCost {
  const Q = Math.ceil(dim / 4);
  return {
    // dim addresses per four samples, each with its loop of four components.
    perFourSamples: 6 * dim + 1,
    // Loading and storing Σz, the update over dim coordinates, packing 2Q vec4s.
    perDispatch: 3 * (dim + 1) + 6 * (Q + 1) + 10,
    finish: 0,
  };
}

export interface AminErmGpuOptions {
  /** Threads (cells × replicates) per chunk, a multiple of the reduction's workgroup size. */
  chunkReplicates?: number;
  /** Replicate index of each cell's first replicate (a shard's start; default 0). */
  firstReplicate?: number;
}

export class AminErmGpu {
  private constructor(
    private readonly device: GPUDevice,
    private readonly cells: readonly ResolvedAminErmSpec[],
    private readonly key: Key,
    private readonly run: BlockedRun,
    private readonly blockSamples: number,
    private readonly cellBuffer: GPUBuffer,
    private readonly replicateBase: number,
  ) {}

  /** `cells` share dim, replicates and seed; n, α and σ may differ (σ only scales the results). */
  static async create(gpu: GpuContext, cells: readonly ResolvedAminErmSpec[], options: AminErmGpuOptions = {}): Promise<AminErmGpu> {
    const { device } = gpu;
    const { limits } = device;
    const { dim, replicates: R } = cells[0];
    const Q = Math.ceil(dim / 4);
    const layout = stateLayout(dim);
    const largestN = Math.max(...cells.map((cell) => cell.n));
    const blockSamples = Math.min(samplesPerBlock(gpu.adapter.loopIterationLimit, aminErmLoopCost(dim), { name: 'dim', value: dim }), alignTo(largestN, 4));
    const reducer = await ColumnReducer.create(gpu, AMIN_ERM_COLUMNS);
    const workgroupSize = Math.min(64, limits.maxComputeWorkgroupSizeX, limits.maxComputeInvocationsPerWorkgroup);
    const pipeline = await getPipeline(device, {
      kernel: AMIN_ERM_KERNEL, entryPoint: 'step',
      consts: { D: dim, Q, COLUMNS: AMIN_ERM_COLUMNS, ...wgslConstTable('METRIC', AminErmMetric) },
      constants: { WORKGROUP_SIZE: workgroupSize },
    });

    const cellData = new Uint32Array(cells.length * 2);
    cells.forEach((cell, c) => {
      cellData[2 * c] = cell.n;
      cellData[2 * c + 1] = cell.synthetic;
    });
    const cellBuffer = bufferFrom(device, new Uint8Array(cellData.buffer), GPUBufferUsage.STORAGE, 'cells');
    const run = BlockedRun.create(device, {
      pipeline, reducer, workgroupSize, cells: cells.length, replicates: R,
      blocks: Math.ceil(largestN / blockSamples), paramsBytes: PARAMS_BYTES, stateBytes: layout.stride * 16,
      chunkReplicates: options.chunkReplicates,
      bindings: (params, state, metrics) => [params, cellBuffer, state, metrics],
    });
    return new AminErmGpu(device, cells, keyFromSeed(cells[0].seed), run, blockSamples, cellBuffer, options.firstReplicate ?? 0);
  }

  /** Generation t of every cell (t = 0 from natural data only); generations must come in order. */
  step(t: number): Promise<CellSums[]> {
    const R = this.cells[0].replicates;
    return this.run.step(`amin-erm generation ${t}`, (chunk, b) => new Uint32Array([this.key[0], this.key[1], t, chunk.offset, chunk.rows, R,
      b * this.blockSamples, (b + 1) * this.blockSamples, chunk.grid.rowPitch, this.replicateBase]));
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

  /** Every replicate's two estimates (standardised), per cell (read back on request only). */
  async replicateStates(): Promise<AminErmReplicateState[]> {
    const { dim, replicates: R } = this.cells[0];
    const layout = stateLayout(dim), floats = this.carriedFloats;
    const { state } = await this.snapshot() as { state: Float32Array };
    return this.cells.map((_, c) => {
      const out = { erm: new Float32Array(R * dim), weighted: new Float32Array(R * dim) };
      for (let r = 0; r < R; r++) {
        const base = (c * R + r) * floats;
        out.erm.set(state.subarray(base + layout.erm * 4, base + layout.erm * 4 + dim), r * dim);
        out.weighted.set(state.subarray(base + layout.weighted * 4, base + layout.weighted * 4 + dim), r * dim);
      }
      return out;
    });
  }

  destroy(): void {
    this.run.destroy();
    this.cellBuffer.destroy();
  }
}
