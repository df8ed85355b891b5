/**
 * Host side of shaders/linear.wgsl: buffers, pipelines and bind groups for a linear run,
 * planned from the device's limits, and one call per generation that returns the metric
 * sums (only the reduced partials are read back). Twin: src/cpu/linear.ts.
 */
import type { ResolvedLinearSpec } from '../spec/linear.js';
import type { LinearProblem } from '../engine/problem.js';
import type { GenerationPlan } from '../engine/plan.js';
import { emptySums, metricColumns, metricDeclarations, type MetricSums } from '../engine/metrics.js';
import { packedSize } from '../cpu/cholesky.js';
import type { GpuContext } from './device.js';
import { getPipeline } from './shader.js';
import { alignTo, bufferFrom, encodeDispatch, gridFor, readBack, type DispatchGrid } from './dispatch.js';
import { ColumnReducer, type ReduceBinding } from './reduce.js';

const WORKGROUP_SIZE = 64;
const PARAMS_BYTES = 80;

interface Chunk {
  firstReplicate: number;
  replicates: number;
  state: GPUBuffer;
  grid: DispatchGrid;
  /** One params buffer and bind group per sample block (block 0's also drives `finish`). */
  params: GPUBuffer[];
  accumulateGroups: GPUBindGroup[];
  finishGroup: GPUBindGroup;
  reduce: ReduceBinding;
  /** Byte offset of this chunk's partials in the staging buffer. */
  stagingOffset: number;
}

export interface LinearGpuOptions {
  /** Replicates per chunk (a multiple of the reduction's workgroup size); default: as many as the limits allow. */
  chunkReplicates?: number;
}

/** The largest chunk the device's binding and buffer limits allow, a multiple of `alignment`. */
export function maxChunkReplicates(limits: GPUSupportedLimits, bytesPerReplicate: number, alignment: number): number {
  const bytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  return Math.floor(bytes / bytesPerReplicate / alignment) * alignment;
}

/**
 * Samples one `accumulate` invocation may handle under a loop-iteration limit, a multiple of 4
 * (one label-noise address). Counts, per sample, every visit of a loop header in
 * shaders/linear.wgsl (a loop of k iterations is charged k + 1), and keeps 10 % in reserve.
 */
export function samplesPerBlock(d: number, loopIterationLimit: number | null): number {
  if (loopIterationLimit === null) return Number.POSITIVE_INFINITY;
  const Q = Math.ceil(d / 4), P = packedSize(d);
  const gramVec4s = 4 * Q * Q;
  // Per group of four samples: the group loop, four sample iterations (draw, verify and
  // weight loops), then the Q × Q block update.
  const perGroup = 1 + 5 + 4 * (3 * (Q + 1) + 2) + (Q + 1) * (Q + 1) + 4;
  const perSample = perGroup / 4;
  const setup = 2 * (gramVec4s + 1) + 4 * (Q + 1) + 16;
  const finish = (P + d) + 3 * (d + 1) + (d * d * d) / 6 + d * d + metricColumns(d) + Q;
  const budget = 0.9 * loopIterationLimit;
  const samples = Math.floor((budget - setup) / perSample / 4) * 4;
  if (samples < 4 || finish >= budget) {
    throw new RangeError(`d: ${d} needs more loop iterations per invocation than this adapter runs (${loopIterationLimit}); lower d or use another adapter`);
  }
  return samples;
}

/** A bind group of group 0 binding `buffers[i]` at binding i. */
function bindBuffers(device: GPUDevice, pipeline: GPUComputePipeline, buffers: GPUBuffer[]): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}

