/**
 * Host side of shaders/gmm-selection/gmm_selection.wgsl: buffers, pipelines and bind groups for every sweep
 * cell of a gmm-selection run, planned from the device's limits, and one call per generation
 * that returns each cell's metric sums (only the reduced partials are read back).
 * Twin: src/models/gmm-selection/twin.ts.
 */
import type { ResolvedGmmSelectionSpec } from './spec.js';
import { keyFromSeed, type Key } from '../../core/random/address.js';
import { wgslConstTable, type MetricSums } from '../../core/engine/metrics.js';
import { snapshotArray, type Snapshot } from '../../core/engine/snapshot.js';
import { packedSize } from '../../core/cpu/cholesky.js';
import { GMM_COLUMNS, GmmColumn, kernelCell } from './twin.js';
import type { GpuContext } from '../../core/adapter.js';
import { CHOLESKY, GRAM, getPipeline, gramBatchConsts, type Kernel } from '../../core/gpu/shader.js';
import gmmSelectionSource from '../../../shaders/gmm-selection/gmm_selection.wgsl?raw';
import { alignTo, bufferFrom, encodeDispatch, gridFor, type DispatchGrid } from '../../core/gpu/dispatch.js';
import { ColumnReducer, type ReduceBinding } from '../../core/gpu/reduce.js';
import { BlockParams, bindBuffers, planChunks, readCellSums, samplesPerBlock, type ChunkRange, type LoopCost } from '../../core/gpu/chunks.js';
import { readRows, writeRows, type StateChunk } from '../../core/gpu/state.js';

/** Floats of state per replicate: see STATE_* in shaders/gmm-selection/gmm_selection.wgsl. */
export const gmmStateFloats = (d: number) => { const Q = Math.ceil(d / 4); return 4 * (2 * Q + 1 + 4 * Q * Q); };

export const GMM_SELECTION_KERNEL: Kernel = { name: 'gmm_selection', source: gmmSelectionSource, libraries: [CHOLESKY, GRAM] };

const WORKGROUP_SIZE = 64;
const PARAMS_BYTES = 48;
/** Bytes of one `Cell` of the kernel (eight 4-byte fields). */
const CELL_BYTES = 32;
const SELECTOR_RATES = 0;
const SELECTOR_LINEAR = 1;

interface Chunk extends ChunkRange {
  state: GPUBuffer;
  /** This chunk's per-replicate metric rows (kept for `metricRows`). */
  metrics: GPUBuffer;
  grid: DispatchGrid;
  /** The accumulate pass's params and bind group per sample block (block 0's also drive `finish`). */
  blocks: BlockParams;
  finishGroup: GPUBindGroup;
  reduce: ReduceBinding;
  /** Byte offset of this chunk's partials in the staging buffer. */
  stagingOffset: number;
}

export interface GmmSelectionGpuOptions {
  /**
   * Threads (cells × replicates) per chunk: a multiple of the reduction's workgroup size with
   * one cell, whole cells with several; default: as many as the limits allow.
   */
  chunkReplicates?: number;
  /** Replicate index of each cell's first replicate (a shard's start; default 0). */
  firstReplicate?: number;
}

/**
 * Loop-header visits of shaders/gmm-selection/gmm_selection.wgsl's `accumulate` and `finish` (see
 * samplesPerBlock). Loops the compiler unrolls do not count on llvmpipe (at d = 8 an unsplit loop
 * ends after ~43 700 samples, 1.5 headers per sample against the 10.75 counted here), so this
 * stays safe where nothing unrolls.
 */
export function gmmSelectionLoopCost(d: number): LoopCost {
  const Q = Math.ceil(d / 4), P = packedSize(d);
  return {
    // The group loop, four sample iterations (draw and weight loops), the Q × Q block update.
    perFourSamples: 1 + 5 + 4 * 2 * (Q + 1) + (Q + 1) * (Q + 1) + 4,
    perDispatch: 2 * (4 * Q * Q + 1) + 4 * (Q + 1) + 16,
    // Zeroing the row, loading and packing, the Cholesky factor and two triangular solves, w's norm, storing w.
    finish: (GMM_COLUMNS + 1) + (4 * Q * Q + 1) + (P + d + 1) + (d * d * d) / 6 + 2 * d * d + 4 * (d + 1) + (Q + 1),
  };
}

