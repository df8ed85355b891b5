/**
 * Host side of shaders/reduce.wgsl: column sums and sums of squares of a replicate-major
 * f32 table, as per-block partials (shift, Σ deviations, Σ squared deviations, rows) that the
 * host adds in float64, always in the same order. Blocks are counted from each segment's start,
 * so the partials — and therefore the statistics — are the same however the replicates were chunked.
 */
import { getPipeline, REDUCE } from './shader.js';
import { encodeDispatch, gridFor } from './dispatch.js';
import type { MetricSums } from '../engine/metrics.js';
import { isCpuAdapter, type GpuContext } from '../adapter.js';

/** Floats per partial: shift, sum of deviations, sum of their squares, rows (a vec4f). */
const PARTIAL_FLOATS = 4;

/** Invocations per workgroup of reduce_serial. */
const SERIAL_WORKGROUP = 64;

/** Replicates per partial: 256, or the largest power of two the device allows below it. */
export function reduceWorkgroupSize(limits: GPUSupportedLimits): number {
  const cap = Math.min(256, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
  return 2 ** Math.floor(Math.log2(cap));
}

export interface ReduceBinding {
  bindGroup: GPUBindGroup;
  workgroups: [number, number];
  /** Partials written: groups × columns × PARTIAL_FLOATS, segment after segment. */
  groups: number;
  /** Segments (sweep cells) and the partials of each. */
  segments: number;
  blocksPerSegment: number;
  params: GPUBuffer;
}

export class ColumnReducer {
  private constructor(private readonly device: GPUDevice, private readonly pipeline: GPUComputePipeline,
    readonly columns: number, readonly blockRows: number, private readonly serial: boolean) {}

  /**
   * The reduction for an adapter: on CPU adapters (llvmpipe, SwiftShader) each block and column
   * summed by one invocation (reduce_serial), elsewhere a workgroup's barrier tree (`layout` picks
   * one, for tests); blocks of 256 rows either way (or the largest power of two the device allows below it).
   */
  static async create(gpu: GpuContext, columns: number, layout: 'tree' | 'serial' = isCpuAdapter(gpu.adapter) ? 'serial' : 'tree'): Promise<ColumnReducer> {
    const { device } = gpu;
    const blockRows = reduceWorkgroupSize(device.limits);
    const serial = layout === 'serial';
    const pipeline = await getPipeline(device, serial
      ? { kernel: REDUCE, entryPoint: 'reduce_serial', constants: { WORKGROUP_SIZE: SERIAL_WORKGROUP, BLOCK_ROWS: blockRows, COLUMNS: columns } }
      : { kernel: REDUCE, entryPoint: 'reduce', constants: { WORKGROUP_SIZE: blockRows, BLOCK_ROWS: blockRows, COLUMNS: columns } });
    return new ColumnReducer(device, pipeline, columns, blockRows, serial);
  }

  /** Blocks (partials per column) for `rows` rows in segments of `segmentRows`. */
  groups(rows: number, segmentRows = rows): number {
    return Math.ceil(rows / segmentRows) * Math.ceil(segmentRows / this.blockRows);
  }

  /** Bytes of partials for `rows` rows in segments of `segmentRows`. */
  partialBytes(rows: number, segmentRows = rows): number {
    return this.groups(rows, segmentRows) * this.columns * PARTIAL_FLOATS * 4;
  }

  /**
   * A reusable binding reducing the first `rows` rows of `values` into `partials`, in segments
   * of `segmentRows` rows (one per sweep cell; by default one segment).
   */
  bind(values: GPUBuffer, rows: number, partials: GPUBuffer, segmentRows = rows): ReduceBinding {
    const blocksPerSegment = Math.ceil(segmentRows / this.blockRows);
    const segments = Math.ceil(rows / segmentRows);
    const groups = segments * blocksPerSegment;
    const grid = this.serial ? gridFor(groups * this.columns, SERIAL_WORKGROUP, this.device.limits) : gridFor(groups, 1, this.device.limits);
    const params = this.device.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.device.queue.writeBuffer(params, 0, new Uint32Array([rows, groups, this.serial ? grid.rowPitch : grid.workgroups[0], segmentRows, blocksPerSegment, 0, 0, 0]));
    const bindGroup = this.device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [params, values, partials].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    return { bindGroup, workgroups: grid.workgroups, groups, segments, blocksPerSegment, params };
  }

  encode(encoder: GPUCommandEncoder, binding: ReduceBinding): void {
    encodeDispatch(encoder, this.pipeline, binding.bindGroup, binding.workgroups);
  }

  /**
   * Adds the partials of groups firstGroup .. firstGroup + groups − 1 (a segment's blocks) into
   * float64 sums, group by group in order: Σv = rows·shift + Σd, Σv² = rows·shift² + 2·shift·Σd + Σd².
   */
  addGroups(partials: Float32Array, firstGroup: number, groups: number, into: MetricSums): void {
    for (let g = firstGroup; g < firstGroup + groups; g++) {
      for (let c = 0; c < this.columns; c++) {
        const at = (g * this.columns + c) * PARTIAL_FLOATS;
        const shift = partials[at], deviations = partials[at + 1], squares = partials[at + 2], rows = partials[at + 3];
        into.sum[c] += rows * shift + deviations;
        into.sumSquares[c] += rows * shift * shift + 2 * shift * deviations + squares;
      }
    }
  }
}
