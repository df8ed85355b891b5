/**
 * Host side of shaders/yi_grid.wgsl: every replicate of every cell in one dispatch per chunk
 * (chunks hold whole cells), reduced per cell; only the partials come back. Twin: src/cpu/yi-grid.ts.
 */
import type { ResolvedYiGridSpec } from '../spec/yi-grid.js';
import { keyFromSeed } from '../random/address.js';
import { emptySums, type MetricSums } from '../engine/metrics.js';
import { YI_COLUMNS, yiColumnDeclarations } from '../engine/yi-grid-columns.js';
import { packedSize } from '../cpu/cholesky.js';
import type { GpuContext } from './device.js';
import { getPipeline } from './shader.js';
import { bufferFrom, encodeDispatch, gridFor, readBack } from './dispatch.js';
import { maxChunkReplicates } from './linear.js';
import { ColumnReducer } from './reduce.js';

const WORKGROUP_SIZE = 64;

/**
 * Loop-header visits of one replicate (a loop of k iterations counts k + 1): both sample
 * passes, four solves. Some adapters end an invocation's loops past a limit (llvmpipe: 65535).
 */
export function loopIterationsPerReplicate(d: number, n1: number, n2: number): number {
  const Q = Math.ceil(d / 4);
  const perFit = (Q + 1) * (Q + 2);
  const real = n1 * (1 + (Q + 1) + 2 * perFit);
  const synthetic = n2 * (1 + (Q + 1) + 2 * perFit);
  const solve = 2 * packedSize(d) + 3 * d + (d * d * d) / 6 + d * d + 4 * Q;
  return real + synthetic + 4 * solve + 4 * (Q + 1) + 64;
}

export class YiGridGpu {
  private constructor(
    private readonly device: GPUDevice,
    private readonly cells: readonly ResolvedYiGridSpec[],
    private readonly run: () => GPUCommandBuffer,
    private readonly reducer: ColumnReducer,
    private readonly chunks: { offset: number; rows: number; firstCell: number; groups: number; stagingOffset: number }[],
    private readonly buffers: { staging: GPUBuffer; metrics: GPUBuffer; all: GPUBuffer[] },
  ) {}

  static async create(gpu: GpuContext, cells: readonly ResolvedYiGridSpec[]): Promise<YiGridGpu> {
    const { device } = gpu;
    const { d, replicates: R } = cells[0];
    const limit = gpu.adapter.loopIterationLimit;
    const worst = cells.reduce((a, c) => (c.n1 + c.n2 > a.n1 + a.n2 ? c : a));
    if (limit !== null && loopIterationsPerReplicate(d, worst.n1, worst.n2) > 0.9 * limit) {
      throw new RangeError(`n1: yi-grid runs each replicate in one invocation, and this adapter ends an invocation's loops after ${limit} iterations; n1 + n2 = ${worst.n1 + worst.n2} at d = ${d} is too many: lower n1 and n2, or use another adapter`);
    }
    const Q = Math.ceil(d / 4);
    const pipeline = await getPipeline(device, {
      kernel: 'yi_grid', entryPoint: 'study',
      consts: { D: d, Q, P: packedSize(d), ...yiColumnDeclarations() }, constants: { WORKGROUP_SIZE },
    });
    const reducer = await ColumnReducer.create(device, YI_COLUMNS);
    const perChunk = maxChunkReplicates(device.limits, YI_COLUMNS * 4, R);
    if (perChunk < R) throw new RangeError(`replicates: ${R} per cell need more than this device's storage binding size; use fewer`);
    const total = cells.length * R;
    const largest = Math.min(perChunk, total);

    const cellData = new Float32Array(cells.length * 8);
    cells.forEach((c, i) => cellData.set([c.n1, c.n2, c.sigma, c.bias, c.radius, c.slack, 0, 0], i * 8));
    const cellBuffer = bufferFrom(device, cellData, GPUBufferUsage.STORAGE, 'yi cells');
    const metrics = device.createBuffer({ label: 'yi metrics', size: largest * YI_COLUMNS * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const partials = device.createBuffer({ label: 'yi partials', size: reducer.partialBytes(largest, R), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const key = keyFromSeed(cells[0].seed);
    const all = [cellBuffer, metrics, partials];
    const chunks = [];
    const passes: ((encoder: GPUCommandEncoder) => void)[] = [];
    let stagingBytes = 0;
    for (let offset = 0; offset < total; offset += perChunk) {
      const rows = Math.min(perChunk, total - offset);
      const grid = gridFor(rows, WORKGROUP_SIZE, device.limits);
      const params = bufferFrom(device, new Uint32Array([key[0], key[1], offset, rows, R, grid.rowPitch, 0, 0]), GPUBufferUsage.UNIFORM);
      const bindGroup = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [params, cellBuffer, metrics].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const reduce = reducer.bind(metrics, rows, partials, R);
      all.push(params, reduce.params);
      const stagingOffset = stagingBytes, bytes = reducer.partialBytes(rows, R);
      chunks.push({ offset, rows, firstCell: offset / R, groups: reduce.blocksPerSegment, stagingOffset });
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
    await this.buffers.staging.mapAsync(GPUMapMode.READ);
    const sums = this.cells.map(() => emptySums(YI_COLUMNS));
    try {
      const all = new Float32Array(this.buffers.staging.getMappedRange());
      const floatsPerSegment = (g: number) => g * YI_COLUMNS * 2;
      for (const chunk of this.chunks) {
        const cellsInChunk = chunk.rows / this.cells[0].replicates;
        for (let s = 0; s < cellsInChunk; s++) {
          this.reducer.addPartials(all.subarray(chunk.stagingOffset / 4 + s * floatsPerSegment(chunk.groups)), chunk.groups, sums[chunk.firstCell + s]);
        }
      }
    } finally {
      this.buffers.staging.unmap();
    }
    return sums;
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
