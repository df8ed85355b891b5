/**
 * Host side of shaders/linear/linear.wgsl (one thread per replicate, d ≤ 16) and its cooperative
 * layout shaders/linear/linear_wide.wgsl (⌈d/4⌉ threads per replicate, d > 16, its Gram by the
 * engine's batched dense kernels, src/core/nn): buffers, pipelines and bind groups for a linear
 * run, planned from the device's limits, and one call per generation that returns the metric sums
 * (only the reduced partials are read back). Twin: src/models/linear/twin.ts.
 */
import { MINIMUM_NORM_MAX_D, type ResolvedLinearSpec } from './spec.js';
import { buildProblem, type LinearProblem } from './problem.js';
import type { GenerationPlan } from './plan.js';
import type { MetricSums } from '../../core/engine/metrics.js';
import { linearColumnCount, linearColumnDeclarations } from './columns.js';
import { snapshotArray, type Snapshot } from '../../core/engine/snapshot.js';
import { packedSize } from '../../core/cpu/cholesky.js';
import type { GpuContext } from '../../core/adapter.js';
import { CHOLESKY, GRAM, getPipeline, gramBatchConsts, type Kernel, type WgslLibrary } from '../../core/gpu/shader.js';
import linearSource from '../../../shaders/linear/linear.wgsl?raw';
import linearWideSource from '../../../shaders/linear/linear_wide.wgsl?raw';
import linearProblemSource from '../../../shaders/linear/linear_problem.wgsl?raw';
import { alignTo, encodeDispatch, gridFor, type DispatchGrid } from '../../core/gpu/dispatch.js';
import { ColumnReducer, type ReduceBinding } from '../../core/gpu/reduce.js';
import { BlockParams, bindBuffers, planChunks, readCellSums, samplesPerBlock, type ChunkRange, type LoopCost } from '../../core/gpu/chunks.js';
import { readRows, writeRows, type StateChunk } from '../../core/gpu/state.js';
import { NnGpu, release, type PreparedProgram } from '../../core/nn/gpu.js';
import type { DenseOp } from '../../core/nn/program.js';

/** What both linear layouts share: params, bindings, problem and cell layout, the state's head. */
const LINEAR_PROBLEM: WgslLibrary = { name: 'linear_problem', source: linearProblemSource };
/** One thread per replicate, Gram in registers (d ≤ 16). */
export const LINEAR_KERNEL: Kernel = { name: 'linear', source: linearSource, libraries: [CHOLESKY, GRAM, LINEAR_PROBLEM] };
/** ⌈d/4⌉ threads per replicate, Gram and factor in storage (d > 16). */
const LINEAR_WIDE_KERNEL: Kernel = { name: 'linear_wide', source: linearWideSource, libraries: [LINEAR_PROBLEM] };

const WORKGROUP_SIZE = 64;
const PARAMS_BYTES = 48;
/**
 * Past this d the per-thread Gram no longer fits a register file (see shaders/linear/linear_wide.wgsl);
 * the minimum-norm fit is the narrow kernel's alone, so the spec allows it up to the d before.
 */
export const WIDE_LAYOUT_MIN_D = MINIMUM_NORM_MAX_D + 1;
/** The wide layout's samples per block at most: the dense op's depth k (and the rows each replicate stages). */
const WIDE_BLOCK = 256;

/** How a run's replicates map onto threads: the kernel, replicates per workgroup, floats of state per replicate. */
interface Layout {
  kernel: Kernel;
  /** Replicates per workgroup (the grid's unit). */
  replicatesPerGroup: number;
  consts: Record<string, number>;
  constants: Record<string, number>;
  stateStride: number;
  threadsPerGroup: number;
  /** Bytes of workgroup memory the kernel declares. */
  workgroupBytes: number;
  loopCost: LoopCost;
  /** The wide layout: samples per round (the block is a multiple) and vec4s per staged row. */
  wide?: { S: number; rowVec4s: number };
}

/** Floats of state per replicate: θ̂ | flags | rhs | Gram (see STATE_* in the kernels), and the wide layout's packed factor. */
export function linearStateFloats(d: number): number {
  const Q = Math.ceil(d / 4);
  const gramFloats = 4 * (2 * Q + 1 + 4 * Q * Q);
  return d < WIDE_LAYOUT_MIN_D ? gramFloats : gramFloats + 4 * Math.ceil(packedSize(d) / 4);
}

