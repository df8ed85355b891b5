/**
 * Host side of shaders/categorical/categorical.wgsl: counts, per-cell tables, pipelines and bind groups for
 * every sweep cell of a categorical run, planned from the device's limits, and one call per
 * generation returning each cell's metric sums (only reduced partials are read back).
 * Twin: twin.ts. Its chunked reduction (by groups: core/gpu/chunks.ts planGroupChunks) is shared
 * with bigram-gpu.ts.
 */
import type { ResolvedCategoricalSpec, ResolvedBigramSpec } from './spec.js';
import type { TokenProblem } from './problem.js';
import type { StepperOptions } from '../../core/engine/model.js';
import { emptySums, wgslConstTable, type MetricSums } from '../../core/engine/metrics.js';
import { snapshotArray, type Snapshot } from '../../core/engine/snapshot.js';
import {
  CATEGORICAL_COLUMNS, CategoricalColumn, realThreshold,
} from './twin.js';
import { FIXED_POINT_TOTAL, scaleWord, searchCumulative, searchTop } from '../../core/cpu/tokens.js';
import type { GpuContext } from '../../core/adapter.js';
import { getPipeline, type Kernel } from '../../core/gpu/shader.js';
import categoricalSource from '../../../shaders/categorical/categorical.wgsl?raw';
import { bufferFrom, encodeDispatch, gridFor, readBack, type DispatchGrid } from '../../core/gpu/dispatch.js';
import { ColumnReducer, type ReduceBinding } from '../../core/gpu/reduce.js';
import { BlockParams, chunkCapacity, planGroupChunks, powerOfTwoAtMost, type ReplicateChunk } from '../../core/gpu/chunks.js';
import { readRows, writeRows, type StateChunk } from '../../core/gpu/state.js';

const CATEGORICAL_KERNEL: Kernel = { name: 'categorical', source: categoricalSource, libraries: [] };

const PARAMS_BYTES = 80;

/**
 * The distinct P* of the cells (a sweep of probs.alpha has several; cells with equal probs
 * share one problem object) and each cell's index among them.
 */
export function distinctProblems(problems: TokenProblem[]): { tables: TokenProblem[]; index: number[] } {
  const tables = [...new Set(problems)];
  return { tables, index: problems.map((problem) => tables.indexOf(problem)) };
}

/**
 * Per distinct P*: its fixed-point cumulative rows, its probabilities as f32 bits and, with
 * `guideBits`, its guide (shaders/categorical/categorical.wgsl): G[m] = the token of the bucket's first
 * word m·2^(32 − guideBits), found by the twin's own search.
 */
export function problemWords(tables: TokenProblem[], guideBits = 0): Uint32Array {
  const size = tables[0].cumulative.length, buckets = guideBits ? 2 ** guideBits : 0;
  const stride = 2 * size + buckets;
  const words = new Uint32Array(tables.length * stride);
  tables.forEach((table, i) => {
    words.set(table.cumulative, i * stride);
    new Float32Array(words.buffer, (i * stride + size) * 4, size).set(table.probs);
    for (let m = 0; m < buckets; m++) {
      words[i * stride + 2 * size + m] = searchCumulative(table.cumulative, 0, size, scaleWord(m * 2 ** (32 - guideBits), FIXED_POINT_TOTAL));
    }
  });
  return words;
}

/** Per cell at generation t: (n_t, α_t as f32 bits, index of its P*, 0). */
export function cellWords(cells: (ResolvedCategoricalSpec | ResolvedBigramSpec)[], problemIndex: number[], t: number): Uint32Array {
  const words = new Uint32Array(cells.length * 4);
  const thresholds = new Float32Array(words.buffer);
  cells.forEach((cell, c) => {
    words[4 * c] = cell.schedule.n[t];
    thresholds[4 * c + 1] = realThreshold(cell.schedule.realFraction[t]);
    words[4 * c + 2] = problemIndex[c];
  });
  return words;
}

