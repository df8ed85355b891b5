/**
 * Host side of shaders/categorical/bigram.wgsl: per-replicate estimate and count rows, per-cell tables,
 * pipelines and bind groups for every sweep cell of a bigram run, planned from the device's
 * limits (chunks and reduction as in src/models/categorical/gpu.ts), and one call per generation
 * returning each cell's metric sums. Twin: src/models/categorical/bigram-twin.ts.
 */
import type { ResolvedBigramSpec } from './spec.js';
import type { TokenProblem } from './problem.js';
import type { StepperOptions } from '../../core/engine/model.js';
import { wgslConstTable, type MetricSums } from '../../core/engine/metrics.js';
import { snapshotArray, type Snapshot } from '../../core/engine/snapshot.js';
import { searchTop } from '../../core/cpu/tokens.js';
import { BIGRAM_COLUMNS, BigramColumn } from './bigram-twin.js';
import type { GpuContext } from '../../core/adapter.js';
import { getPipeline, type Kernel } from '../../core/gpu/shader.js';
import bigramSource from '../../../shaders/categorical/bigram.wgsl?raw';
import { encodeDispatch, gridFor, type DispatchGrid } from '../../core/gpu/dispatch.js';
import { BlockParams, powerOfTwoAtMost } from '../../core/gpu/chunks.js';
import { readRows, writeRows, type StateChunk } from '../../core/gpu/state.js';
import {
  ChunkedReduction, bindEntries, blockRanges, cellWords, distinctProblems, problemBuffer, problemWords, type ChunkResources,
} from './gpu.js';

const BIGRAM_KERNEL: Kernel = { name: 'bigram', source: bigramSource, libraries: [] };

const PARAMS_BYTES = 64;
/** Threads per workgroup of `sample` (one replicate each): within every device's guaranteed limits (256). */
const SAMPLE_SIZE = 64;

/**
 * Token groups (of four) one `sample` thread may walk per dispatch under a loop-iteration
 * limit: per group the group loop, the four-token loop and, per token, both searches (SIMD
 * lanes may take either branch); 10 % in reserve.
 */
export function bigramGroupsPerBlock(K: number, loopIterationLimit: number | null): number {
  if (loopIterationLimit === null) return Number.POSITIVE_INFINITY;
  const searchSteps = Math.log2(searchTop(K)) + 2;
  const perGroup = 1 + 5 + 4 * 2 * searchSteps;
  return Math.floor((0.9 * loopIterationLimit - 1) / perGroup);
}

/** Threads of `finish` per replicate (a power of two, one or more rows each). */
export function finishWorkgroupSize(K: number, limits: GPUSupportedLimits): number {
  return Math.min(powerOfTwoAtMost(Math.min(64, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX)), 2 ** Math.ceil(Math.log2(K)));
}

/** Loop-header visits of one `finish` invocation: per row three loops of K, then the sums. */
function finishIterations(K: number, finishSize: number): number {
  return Math.ceil(K / finishSize) * (3 * (K + 1) + 1) + 1 + 3 * (Math.log2(finishSize) + 2);
}

interface BigramChunk {
  resources: ChunkResources;
  sampleGrid: DispatchGrid;
  /** Per replicate: P̂'s cumulative rows | fresh counts, K×K each. */
  counts: GPUBuffer;
  chain: GPUBuffer;
  /** The params buffer and `sample` bind group of each token block (block 0's also drives `finish`). */
  blocks: BlockParams;
  finishGroup: GPUBindGroup;
}

export class BigramGpu {
  private constructor(
    private readonly device: GPUDevice,
    private readonly cells: ResolvedBigramSpec[],
    private readonly key: readonly [number, number],
    private readonly K: number,
    private readonly pipelines: { sample: GPUComputePipeline; finish: GPUComputePipeline },
    private readonly reduction: ChunkedReduction,
    private readonly chunks: BigramChunk[],
    private readonly shared: { cells: GPUBuffer; problem: GPUBuffer },
    private readonly problemIndex: number[],
    private readonly blockGroups: number,
    private readonly replicateBase: number,
  ) {}