/** The wide layout's dense-op tensors per replicate at most: a block's staged rows and its Gram (0 for d ≤ 16). */
export function linearBlockFloats(d: number): number {
  const columns = 4 * (Math.floor(d / 4) + 1);
  return d < WIDE_LAYOUT_MIN_D ? 0 : (WIDE_BLOCK + d) * columns;
}

function layoutFor(d: number, limits: GPUSupportedLimits): Layout {
  const Q = Math.ceil(d / 4), P = packedSize(d);
  const columns = linearColumnCount(d);
  const common = { D: d, Q, P, COLUMNS: columns, ...linearColumnDeclarations() };
  if (d < WIDE_LAYOUT_MIN_D) {
    return {
      // Eight samples per Gram update (shaders/gram.wgsl's gram_add).
      kernel: LINEAR_KERNEL, replicatesPerGroup: WORKGROUP_SIZE, consts: { ...common, ...gramBatchConsts(2) }, constants: { WORKGROUP_SIZE }, stateStride: linearStateFloats(d),
      threadsPerGroup: WORKGROUP_SIZE, workgroupBytes: 0, loopCost: linearLoopCost(d),
    };
  }
  // One thread per 4×4 tile on or below the diagonal, as many replicates as fill 64 threads,
  // S samples per round of draw → verify → update (see shaders/linear/linear_wide.wgsl).
  const TILES = (Q * (Q + 1)) / 2;
  const K = Math.max(1, Math.floor(WORKGROUP_SIZE / TILES));
  const workgroupBytes = (S: number) => (2 * K * S * Q + K * S) * 16;
  // Longer rounds mean fewer barriers (8 % faster at d = 64 on llvmpipe from 16 to 32).
  const S = workgroupBytes(32) <= limits.maxComputeWorkgroupStorageSize ? 32 : 16;
  const roundIterations = Math.ceil((S * Q) / TILES) + 1 + (Q + 1) + (S + 1) + 1;
  return {
    kernel: LINEAR_WIDE_KERNEL, replicatesPerGroup: K, consts: { ...common, TILES, K, S, ROW_VEC4S: Math.floor(d / 4) + 1 }, constants: {},
    wide: { S, rowVec4s: Math.floor(d / 4) + 1 },
    stateStride: linearStateFloats(d),
    threadsPerGroup: K * TILES,
    workgroupBytes: workgroupBytes(S),
    loopCost: {
      perFourSamples: Math.ceil((4 * roundIterations) / S) + 1,
      perDispatch: roundIterations + Q + 2,
      // The pivot and row loops per column (thread of the last block-row), then thread 0's solves.
      finish: columns + d * (1 + 5 + 5) + (5 * d * d) / 2 + d * d + 3 * d + Q,
    },
  };
}

/** The layout's workgroup within the device's limits, or what to change. */
function checkLayout(layout: Layout, limits: GPUSupportedLimits, d: number): void {
  const threads = Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
  if (layout.threadsPerGroup > threads) {
    throw new RangeError(`d: ${d} needs ${layout.threadsPerGroup} threads per workgroup, beyond this device's ${threads}; lower d`);
  }
  if (layout.workgroupBytes > limits.maxComputeWorkgroupStorageSize) {
    throw new RangeError(`d: ${d} needs ${layout.workgroupBytes} bytes of workgroup memory, beyond this device's ${limits.maxComputeWorkgroupStorageSize}; lower d`);
  }
}

interface Chunk extends ChunkRange {
  state: GPUBuffer;
  grid: DispatchGrid;
  /** The accumulate pass's params and bind group per sample block (block 0's also drive `finish`). */
  blocks: BlockParams;
  finishGroup: GPUBindGroup;
  /** The wide layout: the dense op's tensors and programs (a generation's first block, later blocks), add_gram's bind group. */
  gram?: { nn: NnGpu; first: PreparedProgram; more: PreparedProgram; addGroup: GPUBindGroup };
  reduce: ReduceBinding;
  /** Byte offset of this chunk's partials in the staging buffer. */
  stagingOffset: number;
}

export interface LinearGpuOptions {
  /**
   * Threads (cells × replicates) per chunk: a multiple of the reduction's workgroup size with
   * one cell, whole cells with several; default: as many as the limits allow.
   */
  chunkReplicates?: number;
  /** Replicate index of each cell's first replicate (a shard's start; default 0). */
  firstReplicate?: number;
}