/**
 * Threads per replicate: about K/16 (each scans, sums and stores its share of the K counts) or
 * n/256 for the largest n of the run (each draws four tokens at a time), whichever is more,
 * from 8 (a CPU adapter's SIMD width: small workgroups keep small-K generations cheap there)
 * to 256 or the device's limit.
 */
export function categoricalWorkgroupSize(K: number, maxTokens: number, limits: GPUSupportedLimits): number {
  const cap = powerOfTwoAtMost(Math.min(256, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX));
  return Math.min(cap, Math.max(8, 2 ** Math.ceil(Math.log2(Math.max(K / 16, maxTokens / 256)))));
}

export interface WorkgroupLayout {
  /** Words of the cumulative table (also the metric sums' scratch): max(K, 4 × workgroup size). */
  tableSize: number;
  /** New counts as atomics in the count row instead of workgroup memory. */
  globalCounts: boolean;
  /** log₂ of the guide's buckets (≥ 1). */
  guideBits: number;
}

/**
 * What goes in the kernel's workgroup memory, from the device's limit: the cumulative table,
 * then the new counts where they fit beside a guide of at least K/2 buckets (which brings a
 * search from log₂ K steps to one or two; on llvmpipe, atomics in workgroup and in global
 * memory cost the same), then the largest guide that fits, up to the power of two ≥ K.
 * `counts` forces where the counts go (tests cover both).
 */
export function workgroupLayout(K: number, workgroupSize: number, storageBytes: number, counts?: 'workgroup' | 'global'): WorkgroupLayout {
  const tableSize = Math.max(K, 4 * workgroupSize);
  const words = Math.floor(storageBytes / 4);
  const globalCounts = counts ? counts === 'global' : tableSize + K + Math.ceil(K / 2) > words;
  const free = words - tableSize - (globalCounts ? 0 : K);
  const guideBits = Math.min(Math.ceil(Math.log2(K)), Math.floor(Math.log2(Math.max(1, free))));
  if (guideBits < 1) {
    throw new RangeError(`K: ${K} needs more than this device's ${storageBytes} bytes of workgroup storage${globalCounts ? '' : ' with counts: "workgroup"'}`);
  }
  return { tableSize, globalCounts, guideBits };
}

/**
 * Token groups (of four) one thread may draw per dispatch under a loop-iteration limit. Counts
 * every loop-header visit of shaders/categorical/categorical.wgsl per invocation: the scan, the guide,
 * filling and storing the counts and the metrics once per block, then per token group the
 * group loop, the four-token loop and, for each token, both guided searches at their longest
 * (SIMD lanes may take either branch); keeps 10 % in reserve.
 */
export function tokenGroupsPerThread(K: number, workgroupSize: number, guideBits: number, loopIterationLimit: number | null): number {
  if (loopIterationLimit === null) return Number.POSITIVE_INFINITY;
  const perThread = Math.ceil(K / workgroupSize) + 1;
  const scan = 2 * perThread + workgroupSize + 1;
  const guide = Math.ceil(2 ** guideBits / workgroupSize) * (Math.log2(searchTop(K)) + 3) + 1;
  const sums = 5 + (Math.log2(workgroupSize) + 1) * 5 + 5;
  const fixed = scan + guide + 3 * perThread + sums;
  const perGroup = 1 + 5 + 4 * 2 * (Math.ceil(Math.log2(K)) + 1);
  const groups = Math.floor((0.9 * loopIterationLimit - fixed) / perGroup);
  if (groups < 1) throw new RangeError(`K: ${K} needs more loop iterations per invocation than this adapter runs (${loopIterationLimit})`);
  return groups;
}

/** [begin, end) of each dispatch's token groups: `perBlock` at a time (Infinity: one block). */
export function blockRanges(groups: number, perBlock: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let begin = 0; begin === 0 || begin < groups; begin += perBlock) ranges.push([begin, Math.min(groups, begin + perBlock)]);
  return ranges;
}

/** A bind group of group 0 from (binding, buffer) pairs: an entry point binds only what it uses. */
export function bindEntries(device: GPUDevice, pipeline: GPUComputePipeline, entries: [number, GPUBuffer][]): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: entries.map(([binding, buffer]) => ({ binding, resource: { buffer } })),
  });
}

