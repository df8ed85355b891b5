/**
 * The WebGPU interpreter of tensor programs (src/core/nn/program.ts): one buffer per tensor for a
 * chunk of replicates, each operation prepared once (pipeline, uniform, bind group) and encoded as
 * often as a phase needs it — a training phase's steps go to the device without host writes in
 * between (the step counter lives on the device). Twin: src/core/nn/twin.ts.
 */
import type { GpuContext } from '../adapter.js';
import type { Key } from '../random/address.js';
import { getPipeline, type Kernel, type WgslLibrary } from '../gpu/shader.js';
import { activeTimer } from '../gpu/timing.js';
import { alignTo, readBack } from '../gpu/dispatch.js';
import { NN_CONTEXT, floatWord, type Activation, type CompiledProgram, type DenseOp, type NnExecutor, type Op, type TensorSpec, type View } from './program.js';
import denseSource from '../../../shaders/nn/dense.wgsl?raw';
import denseRegisterSource from '../../../shaders/nn/dense_reg.wgsl?raw';
import denseOpSource from '../../../shaders/nn/dense_op.wgsl?raw';
import optimiseSource from '../../../shaders/nn/optimise.wgsl?raw';
/** The dense operation's uniform and overrides, one definition for both kernels. */
const DENSE_OP: WgslLibrary = { name: 'nn_dense_op', source: denseOpSource };
const DENSE: Kernel = { name: 'nn_dense', source: denseSource, libraries: [DENSE_OP] };
const DENSE_REGISTER: Kernel = { name: 'nn_dense_reg', source: denseRegisterSource, libraries: [DENSE_OP] };
const OPTIMISE: Kernel = { name: 'nn_optimise', source: optimiseSource, libraries: [NN_CONTEXT] };

const ACTIVATION_CODE: Record<Activation, number> = { none: 0, relu: 1, leaky: 2 };
const VECTOR_WORKGROUP = 64;
const CUSTOM_WORKGROUP = 64;
const TILE = 32;
/** Words of VectorParams (shaders/nn/optimise.wgsl). */
const VECTOR_PARAMS_WORDS = 12;

/**
 * How a dense op runs: `tiled` (shaders/nn/dense.wgsl: 32 × 32 tiles staged in workgroup memory,
 * for GPUs) or `register` (shaders/nn/dense_reg.wgsl: a tm × tn block of C per invocation in
 * registers, operands read straight from storage as vec4s, for SIMD CPU adapters), with the
 * invocations per workgroup along n (wgX) and m (wgY).
 */
export type DenseVariant =
  | { kernel: 'tiled' }
  | { kernel: 'register'; tm: 4 | 8 | 12 | 16; tn: 4 | 8 | 12 | 16; wgX: number; wgY: number };

/**
 * The variant for an adapter: on CPU adapters the register kernel (bench/dense.ts: 2.5–5× the
 * tiled one's GFLOP/s on llvmpipe, 2–4× on SwiftShader), 16 × 8 blocks on llvmpipe, 8 × 8 on
 * SwiftShader (the faster there in the same runs); GPUs (hardware, browser) keep the tiled one.
 */
export function denseVariant(gpu: GpuContext, _op: DenseOp): DenseVariant {
  switch (gpu.adapter.path) {
    case 'llvmpipe': return { kernel: 'register', tm: 16, tn: 8, wgX: 8, wgY: 4 };
    case 'swiftshader': return { kernel: 'register', tm: 8, tn: 8, wgX: 8, wgY: 8 };
    default: return { kernel: 'tiled' };
  }
}

export interface NnGpuOptions {
  /** Every dense op's variant (benchmarks, tests); default `denseVariant` per op. */
  dense?: DenseVariant;
}

interface PreparedOp {
  pipeline: GPUComputePipeline;
  group: GPUBindGroup;
  workgroups: [number, number, number];
}

/** Operations ready to encode: pipelines, uniforms and bind groups made once. */
export interface PreparedProgram extends CompiledProgram {
  ops: PreparedOp[];
  uniforms: GPUBuffer[];
}

export class NnGpu implements NnExecutor {
  private readonly buffers = new Map<string, GPUBuffer>();
  private readonly context: GPUBuffer;
  private readonly unused: GPUBuffer;