/** The kernel's `Cell` array: every cell's parameters, fixed for the run. */
function cellData(cells: readonly ResolvedGmmSelectionSpec[]): Uint8Array {
  const data = new ArrayBuffer(cells.length * CELL_BYTES);
  const f32 = new Float32Array(data), u32 = new Uint32Array(data);
  cells.forEach((spec, c) => {
    const cell = kernelCell(spec);
    const at = (c * CELL_BYTES) / 4;
    f32.set([cell.meanNorm, cell.flipRate, cell.keepCorrect, cell.keepWrong, cell.verifier[0], cell.verifier[1], cell.ridgeLambda], at);
    u32[at + 7] = cell.samples;
  });
  return new Uint8Array(data);
}

export class GmmSelectionGpu {
  private constructor(
    private readonly device: GPUDevice,
    private readonly cells: readonly ResolvedGmmSelectionSpec[],
    private readonly key: Key,
    private readonly pipelines: { accumulate: GPUComputePipeline; finish: GPUComputePipeline },
    private readonly reducer: ColumnReducer,
    private readonly chunks: Chunk[],
    private readonly blockSamples: number,
    /** Buffers bound by every chunk: the cells and partials (reused chunk after chunk), and the staging copy. */
    private readonly shared: { cells: GPUBuffer; partials: GPUBuffer; staging: GPUBuffer },
    private readonly stateStride: number,
    private readonly replicateBase: number,
  ) {}

