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
import { alignTo, bufferFrom, encodeDispatch, gridFor, type DispatchGrid } from '../../core/gpu/dispatch.js';
import { ColumnReducer, type ReduceBinding } from '../../core/gpu/reduce.js';
import { maxChunkReplicates, planCellPieces, readCellSums, samplesPerBlock, type LoopCost } from '../../core/gpu/chunks.js';
import { readRows, writeRows, type StateChunk } from '../../core/gpu/state.js';

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

interface Chunk {
  offset: number;
  rows: number;
  firstCell: number;
  state: GPUBuffer;
  grid: DispatchGrid;
  params: GPUBuffer[];
  groups: GPUBindGroup[];
  reduce: ReduceBinding;
  /** Where its partials go in the shared staging buffer, and their bytes. */
  stagingOffset: number;
  partialBytes: number;
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
    private readonly pipeline: GPUComputePipeline,
    private readonly reducer: ColumnReducer,
    private readonly chunks: Chunk[],
    private readonly blockSamples: number,
    private readonly shared: { cells: GPUBuffer; metrics: GPUBuffer; partials: GPUBuffer; staging: GPUBuffer },
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

    const alignment = reducer.blockRows;
    const stateBytes = layout.stride * 16;
    const largest = maxChunkReplicates(limits, stateBytes, alignment);
    const requested = options.chunkReplicates;
    if (requested !== undefined && (!Number.isInteger(requested) || requested < alignment || requested % alignment !== 0)) {
      throw new RangeError(`chunkReplicates: must be a positive multiple of ${alignment}, got ${requested}`);
    }
    const plan = planCellPieces(cells.length, R, Math.min(requested ?? largest, largest));
    const largestChunk = Math.max(...plan.map(([, rows]) => rows));

    const cellData = new Uint32Array(cells.length * 2);
    cells.forEach((cell, c) => {
      cellData[2 * c] = cell.n;
      cellData[2 * c + 1] = cell.synthetic;
    });
    const shared = {
      cells: bufferFrom(device, new Uint8Array(cellData.buffer), GPUBufferUsage.STORAGE, 'cells'),
      metrics: device.createBuffer({ label: 'metrics', size: largestChunk * AMIN_ERM_COLUMNS * 4, usage: GPUBufferUsage.STORAGE }),
      partials: device.createBuffer({ label: 'partials', size: Math.max(...plan.map(([, rows]) => reducer.partialBytes(rows, Math.min(R, rows)))), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }),
    };
    const blocks = Math.ceil(largestN / blockSamples);
    let stagingBytes = 0;
    const chunks = plan.map(([offset, rows]): Chunk => {
      const state = device.createBuffer({ label: `state ${offset}`, size: rows * stateBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
      const params = Array.from({ length: blocks }, (_, b) =>
        device.createBuffer({ label: `params ${offset}/${b}`, size: PARAMS_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }));
      const partialBytes = reducer.partialBytes(rows, Math.min(R, rows));
      const stagingOffset = stagingBytes;
      stagingBytes += partialBytes;
      return {
        offset, rows, firstCell: Math.floor(offset / R), state,
        grid: gridFor(rows, workgroupSize, limits),
        params,
        groups: params.map((p) => device.createBindGroup({
          layout: pipeline.getBindGroupLayout(0),
          entries: [p, shared.cells, state, shared.metrics].map((buffer, binding) => ({ binding, resource: { buffer } })),
        })),
        reduce: reducer.bind(shared.metrics, rows, shared.partials, Math.min(R, rows)),
        stagingOffset,
        partialBytes,
      };
    });
    const staging = device.createBuffer({ label: 'partials staging', size: stagingBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    return new AminErmGpu(device, cells, keyFromSeed(cells[0].seed), pipeline, reducer, chunks, blockSamples, { ...shared, staging }, options.firstReplicate ?? 0);
  }

  /** Generation t of every cell (t = 0 from natural data only); generations must come in order. */
  async step(t: number): Promise<CellSums[]> {
    const R = this.cells[0].replicates;
    const encoder = this.device.createCommandEncoder({ label: `amin-erm generation ${t}` });
    for (const chunk of this.chunks) {
      chunk.params.forEach((params, b) => {
        this.device.queue.writeBuffer(params, 0, new Uint32Array([this.key[0], this.key[1], t, chunk.offset, chunk.rows, R,
          b * this.blockSamples, (b + 1) * this.blockSamples, chunk.grid.rowPitch, this.replicateBase]));
        encodeDispatch(encoder, this.pipeline, chunk.groups[b], chunk.grid.workgroups);
      });
      this.reducer.encode(encoder, chunk.reduce);
      encoder.copyBufferToBuffer(this.shared.partials, 0, this.shared.staging, chunk.stagingOffset, chunk.partialBytes);
    }
    this.device.queue.submit([encoder.finish()]);
    return readCellSums(this.shared.staging, this.reducer, this.cells.length, this.chunks);
  }

  private get stateChunks(): StateChunk[] {
    return this.chunks.map((chunk) => ({ first: chunk.offset, rows: chunk.rows, buffer: chunk.state }));
  }

  private get carriedFloats(): number {
    return 4 * stateLayout(this.cells[0].dim).carried;
  }

  async snapshot(): Promise<Snapshot> {
    const { stride } = stateLayout(this.cells[0].dim);
    return { state: new Float32Array((await readRows(this.device, this.stateChunks, 4 * stride, this.carriedFloats)).buffer) };
  }

  async restore(snapshot: Snapshot): Promise<void> {
    const { stride } = stateLayout(this.cells[0].dim);
    const state = snapshotArray(snapshot, 'state', Float32Array, this.cells.length * this.cells[0].replicates * this.carriedFloats);
    await writeRows(this.device, this.stateChunks, 4 * stride, this.carriedFloats, state);
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
    for (const chunk of this.chunks) {
      chunk.state.destroy();
      chunk.reduce.params.destroy();
      for (const params of chunk.params) params.destroy();
    }
    for (const buffer of Object.values(this.shared)) buffer.destroy();
  }
}
