/**
 * A run whose kernel takes a generation's samples in blocks (each under llvmpipe's loop limit,
 * samplesPerBlock) over chunks of whole cells or pieces of one (planCellPieces): per chunk a state
 * buffer, metric rows and, per block, a uniform and a bind group; a generation writes the blocks'
 * uniforms, dispatches them in order, reduces the metric rows and reads every cell's sums back.
 * amin-erm, curation and curation-gaussian run on it; what their kernels bind besides the block's
 * uniform, the chunk's state and its metric rows, and what a uniform holds, are theirs.
 */
import type { MetricSums } from '../engine/metrics.js';
import { encodeDispatch, gridFor, type DispatchGrid } from './dispatch.js';
import type { ColumnReducer, ReduceBinding } from './reduce.js';
import { maxChunkReplicates, planCellPieces, readCellSums } from './chunks.js';
import type { StateChunk } from './state.js';

export interface BlockedChunk {
  /** Global thread index (cell × R + replicate) of the chunk's first row, its rows and first cell. */
  offset: number;
  rows: number;
  firstCell: number;
  state: GPUBuffer;
  /** The metric rows its kernel writes (shared by every chunk unless `ownMetrics`). */
  metrics: GPUBuffer;
  grid: DispatchGrid;
  params: GPUBuffer[];
  groups: GPUBindGroup[];
  reduce: ReduceBinding;
  /** Where its partials go in the staging buffer, and their bytes. */
  stagingOffset: number;
  partialBytes: number;
}

export interface BlockedRunLayout {
  pipeline: GPUComputePipeline;
  reducer: ColumnReducer;
  workgroupSize: number;
  cells: number;
  replicates: number;
  /** Blocks of samples per generation at most, and the bytes of a block's uniform. */
  blocks: number;
  paramsBytes: number;
  /** Bytes of state per replicate. */
  stateBytes: number;
  /** A chosen chunk size (a multiple of the reduction's block; tests of chunking independence). */
  chunkReplicates?: number;
  /** Each chunk its own metric rows (to read every replicate's back), instead of one buffer for all. */
  ownMetrics?: boolean;
  /** The bind group's buffers, in binding order, for a block's uniform and a chunk's state and metric rows. */
  bindings: (params: GPUBuffer, state: GPUBuffer, metrics: GPUBuffer) => GPUBuffer[];
}

export class BlockedRun {
  private constructor(
    private readonly device: GPUDevice,
    private readonly layout: BlockedRunLayout,
    readonly chunks: readonly BlockedChunk[],
    private readonly buffers: { metrics?: GPUBuffer; partials: GPUBuffer; staging: GPUBuffer },
  ) {}

  static create(device: GPUDevice, layout: BlockedRunLayout): BlockedRun {
    const { reducer, replicates: R, chunkReplicates: requested } = layout;
    const alignment = reducer.blockRows;
    const rowBytes = reducer.columns * 4;
    const largest = maxChunkReplicates(device.limits, Math.max(layout.stateBytes, rowBytes), alignment);
    if (requested !== undefined && (!Number.isInteger(requested) || requested < alignment || requested % alignment !== 0)) {
      throw new RangeError(`chunkReplicates: must be a positive multiple of ${alignment}, got ${requested}`);
    }
    const plan = planCellPieces(layout.cells, R, Math.min(requested ?? largest, largest));
    const largestChunk = Math.max(...plan.map(([, rows]) => rows));
    const metricRows = (label: string, rows: number) =>
      device.createBuffer({ label, size: rows * rowBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const sharedMetrics = layout.ownMetrics ? undefined : metricRows('metrics', largestChunk);
    const partials = device.createBuffer({
      label: 'partials', size: Math.max(...plan.map(([, rows]) => reducer.partialBytes(rows, Math.min(R, rows)))),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
    let stagingBytes = 0;
    const chunks = plan.map(([offset, rows]): BlockedChunk => {
      const state = device.createBuffer({ label: `state ${offset}`, size: rows * layout.stateBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
      const metrics = sharedMetrics ?? metricRows(`metrics ${offset}`, rows);
      const params = Array.from({ length: layout.blocks }, (_, b) =>
        device.createBuffer({ label: `params ${offset}/${b}`, size: layout.paramsBytes, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }));
      const partialBytes = reducer.partialBytes(rows, Math.min(R, rows));
      const stagingOffset = stagingBytes;
      stagingBytes += partialBytes;
      return {
        offset, rows, firstCell: Math.floor(offset / R), state, metrics,
        grid: gridFor(rows, layout.workgroupSize, device.limits),
        params,
        groups: params.map((p) => device.createBindGroup({
          layout: layout.pipeline.getBindGroupLayout(0),
          entries: layout.bindings(p, state, metrics).map((buffer, binding) => ({ binding, resource: { buffer } })),
        })),
        reduce: reducer.bind(metrics, rows, partials, Math.min(R, rows)),
        stagingOffset,
        partialBytes,
      };
    });
    const staging = device.createBuffer({ label: 'partials staging', size: stagingBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    return new BlockedRun(device, layout, chunks, { metrics: sharedMetrics, partials, staging });
  }

  /**
   * One generation: in every chunk, blocks 0..blocks − 1 (all by default) with the uniform
   * `words(chunk, b)` each, then the reduction; every cell's sums, in cell order.
   */
  async step(label: string, words: (chunk: BlockedChunk, block: number) => Uint32Array, blocks = this.layout.blocks): Promise<MetricSums[]> {
    const { reducer, pipeline } = this.layout;
    const encoder = this.device.createCommandEncoder({ label });
    for (const chunk of this.chunks) {
      for (let b = 0; b < blocks; b++) {
        this.device.queue.writeBuffer(chunk.params[b], 0, words(chunk, b));
        encodeDispatch(encoder, pipeline, chunk.groups[b], chunk.grid.workgroups);
      }
      reducer.encode(encoder, chunk.reduce);
      encoder.copyBufferToBuffer(this.buffers.partials, 0, this.buffers.staging, chunk.stagingOffset, chunk.partialBytes);
    }
    this.device.queue.submit([encoder.finish()]);
    return readCellSums(this.buffers.staging, reducer, this.layout.cells, this.chunks);
  }

  /** The chunks' state buffers as readRows/writeRows take them. */
  get stateChunks(): StateChunk[] {
    return this.chunks.map((chunk) => ({ first: chunk.offset, rows: chunk.rows, buffer: chunk.state }));
  }

  destroy(): void {
    for (const chunk of this.chunks) {
      chunk.state.destroy();
      if (this.layout.ownMetrics) chunk.metrics.destroy();
      chunk.reduce.params.destroy();
      for (const params of chunk.params) params.destroy();
    }
    for (const buffer of Object.values(this.buffers)) buffer?.destroy();
  }
}