/** Loop-header visits of shaders/linear/linear.wgsl's `accumulate` and `finish` (see samplesPerBlock). */
export function linearLoopCost(d: number): LoopCost {
  const Q = Math.ceil(d / 4), P = packedSize(d);
  return {
    // The group loop, four sample iterations (draw, verify and weight loops), the Q × Q block update.
    perFourSamples: 1 + 5 + 4 * (3 * (Q + 1) + 2) + (Q + 1) * (Q + 1) + 4,
    perDispatch: 2 * (4 * Q * Q + 1) + 4 * (Q + 1) + 16,
    // …, and where n < d the minimum-norm system (rows cleared, drawn, their Gram) and θ̂ = Xᵀα.
    finish: (4 * Q * Q + 1) + (P + d) + 3 * (d + 1) + (d * d * d) / 6 + d * d + linearColumnCount(d) + Q
      + d * (Q + 2) + d * (Q + 2) + P * (Q + 2) + d * (Q + 1),
  };
}

export class LinearGpu {
  private constructor(
    private readonly device: GPUDevice,
    private readonly cells: readonly ResolvedLinearSpec[],
    private readonly problems: readonly LinearProblem[],
    private readonly pipelines: { accumulate: GPUComputePipeline; finish: GPUComputePipeline; addGram?: GPUComputePipeline },
    private readonly reducer: ColumnReducer,
    private readonly chunks: Chunk[],
    private readonly blockSamples: number,
    /** Buffers bound by every chunk: the problem and cells, metrics and partials (reused chunk after chunk). */
    private readonly shared: { problem: GPUBuffer; metrics: GPUBuffer; partials: GPUBuffer; staging: GPUBuffer },
    private readonly stateStride: number,
    /** Floats at the start of a replicate's state that carry over to the next generation (snapshot). */
    private readonly carriedFloats: number,
    private readonly replicateBase: number,
  ) {}

