/**
 * Host side of shaders/yi-grid/yi_grid.wgsl: every replicate of every cell in one dispatch per chunk
 * (chunks hold whole cells), reduced per cell; only the partials come back. Twin: src/models/yi-grid/twin.ts.
 */
import type { ResolvedYiGridSpec } from './spec.js';
import { keyFromSeed } from '../../core/random/address.js';
import type { MetricSums } from '../../core/engine/metrics.js';
import type { StepperOptions } from '../../core/engine/model.js';
import { YI_COLUMNS, yiColumnDeclarations } from './columns.js';
import { packedSize } from '../../core/cpu/cholesky.js';
import type { GpuContext } from '../../core/adapter.js';
import { CHOLESKY, GRAM, getPipeline, gramBatchConsts, type Kernel } from '../../core/gpu/shader.js';
import yiGridSource from '../../../shaders/yi-grid/yi_grid.wgsl?raw';
import { bufferFrom, encodeDispatch, gridFor, readBack } from '../../core/gpu/dispatch.js';
import { bindBuffers, planChunks, readCellSums, type ChunkRange } from '../../core/gpu/chunks.js';
import { ColumnReducer, type ReduceBinding } from '../../core/gpu/reduce.js';

const YI_GRID_KERNEL: Kernel = { name: 'yi_grid', source: yiGridSource, libraries: [CHOLESKY, GRAM] };

const WORKGROUP_SIZE = 64;

/**
 * Loop-header visits of one replicate (a loop of k iterations counts k + 1): both sample
 * passes, four solves. Some adapters end an invocation's loops past a limit (llvmpipe: 65535).
 */
export function loopIterationsPerReplicate(d: number, n1: number, n2: number): number {
  const Q = Math.ceil(d / 4);
  // Per group of four samples: the group loop, draw_inputs_four (D addresses, then 4 × Q × 4
  // components), the four samples' dot products, two gram_add calls.
  const draw = (d + 1) + 5 + 4 * (Q + 1) + 4 * Q * 5;
  const perGroup = 1 + draw + 5 + 4 * (Q + 1) + 2 * ((Q + 1) * (Q + 2));
  const solve = 2 * packedSize(d) + 3 * d + (d * d * d) / 6 + d * d + 4 * Q;
  return perGroup * (Math.ceil(n1 / 4) + Math.ceil(n2 / 4)) + 4 * solve + 4 * (Q + 1) + 64;
}

export class YiGridGpu {
  private constructor(
    private readonly device: GPUDevice,
    private readonly cells: readonly ResolvedYiGridSpec[],
    private readonly run: () => GPUCommandBuffer,
    private readonly reducer: ColumnReducer,
    private readonly chunks: (ChunkRange & { stagingOffset: number; reduce: ReduceBinding })[],
    private readonly buffers: { staging: GPUBuffer; metrics: GPUBuffer; all: GPUBuffer[] },
  ) {}

  static async create(gpu: GpuContext, cells: readonly ResolvedYiGridSpec[], options: StepperOptions = {}): Promise<YiGridGpu> {
    const { device } = gpu;
    const { d, replicates: R } = cells[0];
    const limit = gpu.adapter.loopIterationLimit;
    const worst = cells.reduce((a, c) => (c.n1 + c.n2 > a.n1 + a.n2 ? c : a));
    if (limit !== null && loopIterationsPerReplicate(d, worst.n1, worst.n2) > 0.9 * limit) {
      throw new RangeError(`n1: yi-grid runs each replicate in one invocation, and this adapter ends an invocation's loops after ${limit} iterations; n1 + n2 = ${worst.n1 + worst.n2} at d = ${d} is too many: lower n1 and n2, or use another adapter`);
    }
    const Q = Math.ceil(d / 4);
    const pipeline = await getPipeline(device, {
      kernel: YI_GRID_KERNEL, entryPoint: 'study',
      consts: { D: d, Q, P: packedSize(d), ...gramBatchConsts(1), ...yiColumnDeclarations() }, constants: { WORKGROUP_SIZE },
    });
    const reducer = await ColumnReducer.create(device, YI_COLUMNS);
    const ranges = planChunks(device.limits, { cells: cells.length, replicates: R, bytesPerReplicate: YI_COLUMNS * 4, reducer, requested: options.chunkReplicates, d });
    const largest = ranges[0].rows;

    const cellData = new Float32Array(cells.length * 8);
    cells.forEach((c, i) => cellData.set([c.n1, c.n2, c.sigma, c.bias, c.radius, c.slack, 0, 0], i * 8));
    const cellBuffer = bufferFrom(device, cellData, GPUBufferUsage.STORAGE, 'yi cells');
    const metrics = device.createBuffer({ label: 'yi metrics', size: largest * YI_COLUMNS * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const partials = device.createBuffer({ label: 'yi partials', size: reducer.partialBytes(largest, ranges[0].segmentRows), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const key = keyFromSeed(cells[0].seed);
    const all = [cellBuffer, metrics, partials];
    const chunks: (ChunkRange & { stagingOffset: number; reduce: ReduceBinding })[] = [];
    const passes: ((encoder: GPUCommandEncoder) => void)[] = [];
    let stagingBytes = 0;
    for (const range of ranges) {
      const grid = gridFor(range.rows, WORKGROUP_SIZE, device.limits);
      const params = bufferFrom(device, new Uint32Array([key[0], key[1], range.offset, range.rows, R, grid.rowPitch, options.firstReplicate ?? 0, 0]), GPUBufferUsage.UNIFORM);
      const bindGroup = bindBuffers(device, pipeline, [params, cellBuffer, metrics]);
      const reduce = reducer.bind(metrics, range.rows, partials, range.segmentRows);
      all.push(params, reduce.params);
      const stagingOffset = stagingBytes, bytes = reducer.partialBytes(range.rows, range.segmentRows);
      chunks.push({ ...range, stagingOffset, reduce });
      stagingBytes += bytes;
      passes.push((encoder) => {
        encodeDispatch(encoder, pipeline, bindGroup, grid.workgroups);
        reducer.encode(encoder, reduce);
        encoder.copyBufferToBuffer(partials, 0, staging, stagingOffset, bytes);
      });
    }
    const staging = device.createBuffer({ label: 'yi staging', size: stagingBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    all.push(staging);
    const run = () => {
      const encoder = device.createCommandEncoder({ label: 'yi-grid' });
      for (const pass of passes) pass(encoder);
      return encoder.finish();
    };
    return new YiGridGpu(device, cells, run, reducer, chunks, { staging, metrics, all });
  }

  /** Runs the study; each cell's metric sums. */
  async step(): Promise<MetricSums[]> {
    this.device.queue.submit([this.run()]);
    return readCellSums(this.buffers.staging, this.reducer, this.cells.length, this.chunks);
  }

  /** Every replicate's metric row after `step` (runs of one chunk only), read back on request. */
  async rows(): Promise<Float32Array> {
    if (this.chunks.length !== 1) throw new Error('rows: only for runs that fit one chunk');
    const rows = this.chunks[0].rows;
    return new Float32Array(await readBack(this.device, this.buffers.metrics, rows * YI_COLUMNS * 4));
  }

  destroy(): void {
    for (const buffer of this.buffers.all) buffer.destroy();
  }
}
