/**
 * Splitting a run's threads (sweep cells × replicates, cell-major) into chunks that fit the
 * device's storage bindings, and reading each cell's reduced sums back.
 *
 * Three planners share one invariant: every reduction block starts at the same replicate of its
 * cell in any chunking, so a cell's statistics do not depend on the chunking, bit for bit. They
 * differ in what the reduction bound to their chunks can segment, so they stay three:
 * - planChunks (linear, gmm-selection, yi-grid): with one cell, multiples of the reduction's
 *   workgroup; with several, whole cells (ColumnReducer segments a chunk by cell only).
 * - planCellPieces (gaussian, amin-erm, curation, curation-gaussian): whole cells, or one cell cut
 *   into pieces (gaussian's host also gathers every replicate's log variance per piece).
 * - planGroupChunks (categorical, bigram): whole groups of ≤ groupSize replicates of one cell,
 *   packed greedily; their kernels reduce per group in workgroup memory, so any group boundary
 *   may end a chunk.
 * One planner would need the group-wise reduction in every host; the chunk-independence tests
 * (bit for bit) are what a merge would have to keep.
 */
import { emptySums, type MetricSums } from '../engine/metrics.js';
import type { ColumnReducer, ReduceBinding } from './reduce.js';
import type { StepperOptions } from '../engine/model.js';

export interface ChunkRange {
  /** Global thread index (cell × R + replicate) of the chunk's first row, and its rows. */
  offset: number;
  rows: number;
  firstCell: number;
  /** Rows per reduction segment: R, or the whole chunk when one cell spans several chunks. */
  segmentRows: number;
}

export interface ChunkRequest {
  cells: number;
  replicates: number;
  /** Bytes the largest per-replicate buffer takes (state or metric row). */
  bytesPerReplicate: number;
  reducer: ColumnReducer;
  /** A chosen chunk size (tests of chunking independence); default: as large as the limits allow. */
  requested?: number;
  /** The model's dimension, to name in the error when even one block does not fit. */
  d?: number;
}

/** The largest chunk the device's binding and buffer limits allow, a multiple of `alignment`. */
export function maxChunkReplicates(limits: GPUSupportedLimits, bytesPerReplicate: number, alignment: number): number {
  const bytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  return Math.floor(bytes / bytesPerReplicate / alignment) * alignment;
}

export function planChunks(limits: GPUSupportedLimits, request: ChunkRequest): ChunkRange[] {
  const { cells, replicates: R, bytesPerReplicate, reducer, requested, d } = request;
  const alignment = cells > 1 ? R : reducer.blockRows;
  const largest = maxChunkReplicates(limits, bytesPerReplicate, alignment);
  if (largest < alignment) {
    throw new RangeError(cells > 1
      ? `replicates: a sweep cell's ${R} replicates need ${bytesPerReplicate * R} bytes, beyond this device's storage binding size (${limits.maxStorageBufferBindingSize}); use fewer replicates per cell`
      : `d: ${d} needs ${bytesPerReplicate * alignment} bytes per ${alignment} replicates, beyond this device's storage binding size (${limits.maxStorageBufferBindingSize}); lower d`);
  }
  if (requested !== undefined && (!Number.isInteger(requested) || requested < alignment || requested % alignment !== 0)) {
    throw new RangeError(`chunkReplicates: must be a positive multiple of ${alignment}, got ${requested}`);
  }
  const perChunk = Math.min(requested ?? largest, largest);
  const total = cells * R;
  const chunks: ChunkRange[] = [];
  for (let offset = 0; offset < total; offset += perChunk) {
    const rows = Math.min(perChunk, total - offset);
    chunks.push({ offset, rows, firstCell: Math.floor(offset / R), segmentRows: Math.min(R, rows) });
  }
  return chunks;
}

/** Largest power of two ≤ x (x ≥ 1). */
export const powerOfTwoAtMost = (x: number) => 2 ** Math.floor(Math.log2(x));

/**
 * Chunks as [offset, rows] over cells·R threads: whole cells per chunk where one fits in
 * `perChunk` rows, else each cell cut into pieces of `perChunk` rows. Either way every
 * reduction block (aligned to the cell's start, and `perChunk` is a multiple of its size) lies
 * in one cell, so a cell's partials do not depend on the chunking or on the other cells.
 */
export function planCellPieces(cells: number, replicates: number, perChunk: number): [number, number][] {
  const chunks: [number, number][] = [];
  if (replicates <= perChunk) {
    const cellsPerChunk = Math.floor(perChunk / replicates);
    for (let c = 0; c < cells; c += cellsPerChunk) chunks.push([c * replicates, Math.min(cellsPerChunk, cells - c) * replicates]);
  } else {
    for (let c = 0; c < cells; c++) {
      for (let r = 0; r < replicates; r += perChunk) chunks.push([c * replicates + r, Math.min(perChunk, replicates - r)]);
    }
  }
  return chunks;
}

/**
 * A contiguous run of replicates (cell-major: cell·R + r) made of whole reduction groups: a
 * group is up to `groupSize` replicates of one cell, so each partial belongs to one cell and a
 * cell's statistics do not depend on the chunking or on the other cells.
 */
export interface ReplicateChunk {
  /** cell·R + r of the first replicate. */
  firstReplicate: number;
  replicates: number;
  /** Index of the first group: cell·groupsPerCell + ⌊r / groupSize⌋. */
  firstGroup: number;
  groups: number;
}