  static async create(gpu: GpuContext, cells: ResolvedBigramSpec[], problems: TokenProblem[], options: StepperOptions = {}): Promise<BigramGpu> {
    const { device, adapter } = gpu;
    const { K } = problems[0];
    const R = cells[0].replicates;
    const finishSize = finishWorkgroupSize(K, device.limits);
    const limit = adapter.loopIterationLimit;
    if (limit !== null && finishIterations(K, finishSize) > 0.9 * limit) {
      throw new RangeError(`K: ${K} needs more loop iterations per invocation than this adapter runs (${limit})`);
    }
    const variant = {
      kernel: BIGRAM_KERNEL,
      consts: { K, SEARCH_TOP: searchTop(K), SAMPLE_SIZE, FINISH_SIZE: finishSize, COLUMNS: BIGRAM_COLUMNS, ...wgslConstTable('COLUMN', BigramColumn) },
    } as const;
    const [sample, finish] = await Promise.all([
      getPipeline(device, { ...variant, entryPoint: 'sample' }),
      getPipeline(device, { ...variant, entryPoint: 'finish' }),
    ]);
    const reduction = await ChunkedReduction.create(gpu, BIGRAM_COLUMNS, cells.length, R, 2 * K * K * 4, options, `K = ${K}`);
    const { tables, index } = distinctProblems(problems);
    const shared = {
      cells: device.createBuffer({ label: 'bigram cells', size: cells.length * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST }),
      problem: problemBuffer(device, problemWords(tables), tables.length, 'bigram P*'),
    };
    const chunks = reduction.chunks.map((resources) => {
      const counts = device.createBuffer({ label: `bigram counts ${resources.firstReplicate}`, size: resources.replicates * 2 * K * K * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const chain = device.createBuffer({ label: `bigram chain ${resources.firstReplicate}`, size: resources.replicates * 4, usage: GPUBufferUsage.STORAGE });
      const blocks = new BlockParams(device, PARAMS_BYTES, `bigram params ${resources.firstReplicate}`,
        (params) => bindEntries(device, sample, [[0, params], [1, shared.cells], [2, shared.problem], [3, counts], [4, chain]]));
      const finishGroup = bindEntries(device, finish, [[0, blocks.first], [1, shared.cells], [2, shared.problem], [3, counts], [5, resources.metrics]]);
      return { resources, sampleGrid: gridFor(resources.replicates, SAMPLE_SIZE, device.limits), counts, chain, blocks, finishGroup };
    });
    return new BigramGpu(device, cells, problems[0].key, K, { sample, finish }, reduction, chunks, shared, index, bigramGroupsPerBlock(K, limit),
      options.firstReplicate ?? 0);
  }

  /** Token groups (of four) one `sample` dispatch walks per replicate. */
  get tokenGroupsPerBlock(): number {
    return this.blockGroups;
  }

  /** Runs generation t on every chunk; each cell's metric sums. */
  async step(t: number): Promise<MetricSums[]> {
    const { device, cells, reduction } = this;
    device.queue.writeBuffer(this.shared.cells, 0, cellWords(cells, this.problemIndex, t));
    const blocks = blockRanges(Math.ceil(Math.max(...cells.map((cell) => cell.schedule.n[t])) / 4), this.blockGroups);
    const encoder = device.createCommandEncoder({ label: `bigram generation ${t}` });
    for (const chunk of this.chunks) {
      const { resources } = chunk;
      for (const [b, [begin, end]] of blocks.entries()) {
        const { params, group } = chunk.blocks.block(b);
        device.queue.writeBuffer(params, 0, new Uint32Array([
          this.key[0], this.key[1], t, cells[0].replicates, resources.firstReplicate, resources.replicates,
          resources.firstGroup, reduction.groupsPerCell, reduction.groupSize, begin, end,
          chunk.sampleGrid.rowPitch, resources.grid.workgroups[0], this.replicateBase, 0, 0,
        ]));
        encodeDispatch(encoder, this.pipelines.sample, group, chunk.sampleGrid.workgroups);
      }
      encodeDispatch(encoder, this.pipelines.finish, chunk.finishGroup, resources.grid.workgroups);
      reduction.encode(encoder, resources);
    }
    return reduction.finish(encoder);
  }

  private get countRows(): StateChunk[] {
    return this.chunks.map(({ resources, counts }) => ({ first: resources.firstReplicate, rows: resources.replicates, buffer: counts }));
  }

  /** Every replicate's P̂ after the last step as K cumulative count rows (cell-major): all that carries over. */
  replicateCounts(): Promise<Uint32Array> {
    return readRows(this.device, this.countRows, 2 * this.K * this.K, this.K * this.K);
  }

  async snapshot(): Promise<Snapshot> {
    return { estimate: await this.replicateCounts() };
  }

  /** P̂ back in place; the fresh counts and the chain start from zero, as every generation's do. */
  async restore(snapshot: Snapshot): Promise<void> {
    const rows = this.K * this.K;
    await writeRows(this.device, this.countRows, 2 * rows, rows, snapshotArray(snapshot, 'estimate', Uint32Array, this.cells.length * this.cells[0].replicates * rows));
  }

  /** Every replicate's metric row after the last step (cell-major, BigramColumn order). */
  replicateMetrics(): Promise<Float32Array> {
    return this.reduction.replicateRows(this.cells[0].replicates);
  }

  destroy(): void {
    for (const chunk of this.chunks) {
      chunk.counts.destroy();
      chunk.chain.destroy();
      chunk.blocks.destroy();
    }
    this.shared.cells.destroy();
    this.shared.problem.destroy();
    this.reduction.destroy();
  }
}
