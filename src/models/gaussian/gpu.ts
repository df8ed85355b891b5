/**
 * Host side of shaders/gaussian/gaussian.wgsl: buffers, pipelines and bind groups for a Gaussian
 * refitting run over every sweep cell, planned from the device's limits, and one call per
 * generation that returns each cell's metric sums (reduced on the GPU) and its replicates' log
 * variances (one f32 each, for the median). Twin: src/models/gaussian/twin.ts.
 */
import type { ResolvedGaussianSpec } from './spec.js';
import { keyFromSeed, type Key } from '../../core/random/address.js';
import { emptySums, wgslConstTable, type CellSums } from '../../core/engine/metrics.js';
import { snapshotArray, type Snapshot } from '../../core/engine/snapshot.js';
import { packedSize } from '../../core/cpu/cholesky.js';
import {
  COLLAPSE_VARIANCE, COLLAPSED_LOG_VARIANCE, GAUSSIAN_COLUMNS, GaussianMetric, type GaussianReplicateState,
} from './twin.js';
import { varianceDivisor } from './theory.js';
import type { GpuContext } from '../../core/adapter.js';
import { CHOLESKY, GRAM, getPipeline, gramBatchConsts, type Kernel } from '../../core/gpu/shader.js';
import gaussianSource from '../../../shaders/gaussian/gaussian.wgsl?raw';
import { alignTo, bufferFrom, encodeDispatch, gridFor, type DispatchGrid } from '../../core/gpu/dispatch.js';
import { ColumnReducer, type ReduceBinding } from '../../core/gpu/reduce.js';
import { maxChunkReplicates, planCellPieces, samplesPerBlock, type LoopCost } from '../../core/gpu/chunks.js';
import { readRows, writeRows, type StateChunk } from '../../core/gpu/state.js';

const GAUSSIAN_KERNEL: Kernel = { name: 'gaussian', source: gaussianSource, libraries: [CHOLESKY, GRAM] };

const PARAMS_BYTES = 48;

/** vec4s of state per replicate: see STATE_* in shaders/gaussian/gaussian.wgsl. The fit (up to `sum`) carries over; the sums restart. */
export function stateLayout(dim: number) {
  const Q = Math.ceil(dim / 4), PV = Math.ceil(packedSize(dim) / 4);
  return { delta: 1, factor: 1 + Q, sum: 1 + Q + PV, stride: 1 + 2 * Q + PV + 4 * Q * Q };
}

/**
 * Loop-header visits of shaders/gaussian/gaussian.wgsl (see samplesPerBlock); the refit runs in the same
 * invocation as the last block, so it is charged to every dispatch, bounded above.
 */
export function gaussianLoopCost(dim: number): LoopCost {
  const Q = Math.ceil(dim / 4), PV = Math.ceil(packedSize(dim) / 4);
  const sums = 2 * ((Q + 1) + (4 * Q * Q + 1));
  // The refit: mean, W/k, the Cholesky factorisation and its (zero) solves, δ and L·C (each at
  // most dim³/6 + O(dim²)), storing the state, and writing a collapsed row.
  const refit = dim ** 3 / 2 + 6 * dim * dim + 30 * dim + 4 * (PV + Q) + GAUSSIAN_COLUMNS + 20;
  return {
    // The group loop, D addresses, building z (4 samples × Q blocks), the Q × Q block update.
    perFourSamples: 1 + (dim + 1) + 5 + 4 * (Q + 1) + (Q + 1) + Q * (Q + 1),
    perDispatch: sums + refit,
    finish: 0,
  };
}

interface Chunk {
  /** Global thread (cell·R + r) of the first row, rows, and the cell of the first row. */
  offset: number;
  rows: number;
  firstCell: number;
  state: GPUBuffer;
  grid: DispatchGrid;
  /** One params buffer and bind group per sample block. */
  params: GPUBuffer[];
  groups: GPUBindGroup[];
  reduce: ReduceBinding;
  /** Mapped each generation: the partials, then one log variance per row. */
  staging: GPUBuffer;
  partialBytes: number;
}

export interface GaussianGpuOptions {
  /**
   * Threads (cells × replicates) per chunk, a multiple of the reduction's workgroup size; a chunk
   * holds whole cells, or part of one cell where a cell does not fit. Default: as many as the limits allow.
   */
  chunkReplicates?: number;
  /** Replicate index of each cell's first replicate (a shard's start; default 0). */
  firstReplicate?: number;
}