/** Splits cells × R replicates into chunks of at most `maxReplicates`, at group boundaries. */
export function planGroupChunks(cells: number, R: number, groupSize: number, maxReplicates: number): ReplicateChunk[] {
  const groupsPerCell = Math.ceil(R / groupSize);
  const chunks: ReplicateChunk[] = [];
  let current: ReplicateChunk | null = null;
  for (let group = 0; group < cells * groupsPerCell; group++) {
    const cell = Math.floor(group / groupsPerCell), block = group % groupsPerCell;
    const replicates = Math.min(groupSize, R - block * groupSize);
    if (!current || current.replicates + replicates > maxReplicates) {
      current = { firstReplicate: cell * R + block * groupSize, replicates: 0, firstGroup: group, groups: 0 };
      chunks.push(current);
    }
    current.replicates += replicates;
    current.groups++;
  }
  return chunks;
}

/**
 * Replicates per chunk: what the storage binding limits allow for `bytesPerReplicate` (or
 * fewer if asked), and at least one reduction group.
 */
export function chunkCapacity(limits: GPUSupportedLimits, bytesPerReplicate: number, groupSize: number, options: StepperOptions, what: string): number {
  const largest = Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / bytesPerReplicate);
  if (largest < groupSize) {
    throw new RangeError(`${what} needs ${bytesPerReplicate * groupSize} bytes per ${groupSize} replicates, beyond this device's storage binding size (${limits.maxStorageBufferBindingSize})`);
  }
  const requested = options.chunkReplicates;
  if (requested !== undefined && (!Number.isInteger(requested) || requested < groupSize)) {
    throw new RangeError(`chunkReplicates: must be an integer ≥ ${groupSize}, got ${requested}`);
  }
  return Math.min(requested ?? largest, largest);
}

/**
 * A bind group of group 0: `buffers[i]` at binding i, or, for an entry point that uses only some
 * of a shader's bindings, each buffer at the binding that keys it ({ 0: params, 3: state }).
 */
export function bindBuffers(device: GPUDevice, pipeline: GPUComputePipeline, buffers: GPUBuffer[] | Record<number, GPUBuffer>): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: Object.entries(buffers).map(([binding, buffer]) => ({ binding: Number(binding), resource: { buffer } })),
  });
}

/**
 * Maps the staging buffer the chunks' partials were copied to (chunk after chunk, at
 * `stagingOffset`) and adds them into each cell's float64 sums, in a fixed order.
 */
export async function readCellSums(staging: GPUBuffer, reducer: ColumnReducer, cells: number,
  chunks: readonly { firstCell: number; stagingOffset: number; reduce: ReduceBinding }[]): Promise<MetricSums[]> {
  await staging.mapAsync(GPUMapMode.READ);
  const sums = Array.from({ length: cells }, () => emptySums(reducer.columns));
  try {
    const all = new Float32Array(staging.getMappedRange());
    for (const chunk of chunks) {
      const { segments, blocksPerSegment } = chunk.reduce;
      const partials = all.subarray(chunk.stagingOffset / 4);
      for (let s = 0; s < segments; s++) reducer.addGroups(partials, s * blocksPerSegment, blocksPerSegment, sums[chunk.firstCell + s]);
    }
  } finally {
    staging.unmap();
  }
  return sums;
}

/**
 * Loop-header visits (a loop of k iterations counts k + 1) of a kernel that draws a block of
 * samples per dispatch, the figures the block size is planned from.
 */
export interface LoopCost {
  /** Per group of four samples. */
  perFourSamples: number;
  /** In the same invocation outside the sample loop (loading and storing the sums, a refit). */
  perDispatch: number;
  /** Of a separate finishing invocation (solve, metrics), which must fit on its own. */
  finish: number;
}

/**
 * Samples one dispatch may draw per replicate, a multiple of 4: some adapters silently end an
 * invocation's loops after a fixed total of iterations (llvmpipe: 65535; measured as
 * adapter.loopIterationLimit), so long sample loops are split into blocks, with 10 % kept in
 * reserve. `field` names what to lower when even one group does not fit.
 */
export function samplesPerBlock(loopIterationLimit: number | null, cost: LoopCost, field: { name: string; value: number }): number {
  if (loopIterationLimit === null) return Number.POSITIVE_INFINITY;
  const budget = 0.9 * loopIterationLimit;
  const samples = Math.floor((budget - cost.perDispatch) / cost.perFourSamples) * 4;
  if (samples < 4 || cost.finish >= budget) {
    throw new RangeError(`${field.name}: ${field.value} needs more loop iterations per invocation than this adapter runs (${loopIterationLimit}); lower ${field.name} or use another adapter`);
  }
  return samples;
}

/**
 * A uniform params buffer and bind group per sample block of a chunk, created on first use:
 * the blocks of one generation are encoded together, so each needs its own params. Block 0's
 * buffer also serves the chunk's other passes (`first`).
 */
export class BlockParams {
  private readonly buffers: GPUBuffer[] = [];
  private readonly groups: GPUBindGroup[] = [];

  constructor(private readonly device: GPUDevice, private readonly bytes: number, private readonly label: string,
    private readonly bind: (params: GPUBuffer) => GPUBindGroup) {}

  block(b: number): { params: GPUBuffer; group: GPUBindGroup } {
    while (this.buffers.length <= b) {
      const params = this.device.createBuffer({ label: `${this.label}/${this.buffers.length}`, size: this.bytes, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      this.buffers.push(params);
      this.groups.push(this.bind(params));
    }
    return { params: this.buffers[b], group: this.groups[b] };
  }

  get first(): GPUBuffer {
    return this.block(0).params;
  }

  destroy(): void {
    for (const buffer of this.buffers) buffer.destroy();
  }
}
