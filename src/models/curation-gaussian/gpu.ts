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
import { alignTo, bufferFrom, encodeDispatch, gridFor, type DispatchGrid } from '../../core/gpu/dispatch.js';
import { ColumnReducer, type ReduceBinding } from '../../core/gpu/reduce.js';
import { maxChunkReplicates, planCellPieces, readCellSums, samplesPerBlock, type LoopCost } from '../../core/gpu/chunks.js';
import { readRows, writeRows, type StateChunk } from '../../core/gpu/state.js';

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
    private readonly pipeline: GPUComputePipeline,
    private readonly reducer: ColumnReducer,
    private readonly chunks: Chunk[],
    private readonly blockSamples: number,
    private readonly shared: { cells: GPUBuffer; targets: GPUBuffer; realCounts: GPUBuffer; metrics: GPUBuffer; partials: GPUBuffer; staging: GPUBuffer },
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

    const alignment = reducer.blockRows;
    const stateBytes = layout.stride * 16;
    const largest = maxChunkReplicates(limits, stateBytes, alignment);
    const requested = options.chunkReplicates;
    if (requested !== undefined && (!Number.isInteger(requested) || requested < alignment || requested % alignment !== 0)) {
      throw new RangeError(`chunkReplicates: must be a positive multiple of ${alignment}, got ${requested}`);
    }
    const plan = planCellPieces(cells.length, R, Math.min(requested ?? largest, largest));
    const largestChunk = Math.max(...plan.map(([, rows]) => rows));

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
      metrics: device.createBuffer({ label: 'metrics', size: largestChunk * CURATION_GAUSSIAN_COLUMNS * 4, usage: GPUBufferUsage.STORAGE }),
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
          entries: [p, shared.cells, shared.targets, shared.realCounts, state, shared.metrics].map((buffer, binding) => ({ binding, resource: { buffer } })),
        })),
        reduce: reducer.bind(shared.metrics, rows, shared.partials, Math.min(R, rows)),
        stagingOffset,
        partialBytes,
      };
    });
    const staging = device.createBuffer({ label: 'partials staging', size: stagingBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    return new CurationGaussianGpu(device, cells, keyFromSeed(cells[0].seed), pipeline, reducer, chunks, blockSamples, { ...shared, staging }, options.firstReplicate ?? 0);
  }

  /** Generation t of every cell (t = 0 is P* itself); generations must come in order. */
  async step(t: number): Promise<CellSums[]> {
    const R = this.cells[0].replicates;
    const encoder = this.device.createCommandEncoder({ label: `curation-gaussian generation ${t}` });
    for (const chunk of this.chunks) {
      chunk.params.forEach((params, b) => {
        this.device.queue.writeBuffer(params, 0, new Uint32Array([this.key[0], this.key[1], t, chunk.offset, chunk.rows, R,
          b * this.blockSamples, (b + 1) * this.blockSamples, chunk.grid.rowPitch, this.replicateBase, this.cells[0].generations + 1]));
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
    for (const chunk of this.chunks) {
      chunk.state.destroy();
      chunk.reduce.params.destroy();
      for (const params of chunk.params) params.destroy();
    }
    for (const buffer of Object.values(this.shared)) buffer.destroy();
  }
}