export class GaussianGpu {
  private constructor(
    private readonly device: GPUDevice,
    private readonly cells: readonly ResolvedGaussianSpec[],
    private readonly key: Key,
    private readonly pipeline: GPUComputePipeline,
    private readonly reducer: ColumnReducer,
    private readonly chunks: Chunk[],
    private readonly blockSamples: number,
    /** Bound by every chunk (metrics, log variances and partials are reused chunk after chunk). */
    private readonly shared: { cells: GPUBuffer; metrics: GPUBuffer; logVariance: GPUBuffer; partials: GPUBuffer },
    private readonly replicateBase: number,
  ) {}

  /** `cells` share dim, estimator, replicates and seed; m and σ may differ (σ only scales the results). */
  static async create(gpu: GpuContext, cells: readonly ResolvedGaussianSpec[], options: GaussianGpuOptions = {}): Promise<GaussianGpu> {
    const { device } = gpu;
    const { limits } = device;
    const { dim, replicates: R } = cells[0];
    const Q = Math.ceil(dim / 4), P = packedSize(dim), PV = Math.ceil(P / 4);
    const layout = stateLayout(dim);
    const largestM = Math.max(...cells.map((cell) => cell.m));
    // One block of all samples where the adapter has no loop limit.
    const blockSamples = Math.min(samplesPerBlock(gpu.adapter.loopIterationLimit, gaussianLoopCost(dim), { name: 'dim', value: dim }), alignTo(largestM, 4));
    const reducer = await ColumnReducer.create(gpu, GAUSSIAN_COLUMNS);
    const workgroupSize = Math.min(64, limits.maxComputeWorkgroupSizeX, limits.maxComputeInvocationsPerWorkgroup);
    const pipeline = await getPipeline(device, {
      kernel: GAUSSIAN_KERNEL, entryPoint: 'step',
      consts: { D: dim, Q, P, PV, ...gramBatchConsts(1), COLUMNS: GAUSSIAN_COLUMNS, ...wgslConstTable('METRIC', GaussianMetric) },
      constants: { WORKGROUP_SIZE: workgroupSize, COLLAPSE_VARIANCE, COLLAPSED_LOG_VARIANCE },
    });

    const alignment = reducer.blockRows;
    const stateBytes = layout.stride * 16;
    const largest = maxChunkReplicates(limits, stateBytes, alignment);
    if (largest < alignment) {
      throw new RangeError(`dim: ${dim} needs ${stateBytes * alignment} bytes per ${alignment} replicates, beyond this device's storage binding size (${limits.maxStorageBufferBindingSize}); lower dim`);
    }
    const requested = options.chunkReplicates;
    if (requested !== undefined && (!Number.isInteger(requested) || requested < alignment || requested % alignment !== 0)) {
      throw new RangeError(`chunkReplicates: must be a positive multiple of ${alignment}, got ${requested}`);
    }
    const plan = planCellPieces(cells.length, R, Math.min(requested ?? largest, largest));
    const largestChunk = Math.max(...plan.map(([, rows]) => rows));

    const cellData = new ArrayBuffer(cells.length * 8);
    cells.forEach((cell, c) => {
      new Uint32Array(cellData, c * 8, 1)[0] = cell.m;
      new Float32Array(cellData, c * 8 + 4, 1)[0] = varianceDivisor(cell);
    });
    const shared = {
      cells: bufferFrom(device, new Uint8Array(cellData), GPUBufferUsage.STORAGE, 'cells'),
      metrics: device.createBuffer({ label: 'metrics', size: largestChunk * GAUSSIAN_COLUMNS * 4, usage: GPUBufferUsage.STORAGE }),
      logVariance: device.createBuffer({ label: 'log variance', size: largestChunk * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }),
      partials: device.createBuffer({ label: 'partials', size: Math.max(...plan.map(([, rows]) => reducer.partialBytes(rows, Math.min(R, rows)))), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }),
    };
    const blocks = Math.ceil(largestM / blockSamples);
    const chunks = plan.map(([offset, rows]): Chunk => {
      const state = device.createBuffer({ label: `state ${offset}`, size: rows * stateBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const params = Array.from({ length: blocks }, (_, b) =>
        device.createBuffer({ label: `params ${offset}/${b}`, size: PARAMS_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }));
      const partialBytes = reducer.partialBytes(rows, Math.min(R, rows));
      return {
        offset, rows, firstCell: Math.floor(offset / R), state,
        grid: gridFor(rows, workgroupSize, limits),
        params,
        groups: params.map((p) => device.createBindGroup({
          layout: pipeline.getBindGroupLayout(0),
          entries: [p, shared.cells, state, shared.metrics, shared.logVariance].map((buffer, binding) => ({ binding, resource: { buffer } })),
        })),
        reduce: reducer.bind(shared.metrics, rows, shared.partials, Math.min(R, rows)),
        staging: device.createBuffer({ label: `staging ${offset}`, size: partialBytes + rows * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
        partialBytes,
      };
    });
    return new GaussianGpu(device, cells, keyFromSeed(cells[0].seed), pipeline, reducer, chunks, blockSamples, shared, options.firstReplicate ?? 0);
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  /** Sample blocks (dispatches) per generation. */
  get blocksPerGeneration(): number {
    return this.chunks[0].params.length;
  }

  /**
   * Generation t of every cell (t = 0 starts from the truth); generations must come in order.
   * Each cell's metric sums, and as `values` each replicate's log variance (for the median).
   */
  async step(t: number): Promise<CellSums[]> {
    const R = this.cells[0].replicates;
    const encoder = this.device.createCommandEncoder({ label: `gaussian generation ${t}` });
    for (const chunk of this.chunks) {
      chunk.params.forEach((params, b) => {
        this.device.queue.writeBuffer(params, 0, new Uint32Array([this.key[0], this.key[1], t, chunk.offset, chunk.rows, R,
          b * this.blockSamples, (b + 1) * this.blockSamples, chunk.grid.rowPitch, this.replicateBase]));
        encodeDispatch(encoder, this.pipeline, chunk.groups[b], chunk.grid.workgroups);
      });
      this.reducer.encode(encoder, chunk.reduce);
      encoder.copyBufferToBuffer(this.shared.partials, 0, chunk.staging, 0, chunk.partialBytes);
      encoder.copyBufferToBuffer(this.shared.logVariance, 0, chunk.staging, chunk.partialBytes, chunk.rows * 4);
    }
    this.device.queue.submit([encoder.finish()]);
    await Promise.all(this.chunks.map((chunk) => chunk.staging.mapAsync(GPUMapMode.READ)));
    const results = this.cells.map(() => ({ ...emptySums(GAUSSIAN_COLUMNS), values: new Float32Array(R) }));
    for (const chunk of this.chunks) {
      try {
        const mapped = chunk.staging.getMappedRange();
        const partials = new Float32Array(mapped, 0, chunk.partialBytes / 4);
        const { segments, blocksPerSegment } = chunk.reduce;
        for (let s = 0; s < segments; s++) {
          this.reducer.addGroups(partials, s * blocksPerSegment, blocksPerSegment, results[chunk.firstCell + s]);
        }
        const logs = new Float32Array(mapped, chunk.partialBytes, chunk.rows);
        for (let first = 0; first < chunk.rows;) {
          const thread = chunk.offset + first, cell = Math.floor(thread / R), r = thread % R;
          const count = Math.min(R - r, chunk.rows - first);
          results[cell].values.set(logs.subarray(first, first + count), r);
          first += count;
        }
      } finally {
        chunk.staging.unmap();
      }
    }
    return results;
  }

  private get stateChunks(): StateChunk[] {
    return this.chunks.map((chunk) => ({ first: chunk.offset, rows: chunk.rows, buffer: chunk.state }));
  }

  /** Floats per replicate that carry over to the next generation: the collapsed flag and the fit. */
  private get carriedFloats(): number {
    return 4 * stateLayout(this.cells[0].dim).sum;
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

  /** Every replicate's δ, L and collapsed flag, per cell (read back on request only). */
  async replicateStates(): Promise<GaussianReplicateState[]> {
    const { dim, replicates: R } = this.cells[0];
    const P = packedSize(dim), layout = stateLayout(dim), floats = this.carriedFloats;
    const { state } = await this.snapshot() as { state: Float32Array };
    return this.cells.map((_, c) => {
      const out = { delta: new Float32Array(R * dim), factor: new Float32Array(R * P), collapsed: new Uint8Array(R) };
      for (let r = 0; r < R; r++) {
        const base = (c * R + r) * floats;
        out.collapsed[r] = state[base] !== 0 ? 1 : 0;
        out.delta.set(state.subarray(base + layout.delta * 4, base + layout.delta * 4 + dim), r * dim);
        out.factor.set(state.subarray(base + layout.factor * 4, base + layout.factor * 4 + P), r * P);
      }
      return out;
    });
  }

  destroy(): void {
    for (const chunk of this.chunks) {
      chunk.state.destroy();
      chunk.staging.destroy();
      chunk.reduce.params.destroy();
      for (const params of chunk.params) params.destroy();
    }
    for (const buffer of Object.values(this.shared)) buffer.destroy();
  }
}