/** The distinct P* tables as one storage buffer, checked against the device's binding size. */
export function problemBuffer(device: GPUDevice, words: Uint32Array, distinct: number, label: string): GPUBuffer {
  const limit = device.limits.maxStorageBufferBindingSize;
  if (words.byteLength > limit) {
    throw new RangeError(`probs: ${distinct} distinct P* (a sweep of probs.alpha) need ${words.byteLength} bytes, beyond this device's storage binding size (${limit}); sweep fewer values`);
  }
  return bufferFrom(device, words, GPUBufferUsage.STORAGE, label);
}

/** Per-chunk GPU resources shared by the categorical and bigram hosts. */
export interface ChunkResources extends ReplicateChunk {
  grid: DispatchGrid;
  /** The chunk's metric table: groups × groupSize rows (rows past a group's replicates stay 0). */
  metrics: GPUBuffer;
  reduce: ReduceBinding;
  /** Byte offset of this chunk's partials in the staging buffer. */
  stagingOffset: number;
}

/**
 * Metric tables, reduction bindings and staging for every chunk: the part of a generation
 * after the kernels (reduce, copy, read back, add each group's partial to its cell).
 */
export class ChunkedReduction {
  private constructor(
    private readonly device: GPUDevice,
    private readonly reducer: ColumnReducer,
    readonly chunks: ChunkResources[],
    private readonly partials: GPUBuffer,
    private readonly staging: GPUBuffer,
    /** Reduction groups per cell: ⌈R / groupSize⌉. */
    readonly groupsPerCell: number,
    private readonly cells: number,
  ) {}