export class LinearGpu {
  private constructor(
    private readonly device: GPUDevice,
    private readonly spec: ResolvedLinearSpec,
    private readonly problem: LinearProblem,
    private readonly pipelines: { accumulate: GPUComputePipeline; finish: GPUComputePipeline },
    private readonly reducer: ColumnReducer,
    private readonly chunks: Chunk[],
    private readonly blockSamples: number,
    /** Buffers bound by every chunk: the problem, metrics and partials (reused chunk after chunk). */
    private readonly shared: { problem: GPUBuffer; metrics: GPUBuffer; partials: GPUBuffer; staging: GPUBuffer },
    private readonly stateStride: number,
  ) {}

  static async create(gpu: GpuContext, spec: ResolvedLinearSpec, problem: LinearProblem, options: LinearGpuOptions = {}): Promise<LinearGpu> {
    const { device } = gpu;
    const { d } = spec;
    const Q = Math.ceil(d / 4), P = packedSize(d), columns = metricColumns(d);
    const stateStride = 4 * (2 * Q + 1 + 4 * Q * Q); // floats; see STATE_* in shaders/linear.wgsl
    const blockSamples = samplesPerBlock(d, gpu.adapter.loopIterationLimit);
    const reducer = await ColumnReducer.create(device, columns);
    const variant = { kernel: 'linear', consts: { D: d, Q, P, COLUMNS: columns, ...metricDeclarations() }, constants: { WORKGROUP_SIZE } } as const;
    const [accumulate, finish] = await Promise.all([
      getPipeline(device, { ...variant, entryPoint: 'accumulate' }),
      getPipeline(device, { ...variant, entryPoint: 'finish' }),
    ]);

    const alignment = reducer.workgroupSize;
    const bytesPerReplicate = Math.max(stateStride, columns) * 4;
    const largest = maxChunkReplicates(device.limits, bytesPerReplicate, alignment);
    if (largest < alignment) {
      throw new RangeError(`d: ${d} needs ${bytesPerReplicate * alignment} bytes per ${alignment} replicates, beyond this device's storage binding size (${device.limits.maxStorageBufferBindingSize}); lower d`);
    }
    const requested = options.chunkReplicates;
    if (requested !== undefined && (!Number.isInteger(requested) || requested < alignment || requested % alignment !== 0)) {
      throw new RangeError(`chunkReplicates: must be a positive multiple of ${alignment}, got ${requested}`);
    }
    const perChunk = Math.min(requested ?? largest, largest);
    const largestChunk = Math.min(perChunk, spec.replicates);
    const problemData = new Float32Array(4 * Q * 4);
    [problem.thetaStar, problem.center, problem.spectrum.map(Math.sqrt), problem.spectrum]
      .forEach((section, s) => problemData.set(section, s * Q * 4));
    const shared = {
      problem: bufferFrom(device, problemData, GPUBufferUsage.STORAGE, 'problem'),
      metrics: device.createBuffer({ label: 'metrics', size: largestChunk * columns * 4, usage: GPUBufferUsage.STORAGE }),
      partials: device.createBuffer({ label: 'partials', size: reducer.partialBytes(largestChunk), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }),
      staging: undefined as unknown as GPUBuffer,
    };

    const chunks: Chunk[] = [];
    let stagingBytes = 0;
    for (let first = 0; first < spec.replicates; first += perChunk) {
      const replicates = Math.min(perChunk, spec.replicates - first);
      const state = device.createBuffer({ label: `state ${first}`, size: alignTo(replicates * stateStride * 4, 16), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const params0 = device.createBuffer({ label: `params ${first}`, size: PARAMS_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      chunks.push({
        firstReplicate: first, replicates, state,
        grid: gridFor(replicates, WORKGROUP_SIZE, device.limits),
        params: [params0],
        accumulateGroups: [bindBuffers(device, accumulate, [params0, shared.problem, state])],
        finishGroup: bindBuffers(device, finish, [params0, shared.problem, state, shared.metrics]),
        reduce: reducer.bind(shared.metrics, replicates, shared.partials),
        stagingOffset: stagingBytes,
      });
      stagingBytes += reducer.partialBytes(replicates);
    }
    shared.staging = device.createBuffer({ label: 'partials staging', size: stagingBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    return new LinearGpu(device, spec, problem, { accumulate, finish }, reducer, chunks, blockSamples, shared, stateStride);
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  /** The params buffer and bind group of sample block `b`, created on first use. */
  private block(chunk: Chunk, b: number): { params: GPUBuffer; group: GPUBindGroup } {
    while (chunk.params.length <= b) {
      const params = this.device.createBuffer({ label: `params ${chunk.firstReplicate}/${chunk.params.length}`, size: PARAMS_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      chunk.params.push(params);
      chunk.accumulateGroups.push(bindBuffers(this.device, this.pipelines.accumulate, [params, this.shared.problem, chunk.state]));
    }
    return { params: chunk.params[b], group: chunk.accumulateGroups[b] };
  }

  private writeParams(chunk: Chunk, params: GPUBuffer, plan: GenerationPlan, begin: number, end: number): void {
    const data = new ArrayBuffer(PARAMS_BYTES);
    const u32 = new Uint32Array(data), f32 = new Float32Array(data);
    const verifier = this.spec.verifier.kind === 'ball' ? this.spec.verifier : { radius: 0, slack: 0 };
    u32.set([this.problem.key[0], this.problem.key[1], plan.t, plan.inputsGeneration, chunk.firstReplicate, chunk.replicates, begin, end, plan.realSamples]);
    f32.set([this.spec.sigma, this.spec.syntheticSigma, plan.ridgeLambda, verifier.radius, verifier.slack], 9);
    u32.set([plan.verify ? 1 : 0, plan.resetSums ? 1 : 0, chunk.grid.rowPitch], 14);
    this.device.queue.writeBuffer(params, 0, data);
  }

  /** Runs generation `plan.t` on every chunk and returns the metric sums over all replicates. */
  async step(plan: GenerationPlan): Promise<MetricSums> {
    const encoder = this.device.createCommandEncoder({ label: `generation ${plan.t}` });
    const blocks = Math.max(1, Math.ceil(plan.samples / this.blockSamples));
    for (const chunk of this.chunks) {
      for (let b = 0; b < blocks; b++) {
        const { params, group } = this.block(chunk, b);
        this.writeParams(chunk, params, plan, b * this.blockSamples, Math.min(plan.samples, (b + 1) * this.blockSamples));
        encodeDispatch(encoder, this.pipelines.accumulate, group, chunk.grid.workgroups);
      }
      encodeDispatch(encoder, this.pipelines.finish, chunk.finishGroup, chunk.grid.workgroups);
      this.reducer.encode(encoder, chunk.reduce);
      encoder.copyBufferToBuffer(this.shared.partials, 0, this.shared.staging, chunk.stagingOffset, this.reducer.partialBytes(chunk.replicates));
    }
    this.device.queue.submit([encoder.finish()]);
    await this.shared.staging.mapAsync(GPUMapMode.READ);
    const sums = emptySums(this.reducer.columns);
    try {
      const all = new Float32Array(this.shared.staging.getMappedRange());
      for (const chunk of this.chunks) {
        this.reducer.addPartials(all.subarray(chunk.stagingOffset / 4), chunk.reduce.groups, sums);
      }
    } finally {
      this.shared.staging.unmap();
    }
    return sums;
  }

  /** θ̂ of every replicate (replicate-major), read back on request only. */
  async estimates(): Promise<Float32Array> {
    const { d } = this.spec;
    const out = new Float32Array(this.spec.replicates * d);
    for (const chunk of this.chunks) {
      const state = new Float32Array(await readBack(this.device, chunk.state, chunk.replicates * this.stateStride * 4));
      for (let r = 0; r < chunk.replicates; r++) {
        out.set(state.subarray(r * this.stateStride, r * this.stateStride + d), (chunk.firstReplicate + r) * d);
      }
    }
    return out;
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