  constructor(
    private readonly gpu: GpuContext,
    private readonly specs: Readonly<Record<string, TensorSpec>>,
    readonly replicates: number,
    private readonly key: Key,
    private readonly replicateBase = 0,
    private readonly options: NnGpuOptions = {},
  ) {
    const { device } = gpu;
    const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    for (const [name, spec] of Object.entries(specs)) {
      const size = 4 * (spec.shared ? spec.size : spec.size * replicates);
      if (size > limit) throw new RangeError(`tensor ${name}: ${size} bytes exceed this device's storage binding size (${limit})`);
      this.buffers.set(name, device.createBuffer({ label: name, size: alignTo(Math.max(size, 16), 16), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC }));
    }
    this.context = device.createBuffer({ label: 'nn context', size: 32, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    this.unused = device.createBuffer({ label: 'unused binding', size: 16, usage: GPUBufferUsage.STORAGE });
    this.setRound(0);
  }

  /** The round (the counter's generation word) of the following operations; restarts the step at 0. */
  setRound(round: number): void {
    this.gpu.device.queue.writeBuffer(this.context, 0, new Uint32Array([this.key[0], this.key[1], round, this.replicateBase, 0, 0, 0, 0]));
  }

  restartStep(): void {
    this.gpu.device.queue.writeBuffer(this.context, 16, new Uint32Array([0]));
  }

  async compile(ops: readonly Op[]): Promise<PreparedProgram> {
    return this.prepare(ops);
  }

  execute(program: CompiledProgram, times = 1): void {
    this.encode(program as PreparedProgram, times);
  }

  buffer(name: string): GPUBuffer {
    const buffer = this.buffers.get(name);
    if (!buffer) throw new Error(`tensor ${name} is not declared`);
    return buffer;
  }

  /** Fills a tensor (every replicate's copies, or the shared one) from host data. */
  write(name: string, data: Float32Array | Uint32Array, offsetElements = 0): void {
    this.gpu.device.queue.writeBuffer(this.buffer(name), offsetElements * 4, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  }

  /** A tensor's contents after the queued work (every replicate's copies). */
  async read(name: string, elements?: number): Promise<Float32Array | Uint32Array> {
    const spec = this.specs[name];
    const bytes = await readBack(this.gpu.device, this.buffer(name), 4 * (elements ?? (spec.shared ? spec.size : spec.size * this.replicates)));
    return this.specs[name].type === 'u32' ? new Uint32Array(bytes) : new Float32Array(bytes);
  }

  private batch(view: View): number {
    const spec = this.specs[view.tensor];
    if (!spec) throw new Error(`tensor ${view.tensor} is not declared`);
    return spec.shared ? 0 : spec.size;
  }

  /** A uniform buffer of `words`, zero-padded to the struct's `size` words. */
  private uniform(words: ArrayLike<number>, label: string, size = words.length): GPUBuffer {
    const data = new Uint32Array(alignTo(Math.max(words.length, size, 4), 4));
    data.set(Array.from(words, (w) => w >>> 0));
    const buffer = this.gpu.device.createBuffer({ label, size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.gpu.device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  }

  private group(pipeline: GPUComputePipeline, buffers: GPUBuffer[], bindings: number[]): GPUBindGroup {
    return this.gpu.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: bindings.map((binding, i) => ({ binding, resource: { buffer: buffers[i] } })),
    });
  }

  /** Pipelines, uniforms and bind groups of a program's operations (pipelines come from the shared cache). */
  async prepare(program: readonly Op[]): Promise<PreparedProgram> {
    const { device } = this.gpu;
    const R = this.replicates;
    const uniforms: GPUBuffer[] = [];
    const ops = await Promise.all(program.map(async (op): Promise<PreparedOp> => {
      switch (op.op) {
        case 'dense': {
          const { a, b, c } = op;
          const k = op.transA ? a.rows : a.cols;
          const params = this.uniform([
            c.rows, c.cols, k, 0,
            a.offset ?? 0, a.stride ?? a.cols, this.batch(a), 0,
            b.offset ?? 0, b.stride ?? b.cols, this.batch(b), 0,
            c.offset ?? 0, c.stride ?? c.cols, this.batch(c), 0,
            op.bias?.offset ?? 0, op.bias ? this.batch(op.bias) : 0, op.derivativeAt?.offset ?? 0, op.derivativeAt ? (op.derivativeAt.stride ?? op.derivativeAt.cols) : 0,
            op.derivativeAt ? this.batch(op.derivativeAt) : 0, 0, 0, 0,
          ], 'dense params');
          uniforms.push(params);
          const constants = {
            TRANS_A: op.transA ? 1 : 0, TRANS_B: op.transB ? 1 : 0, HAS_BIAS: op.bias ? 1 : 0,
            ACTIVATION: ACTIVATION_CODE[op.activation ?? 'none'], MASKED: op.derivativeAt ? 1 : 0, ACCUMULATE: op.accumulate ? 1 : 0,
          };
          const buffers = [params, this.buffer(a.tensor), this.buffer(b.tensor), this.buffer(c.tensor),
            op.bias ? this.buffer(op.bias.tensor) : this.unused, op.derivativeAt ? this.buffer(op.derivativeAt.tensor) : this.unused];
          const variant = this.options.dense ?? denseVariant(this.gpu, op);
          if (variant.kernel === 'tiled') {
            const pipeline = await getPipeline(device, { kernel: DENSE, entryPoint: 'dense', constants });
            return { pipeline, group: this.group(pipeline, buffers, [0, 1, 2, 3, 4, 5]), workgroups: [Math.ceil(c.cols / TILE), Math.ceil(c.rows / TILE), R] };
          }
          const { tm, tn, wgX, wgY } = variant;
          // vec4 loads are aligned where a view's offset, row stride and replicate stride are multiples of 4.
          const aligned = (v: View) => ((v.offset ?? 0) | (v.stride ?? v.cols) | this.batch(v)) % 4 === 0;
          const pipeline = await getPipeline(device, {
            kernel: DENSE_REGISTER, entryPoint: 'dense',
            constants: { ...constants, ALIGNED_A: aligned(a) ? 1 : 0, ALIGNED_B: aligned(b) ? 1 : 0, WG_X: wgX, WG_Y: wgY },
            consts: { TM: tm, TN: tn, MG: tm / 4, NG: tn / 4 },
            // C, the bias and the mask as vec4s: their offsets and strides, and n, multiples of 4.
            flags: { VEC_C: c.cols % 4 === 0 && aligned(c) && (!op.bias || aligned(op.bias)) && (!op.derivativeAt || aligned(op.derivativeAt)) },
          });
          return { pipeline, group: this.group(pipeline, buffers, [0, 1, 2, 3, 4, 5]), workgroups: [Math.ceil(c.cols / (tn * wgX)), Math.ceil(c.rows / (tm * wgY)), R] };
        }
        case 'columnSum': {
          const { src, dst } = op;
          const params = this.uniform([src.cols, src.rows, src.offset ?? 0, src.stride ?? src.cols, this.batch(src), dst.offset ?? 0, this.batch(dst), op.accumulate ? 1 : 0], 'column sum params', VECTOR_PARAMS_WORDS);
          uniforms.push(params);
          const pipeline = await getPipeline(device, { kernel: OPTIMISE, entryPoint: 'column_sum', constants: { WORKGROUP_SIZE: VECTOR_WORKGROUP } });
          return { pipeline, group: this.group(pipeline, [params, this.buffer(src.tensor), this.buffer(dst.tensor)], [0, 2, 3]), workgroups: [Math.ceil(src.cols / VECTOR_WORKGROUP), 1, R] };
        }
        case 'adam': {
          const { learningRate, beta1, beta2, epsilon } = op.settings;
          const size = this.specs[op.params].size;
          const params = this.uniform([op.count, 0, op.offset, 0, size, op.offset, size, 0, ...[learningRate, beta1, beta2, epsilon].map(floatWord)], 'adam params');
          uniforms.push(params);
          const pipeline = await getPipeline(device, { kernel: OPTIMISE, entryPoint: 'adam', constants: { WORKGROUP_SIZE: VECTOR_WORKGROUP } });
          const buffers = [params, this.context, this.buffer(op.grads), this.buffer(op.params), this.buffer(op.m), this.buffer(op.v)];
          return { pipeline, group: this.group(pipeline, buffers, [0, 1, 2, 3, 4, 5]), workgroups: [Math.ceil(op.count / VECTOR_WORKGROUP), 1, R] };
        }
        case 'initialise': {
          const size = this.specs[op.params].size;
          const params = this.uniform([op.count, 0, op.first, 0, 0, op.offset, size, op.stream, floatWord(op.scale), 0, 0, 0], 'initialise params');
          uniforms.push(params);
          const pipeline = await getPipeline(device, { kernel: OPTIMISE, entryPoint: 'initialise', constants: { WORKGROUP_SIZE: VECTOR_WORKGROUP } });
          const buffers = [params, this.context, this.buffer(op.params), this.buffer(op.m), this.buffer(op.v)];
          return { pipeline, group: this.group(pipeline, buffers, [0, 1, 3, 4, 5]), workgroups: [Math.ceil(op.count / VECTOR_WORKGROUP), 1, R] };
        }
        case 'tick': {
          const params = this.uniform([0, 0, 0, 0, 0, 0, 0, op.restart ? 1 : 0], 'tick params', VECTOR_PARAMS_WORDS);
          uniforms.push(params);
          const pipeline = await getPipeline(device, { kernel: OPTIMISE, entryPoint: 'tick', constants: { WORKGROUP_SIZE: VECTOR_WORKGROUP } });
          return { pipeline, group: this.group(pipeline, [params, this.context], [0, 1]), workgroups: [1, 1, 1] };
        }
        case 'custom': {
          if (op.words.length > 16) throw new Error(`${op.kernel.entryPoint}: at most 16 words, got ${op.words.length}`);
          const params = this.uniform(Object.assign(new Array(16).fill(0), op.words), `${op.kernel.entryPoint} params`);
          uniforms.push(params);
          const size = op.kernel.workgroupSize ?? CUSTOM_WORKGROUP;
          const pipeline = await getPipeline(device, {
            kernel: op.kernel.kernel, entryPoint: op.kernel.entryPoint, constants: { WORKGROUP_SIZE: size },
            bindings: ['uniform', 'read-only-storage', ...op.tensors.map(() => 'storage' as const)],
          });
          const buffers = [params, this.context, ...op.tensors.map((t) => this.buffer(t))];
          const groups = Math.ceil(op.threads / size);
          if (groups > device.limits.maxComputeWorkgroupsPerDimension) throw new RangeError(`${op.kernel.entryPoint}: ${op.threads} threads per replicate exceed this device's dispatch limit`);
          return { pipeline, group: this.group(pipeline, buffers, buffers.map((_, i) => i)), workgroups: [groups, 1, R] };
        }
      }
    }));
    return { ops, uniforms };
  }

  /**
   * Queues a prepared program `times` times. Without a pass timer all dispatches of a submission
   * share one compute pass (WebGPU orders their storage accesses); with one, each gets its own
   * timed pass. Submits every `perSubmit` repetitions so the device starts while the host encodes.
   */
  encode(program: PreparedProgram, times = 1, perSubmit = 16): void {
    const { device } = this.gpu;
    for (let done = 0; done < times;) {
      const count = Math.min(perSubmit, times - done);
      const encoder = device.createCommandEncoder();
      this.record(encoder, program, count);
      device.queue.submit([encoder.finish()]);
      done += count;
    }
  }

  /**
   * Records a prepared program `times` times into the caller's encoder (a model's generation
   * that runs dense ops among its own kernels): in one compute pass, or a timed pass per dispatch.
   */
  record(encoder: GPUCommandEncoder, program: PreparedProgram, times = 1): void {
    const timer = activeTimer();
    let pass: GPUComputePassEncoder | null = null;
    for (let time = 0; time < times; time++) {
      for (const op of program.ops) {
        if (timer) {
          const timed = encoder.beginComputePass({ timestampWrites: timer.writesFor(op.pipeline.label) });
          timed.setPipeline(op.pipeline);
          timed.setBindGroup(0, op.group);
          timed.dispatchWorkgroups(...op.workgroups);
          timed.end();
          continue;
        }
        pass ??= encoder.beginComputePass();
        pass.setPipeline(op.pipeline);
        pass.setBindGroup(0, op.group);
        pass.dispatchWorkgroups(...op.workgroups);
      }
    }
    pass?.end();
  }

  /** Prepares, queues once and releases a program's uniforms (for one-off programs). */
  async runOnce(program: readonly Op[]): Promise<void> {
    const prepared = await this.prepare(program);
    this.encode(prepared);
    release(prepared);
  }

  destroy(): void {
    for (const buffer of this.buffers.values()) buffer.destroy();
    this.context.destroy();
    this.unused.destroy();
  }
}

/** Frees a prepared program's uniforms (its pipelines stay cached). */
export function release(program: PreparedProgram): void {
  for (const buffer of program.uniforms) buffer.destroy();
}