  static async create(gpu: GpuContext, columns: number, cells: number, R: number, bytesPerReplicate: number,
    options: StepperOptions, what: string): Promise<ChunkedReduction> {
    const { device } = gpu;
    const reducer = await ColumnReducer.create(gpu, columns);
    const groupSize = reducer.blockRows;
    const capacity = chunkCapacity(device.limits, Math.max(bytesPerReplicate, columns * 4), groupSize, options, what);
    const plan = planGroupChunks(cells, R, groupSize, capacity);
    const largestRows = Math.max(...plan.map((chunk) => chunk.groups * groupSize));
    const partials = device.createBuffer({ label: 'partials', size: reducer.partialBytes(largestRows), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    let stagingBytes = 0;
    const chunks = plan.map((chunk) => {
      const rows = chunk.groups * groupSize;
      const metrics = device.createBuffer({ label: `metrics ${chunk.firstReplicate}`, size: rows * columns * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const resources = {
        ...chunk, metrics,
        grid: gridFor(chunk.replicates, 1, device.limits),
        reduce: reducer.bind(metrics, rows, partials),
        stagingOffset: stagingBytes,
      };
      stagingBytes += reducer.partialBytes(rows);
      return resources;
    });
    const staging = device.createBuffer({ label: 'partials staging', size: stagingBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    return new ChunkedReduction(device, reducer, chunks, partials, staging, Math.ceil(R / groupSize), cells);
  }

  get groupSize(): number {
    return this.reducer.blockRows;
  }

  /** Reduces a chunk's metric table and copies its partials for read-back. */
  encode(encoder: GPUCommandEncoder, chunk: ChunkResources): void {
    this.reducer.encode(encoder, chunk.reduce);
    encoder.copyBufferToBuffer(this.partials, 0, this.staging, chunk.stagingOffset, this.reducer.partialBytes(chunk.groups * this.groupSize));
  }

  /** Submits `encoder` and returns each cell's sums, adding its groups' partials in order. */
  async finish(encoder: GPUCommandEncoder): Promise<MetricSums[]> {
    this.device.queue.submit([encoder.finish()]);
    await this.staging.mapAsync(GPUMapMode.READ);
    const sums = Array.from({ length: this.cells }, () => emptySums(this.reducer.columns));
    try {
      const all = new Float32Array(this.staging.getMappedRange());
      for (const chunk of this.chunks) {
        for (let g = 0; g < chunk.groups; g++) {
          const cell = Math.floor((chunk.firstGroup + g) / this.groupsPerCell);
          this.reducer.addGroups(all.subarray(chunk.stagingOffset / 4), g, 1, sums[cell]);
        }
      }
    } finally {
      this.staging.unmap();
    }
    return sums;
  }

  /** The metric rows of every replicate (cell-major), read back on request only. */
  async replicateRows(R: number): Promise<Float32Array> {
    const { columns } = this.reducer;
    const out = new Float32Array(this.cells * R * columns);
    for (const chunk of this.chunks) {
      const table = new Float32Array(await readBack(this.device, chunk.metrics, chunk.groups * this.groupSize * columns * 4));
      for (let g = 0; g < chunk.groups; g++) {
        const group = chunk.firstGroup + g;
        const cell = Math.floor(group / this.groupsPerCell), first = (group % this.groupsPerCell) * this.groupSize;
        const rows = Math.min(this.groupSize, R - first);
        out.set(table.subarray(g * this.groupSize * columns, (g * this.groupSize + rows) * columns), (cell * R + first) * columns);
      }
    }
    return out;
  }

  destroy(): void {
    for (const chunk of this.chunks) {
      chunk.metrics.destroy();
      chunk.reduce.params.destroy();
    }
    this.partials.destroy();
    this.staging.destroy();
  }
}

export interface CategoricalGpuOptions extends StepperOptions {
  /** Where a generation's counts accumulate: workgroup memory (the default where it fits) or global atomics. */
  counts?: 'workgroup' | 'global';
}

interface CategoricalChunk {
  resources: ChunkResources;
  /** The replicates' two count rows of K. */
  counts: GPUBuffer;
  /** The params buffer and bind group of each token block. */
  blocks: BlockParams;
}

export class CategoricalGpu {
  private lastGeneration = -1;

  private constructor(
    private readonly device: GPUDevice,
    private readonly cells: ResolvedCategoricalSpec[],
    private readonly key: readonly [number, number],
    private readonly K: number,
    private readonly pipeline: GPUComputePipeline,
    private readonly reduction: ChunkedReduction,
    private readonly chunks: CategoricalChunk[],
    private readonly shared: { cells: GPUBuffer; problem: GPUBuffer },
    private readonly problemIndex: number[],
    private readonly blockGroups: number,
    private readonly replicateBase: number,
  ) {}

  static async create(gpu: GpuContext, cells: ResolvedCategoricalSpec[], problems: TokenProblem[], options: CategoricalGpuOptions = {}): Promise<CategoricalGpu> {
    const { device, adapter } = gpu;
    const { K } = problems[0];
    const R = cells[0].replicates;
    const workgroupSize = categoricalWorkgroupSize(K, Math.max(...cells.flatMap((cell) => cell.schedule.n)), device.limits);
    const layout = workgroupLayout(K, workgroupSize, device.limits.maxComputeWorkgroupStorageSize, options.counts);
    const pipeline = await getPipeline(device, {
      kernel: CATEGORICAL_KERNEL, entryPoint: 'sample', flags: { GLOBAL_COUNTS: layout.globalCounts },
      consts: {
        K, WORKGROUP_SIZE: workgroupSize, TABLE_SIZE: layout.tableSize, PER_THREAD: Math.ceil(K / workgroupSize),
        SEARCH_TOP: searchTop(K), GUIDE_BITS: layout.guideBits, GUIDE_SIZE: 2 ** layout.guideBits,
        COLUMNS: CATEGORICAL_COLUMNS, ...wgslConstTable('COLUMN', CategoricalColumn),
      },
    });
    const reduction = await ChunkedReduction.create(gpu, CATEGORICAL_COLUMNS, cells.length, R, 2 * K * 4, options, `K = ${K}`);
    const { tables, index } = distinctProblems(problems);
    const shared = {
      cells: device.createBuffer({ label: 'categorical cells', size: cells.length * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST }),
      problem: problemBuffer(device, problemWords(tables, layout.guideBits), tables.length, 'categorical P*'),
    };
    const chunks = reduction.chunks.map((resources) => {
      const counts = device.createBuffer({ label: `counts ${resources.firstReplicate}`, size: resources.replicates * 2 * K * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const blocks = new BlockParams(device, PARAMS_BYTES, `categorical params ${resources.firstReplicate}`,
        (params) => bindEntries(device, pipeline, [[0, params], [1, shared.cells], [2, shared.problem], [3, counts], [4, resources.metrics]]));
      return { resources, counts, blocks };
    });
    const blockGroups = tokenGroupsPerThread(K, workgroupSize, layout.guideBits, adapter.loopIterationLimit) * workgroupSize;
    return new CategoricalGpu(device, cells, problems[0].key, K, pipeline, reduction, chunks, shared, index, blockGroups, options.firstReplicate ?? 0);
  }

  /** Token groups (of four) one dispatch draws per replicate. */
  get tokenGroupsPerBlock(): number {
    return this.blockGroups;
  }

  /** Runs generation t on every chunk; each cell's metric sums. */
  async step(t: number): Promise<MetricSums[]> {
    const { device, cells, reduction } = this;
    device.queue.writeBuffer(this.shared.cells, 0, cellWords(cells, this.problemIndex, t));
    const blocks = blockRanges(Math.ceil(Math.max(...cells.map((cell) => cell.schedule.n[t])) / 4), this.blockGroups);
    const usePrevious = cells.some((cell) => realThreshold(cell.schedule.realFraction[t]) < 1);
    const encoder = device.createCommandEncoder({ label: `categorical generation ${t}` });
    for (const chunk of this.chunks) {
      const { resources } = chunk;
      for (const [b, [begin, end]] of blocks.entries()) {
        const { params, group } = chunk.blocks.block(b);
        device.queue.writeBuffer(params, 0, new Uint32Array([
          this.key[0], this.key[1], t, cells[0].replicates, resources.firstReplicate, resources.replicates,
          resources.firstGroup, reduction.groupsPerCell, reduction.groupSize, begin, end,
          t % 2, b === 0 ? 1 : 0, b === blocks.length - 1 ? 1 : 0, usePrevious ? 1 : 0, resources.grid.workgroups[0],
          this.replicateBase,
        ]));
        encodeDispatch(encoder, this.pipeline, group, resources.grid.workgroups);
      }
      reduction.encode(encoder, resources);
    }
    const sums = await reduction.finish(encoder);
    this.lastGeneration = t;
    return sums;
  }

  private get countRows(): StateChunk[] {
    return this.chunks.map(({ resources, counts }) => ({ first: resources.firstReplicate, rows: resources.replicates, buffer: counts }));
  }

  /** Every replicate's counts after the last step (cell-major, K per replicate): P̂, all that carries over. */
  replicateCounts(): Promise<Uint32Array> {
    return readRows(this.device, this.countRows, 2 * this.K, this.K, (Math.max(0, this.lastGeneration) % 2) * this.K);
  }

  async snapshot(): Promise<Snapshot> {
    return { counts: await this.replicateCounts() };
  }

  /** Counts of generation t go in the row generation t filled, where generation t + 1 reads P̂_t. */
  async restore(snapshot: Snapshot, t: number): Promise<void> {
    const counts = snapshotArray(snapshot, 'counts', Uint32Array, this.cells.length * this.cells[0].replicates * this.K);
    await writeRows(this.device, this.countRows, 2 * this.K, this.K, counts, (t % 2) * this.K);
    this.lastGeneration = t;
  }

  /** Every replicate's metric row after the last step (cell-major, CategoricalColumn order). */
  replicateMetrics(): Promise<Float32Array> {
    return this.reduction.replicateRows(this.cells[0].replicates);
  }

  destroy(): void {
    for (const chunk of this.chunks) {
      chunk.counts.destroy();
      chunk.blocks.destroy();
    }
    this.shared.cells.destroy();
    this.shared.problem.destroy();
    this.reduction.destroy();
  }
}