  /** `cells` share d, mode, design, generations, replicates, seed, θ* and Σ (the sweepable fields differ). */
  static async create(gpu: GpuContext, cells: readonly ResolvedLinearSpec[], options: LinearGpuOptions = {}): Promise<LinearGpu> {
    const { device } = gpu;
    const spec = cells[0];
    const { d, replicates: R } = spec;
    const Q = Math.ceil(d / 4), columns = linearColumnCount(d);
    const layout = layoutFor(d, device.limits);
    checkLayout(layout, device.limits, d);
    const { stateStride } = layout;
    let blockSamples = samplesPerBlock(gpu.adapter.loopIterationLimit, layout.loopCost, { name: 'd', value: d });
    const { wide } = layout;
    let blockFloats = 0;
    if (wide) {
      // Whole rounds, at most WIDE_BLOCK, no more than the most samples a generation draws.
      const most = Math.max(...cells.flatMap((cell) => cell.schedule.n));
      blockSamples = Math.min(Math.floor(Math.min(blockSamples, WIDE_BLOCK) / wide.S), Math.ceil(most / wide.S)) * wide.S;
      layout.consts.BLOCK = blockSamples;
      blockFloats = blockSamples * 4 * wide.rowVec4s;
    }
    const reducer = await ColumnReducer.create(gpu, columns);
    const variant = { kernel: layout.kernel, consts: layout.consts, constants: layout.constants };
    const [accumulate, finish, addGram] = await Promise.all([
      getPipeline(device, { ...variant, entryPoint: wide ? 'sample_rows' : 'accumulate' }),
      getPipeline(device, { ...variant, entryPoint: 'finish' }),
      wide ? getPipeline(device, { ...variant, entryPoint: 'add_gram' }) : undefined,
    ]);

    // The dense op runs a chunk's replicates along z: at most maxComputeWorkgroupsPerDimension of them.
    const alignment = cells.length > 1 ? R : reducer.blockRows;
    const zLimit = Math.floor(device.limits.maxComputeWorkgroupsPerDimension / alignment) * alignment;
    if (wide && zLimit < alignment) {
      throw new RangeError(`replicates: at d = ${d} a sweep cell's ${R} replicates run in one dense dispatch, beyond this device's ${device.limits.maxComputeWorkgroupsPerDimension}; use fewer replicates per cell`);
    }
    const ranges = planChunks(device.limits, {
      cells: cells.length, replicates: R, bytesPerReplicate: Math.max(stateStride, columns, blockFloats) * 4, reducer, d,
      requested: wide && options.chunkReplicates === undefined && cells.length * R > zLimit ? zLimit : options.chunkReplicates,
    });
    if (wide && ranges[0].rows > device.limits.maxComputeWorkgroupsPerDimension) {
      throw new RangeError(`chunkReplicates: at d = ${d} at most ${zLimit} replicates a chunk (one dense dispatch), got ${ranges[0].rows}`);
    }
    const largestChunk = ranges[0].rows;
    const problems = cells.map(buildProblem);
    const problemData = new Float32Array((3 * Q + cells.length * (2 + Q)) * 4);
    [problems[0].thetaStar, problems[0].spectrum.map(Math.sqrt), problems[0].spectrum]
      .forEach((section, s) => problemData.set(section, s * Q * 4));
    const shared = {
      problem: device.createBuffer({ label: 'problem and cells', size: problemData.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST }),
      metrics: device.createBuffer({ label: 'metrics', size: largestChunk * columns * 4, usage: GPUBufferUsage.STORAGE }),
      partials: device.createBuffer({ label: 'partials', size: reducer.partialBytes(largestChunk, ranges[0].segmentRows), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }),
      staging: undefined as unknown as GPUBuffer,
    };
    device.queue.writeBuffer(shared.problem, 0, problemData);

    let stagingBytes = 0;
    const chunks: Chunk[] = [];
    for (const range of ranges) {
      const state = device.createBuffer({ label: `state ${range.offset}`, size: alignTo(range.rows * stateStride * 4, 16), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const gram = wide ? await denseGram(gpu, range.rows, d, blockSamples, wide.rowVec4s) : undefined;
      const blocks = new BlockParams(device, PARAMS_BYTES, `params ${range.offset}`, (params) => bindBuffers(device, accumulate,
        gram ? { 0: params, 1: shared.problem, 2: state, 4: gram.nn.buffer('rows') } : [params, shared.problem, state]));
      const stagingOffset = stagingBytes;
      stagingBytes += reducer.partialBytes(range.rows, range.segmentRows);
      chunks.push({
        ...range, state, stagingOffset,
        grid: gridFor(range.rows, layout.replicatesPerGroup, device.limits),
        blocks,
        finishGroup: bindBuffers(device, finish, [blocks.first, shared.problem, state, shared.metrics]),
        reduce: reducer.bind(shared.metrics, range.rows, shared.partials, range.segmentRows),
        ...(gram && addGram ? { gram: { ...gram, addGroup: bindBuffers(device, addGram, { 0: blocks.first, 2: state, 5: gram.nn.buffer('gram') }) } } : {}),
      });
    }
    shared.staging = device.createBuffer({ label: 'partials staging', size: stagingBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    // θ̂ and the flags carry over; in accumulate mode the sums after them too (both layouts:
    // θ̂ | flags | rhs | Gram). Everything else is rebuilt by the next generation.
    const carriedFloats = 4 * (spec.mode === 'accumulate' ? 2 * Q + 1 + 4 * Q * Q : Q + 1);
    return new LinearGpu(device, cells, problems, { accumulate, finish, addGram }, reducer, chunks, blockSamples, shared, stateStride,
      carriedFloats, options.firstReplicate ?? 0);
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  /** Each cell's generation-t values (sample counts, λ_t), its constants and its centre θ_c. */
  private writeCells(plans: readonly GenerationPlan[]): void {
    const Q = Math.ceil(this.cells[0].d / 4);
    const data = new ArrayBuffer(this.cells.length * (2 + Q) * 16);
    const f32 = new Float32Array(data);
    this.cells.forEach((cell, c) => {
      const at = c * (2 + Q) * 4;
      const plan = plans[c];
      const verifier = cell.verifier.kind === 'ball' ? cell.verifier : { radius: 0, slack: 0 };
      f32.set([plan.samples, plan.realSamples, cell.sigma, cell.syntheticSigma, plan.ridgeLambda, verifier.radius, verifier.slack, (plan.verify ? 1 : 0) + (plan.minimumNorm ? 2 : 0)], at);
      f32.set(this.problems[c].center, at + 8);
    });
    this.device.queue.writeBuffer(this.shared.problem, 3 * Q * 16, data);
  }

  private writeParams(chunk: Chunk, params: GPUBuffer, plan: GenerationPlan, begin: number, end: number): void {
    const { key } = this.problems[0];
    this.device.queue.writeBuffer(params, 0, new Uint32Array([key[0], key[1], plan.t, plan.inputsGeneration,
      chunk.offset, chunk.rows, this.cells[0].replicates, begin, end, plan.resetSums ? 1 : 0, chunk.grid.rowPitch, this.replicateBase]));
  }

  /** Runs generation t (one plan per cell) on every chunk and returns each cell's metric sums. */
  async step(plans: readonly GenerationPlan[]): Promise<MetricSums[]> {
    this.writeCells(plans);
    const encoder = this.device.createCommandEncoder({ label: `generation ${plans[0].t}` });
    const mostSamples = Math.max(...plans.map((p) => p.samples));
    const blocks = Math.max(1, Math.ceil(mostSamples / this.blockSamples));
    for (const chunk of this.chunks) {
      for (let b = 0; b < blocks; b++) {
        const { params, group } = chunk.blocks.block(b);
        this.writeParams(chunk, params, plans[0], b * this.blockSamples, Math.min(mostSamples, (b + 1) * this.blockSamples));
        encodeDispatch(encoder, this.pipelines.accumulate, group, chunk.grid.workgroups);
        if (chunk.gram) chunk.gram.nn.record(encoder, b === 0 ? chunk.gram.first : chunk.gram.more);
      }
      if (chunk.gram) encodeDispatch(encoder, this.pipelines.addGram!, chunk.gram.addGroup, chunk.grid.workgroups);
      encodeDispatch(encoder, this.pipelines.finish, chunk.finishGroup, chunk.grid.workgroups);
      this.reducer.encode(encoder, chunk.reduce);
      encoder.copyBufferToBuffer(this.shared.partials, 0, this.shared.staging, chunk.stagingOffset, this.reducer.partialBytes(chunk.rows, chunk.segmentRows));
    }
    this.device.queue.submit([encoder.finish()]);
    return readCellSums(this.shared.staging, this.reducer, this.cells.length, this.chunks);
  }

  private get stateChunks(): StateChunk[] {
    return this.chunks.map((chunk) => ({ first: chunk.offset, rows: chunk.rows, buffer: chunk.state }));
  }

  /** θ̂ of every replicate of every cell (cell-major, then replicate, d each), read back on request only. */
  async estimates(): Promise<Float32Array> {
    return new Float32Array((await readRows(this.device, this.stateChunks, this.stateStride, this.cells[0].d)).buffer);
  }

  /** What every replicate carries to the next generation, as its state row holds it. */
  async snapshot(): Promise<Snapshot> {
    return { state: new Float32Array((await readRows(this.device, this.stateChunks, this.stateStride, this.carriedFloats)).buffer) };
  }

  async restore(snapshot: Snapshot): Promise<void> {
    const state = snapshotArray(snapshot, 'state', Float32Array, this.cells.length * this.cells[0].replicates * this.carriedFloats);
    await writeRows(this.device, this.stateChunks, this.stateStride, this.carriedFloats, state);
  }

  destroy(): void {
    for (const chunk of this.chunks) {
      chunk.state.destroy();
      chunk.reduce.params.destroy();
      chunk.blocks.destroy();
      if (chunk.gram) {
        release(chunk.gram.first);
        release(chunk.gram.more);
        chunk.gram.nn.destroy();
      }
    }
    for (const buffer of Object.values(this.shared)) buffer.destroy();
  }
}

/**
 * The wide layout's Gram as one batched dense op per sample block: per replicate, `rows` holds the
 * block's weighted samples w·(x, y) (rows of 4·rowVec4s floats, y in column d) and
 * gram = rows[:, :d]ᵀ · rows (d × 4·rowVec4s: XᵀWX, XᵀWy in column d), overwritten by a
 * generation's first block (`first`), added to by the others (`more`).
 */
async function denseGram(gpu: GpuContext, replicates: number, d: number, block: number, rowVec4s: number) {
  const columns = 4 * rowVec4s;
  const nn = new NnGpu(gpu, { rows: { size: block * columns }, gram: { size: d * columns } }, replicates, [0, 0]);
  const op = (accumulate: boolean): DenseOp => ({
    op: 'dense', transA: true, accumulate,
    a: { tensor: 'rows', rows: block, cols: d, stride: columns },
    b: { tensor: 'rows', rows: block, cols: columns },
    c: { tensor: 'gram', rows: d, cols: columns },
  });
  const [first, more] = await Promise.all([nn.prepare([op(false)]), nn.prepare([op(true)])]);
  return { nn, first, more };
}