  /** `cells` share d, selector kind, generations, replicates and seed (the sweepable fields differ). */
  static async create(gpu: GpuContext, cells: readonly ResolvedGmmSelectionSpec[], options: GmmSelectionGpuOptions = {}): Promise<GmmSelectionGpu> {
    const { device } = gpu;
    const [{ d, replicates: R, selector }] = cells;
    const Q = Math.ceil(d / 4), P = packedSize(d);
    const stateStride = gmmStateFloats(d);
    const blockSamples = samplesPerBlock(gpu.adapter.loopIterationLimit, gmmSelectionLoopCost(d), { name: 'd', value: d });
    const reducer = await ColumnReducer.create(gpu, GMM_COLUMNS);
    const variant = {
      kernel: GMM_SELECTION_KERNEL,
      consts: { D: d, Q, P, ...gramBatchConsts(1), COLUMNS: GMM_COLUMNS, ...wgslConstTable('COLUMN', GmmColumn) },
      constants: { WORKGROUP_SIZE, SELECTOR: selector.kind === 'linear' ? SELECTOR_LINEAR : SELECTOR_RATES },
    } as const;
    const [accumulate, finish] = await Promise.all([
      getPipeline(device, { ...variant, entryPoint: 'accumulate' }),
      getPipeline(device, { ...variant, entryPoint: 'finish' }),
    ]);

    const ranges = planChunks(device.limits, {
      cells: cells.length, replicates: R, bytesPerReplicate: Math.max(stateStride, GMM_COLUMNS) * 4, reducer, requested: options.chunkReplicates, d,
    });
    const shared = {
      cells: bufferFrom(device, cellData(cells), GPUBufferUsage.STORAGE, 'cells'),
      partials: device.createBuffer({ label: 'partials', size: reducer.partialBytes(ranges[0].rows, ranges[0].segmentRows), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }),
      staging: undefined as unknown as GPUBuffer,
    };

    let stagingBytes = 0;
    const chunks: Chunk[] = ranges.map((range) => {
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
      const state = device.createBuffer({ label: `state ${range.offset}`, size: alignTo(range.rows * stateStride * 4, 16), usage });
      const metrics = device.createBuffer({ label: `metrics ${range.offset}`, size: alignTo(range.rows * GMM_COLUMNS * 4, 16), usage });
      const blocks = new BlockParams(device, PARAMS_BYTES, `params ${range.offset}`, (params) => bindBuffers(device, accumulate, [params, shared.cells, state]));
      const stagingOffset = stagingBytes;
      stagingBytes += reducer.partialBytes(range.rows, range.segmentRows);
      return {
        ...range, state, metrics, stagingOffset,
        grid: gridFor(range.rows, WORKGROUP_SIZE, device.limits),
        blocks,
        finishGroup: bindBuffers(device, finish, [blocks.first, shared.cells, state, metrics]),
        reduce: reducer.bind(metrics, range.rows, shared.partials, range.segmentRows),
      };
    });
    shared.staging = device.createBuffer({ label: 'partials staging', size: stagingBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    return new GmmSelectionGpu(device, cells, keyFromSeed(cells[0].seed), { accumulate, finish }, reducer, chunks, blockSamples, shared, stateStride,
      options.firstReplicate ?? 0);
  }

  /** Runs generation t on every chunk and returns each cell's metric sums, in cell order. */
  async step(t: number): Promise<MetricSums[]> {
    const encoder = this.device.createCommandEncoder({ label: `generation ${t}` });
    const mostSamples = Math.max(...this.cells.map((cell) => cell.n));
    const blocks = Math.max(1, Math.ceil(mostSamples / this.blockSamples));
    const R = this.cells[0].replicates;
    for (const chunk of this.chunks) {
      for (let b = 0; b < blocks; b++) {
        const { params, group } = chunk.blocks.block(b);
        const begin = b * this.blockSamples, end = Math.min(mostSamples, (b + 1) * this.blockSamples);
        this.device.queue.writeBuffer(params, 0, new Uint32Array([this.key[0], this.key[1], t, chunk.firstCell, chunk.offset - chunk.firstCell * R,
          chunk.rows, R, begin, end, chunk.grid.rowPitch, this.replicateBase, 0]));
        encodeDispatch(encoder, this.pipelines.accumulate, group, chunk.grid.workgroups);
      }
      encodeDispatch(encoder, this.pipelines.finish, chunk.finishGroup, chunk.grid.workgroups);
      this.reducer.encode(encoder, chunk.reduce);
      encoder.copyBufferToBuffer(this.shared.partials, 0, this.shared.staging, chunk.stagingOffset, this.reducer.partialBytes(chunk.rows, chunk.segmentRows));
    }
    this.device.queue.submit([encoder.finish()]);
    return readCellSums(this.shared.staging, this.reducer, this.cells.length, this.chunks);
  }

  private rowsOf(buffer: (chunk: Chunk) => GPUBuffer): StateChunk[] {
    return this.chunks.map((chunk) => ({ first: chunk.offset, rows: chunk.rows, buffer: buffer(chunk) }));
  }

  /** The first `floats` floats of every row of every chunk's `buffer`, cell-major. */
  private async perReplicate(buffer: (chunk: Chunk) => GPUBuffer, stride: number, floats: number): Promise<Float32Array> {
    return new Float32Array((await readRows(this.device, this.rowsOf(buffer), stride, floats)).buffer);
  }

  /** Floats of a replicate's state that carry over to the next generation: w and the flags (the sums restart). */
  private get carriedFloats(): number {
    return 4 * (Math.ceil(this.cells[0].d / 4) + 1);
  }

  async snapshot(): Promise<Snapshot> {
    return { state: await this.perReplicate((chunk) => chunk.state, this.stateStride, this.carriedFloats) };
  }

  async restore(snapshot: Snapshot): Promise<void> {
    const state = snapshotArray(snapshot, 'state', Float32Array, this.cells.length * this.cells[0].replicates * this.carriedFloats);
    await writeRows(this.device, this.rowsOf((chunk) => chunk.state), this.stateStride, this.carriedFloats, state);
  }

  /** w of every replicate of every cell (cell-major, d each; stale where a solve failed). */
  estimates(): Promise<Float32Array> {
    return this.perReplicate((chunk) => chunk.state, this.stateStride, this.cells[0].d);
  }

  /** The last generation's metric rows (cell-major, GMM_COLUMNS per replicate). */
  metricRows(): Promise<Float32Array> {
    return this.perReplicate((chunk) => chunk.metrics, GMM_COLUMNS, GMM_COLUMNS);
  }

  destroy(): void {
    for (const chunk of this.chunks) {
      chunk.state.destroy();
      chunk.metrics.destroy();
      chunk.reduce.params.destroy();
      chunk.blocks.destroy();
    }
    for (const buffer of Object.values(this.shared)) buffer.destroy();
  }
}
