/**
 * Peak microbenchmarks per adapter: the f32 FMA rate (bench/peak.wgsl `fma_peak`: 2–8 independent
 * vec4 FMA chains per thread in registers, written once; the fastest counts) and memory bandwidth (a
 * copyBufferToBuffer of a large buffer, and the `rmw` read-modify-write kernel), so each
 * workload can be stated as a fraction of what the adapter can do; and the Gram phase alone
 * (bench/gram.wgsl: the engine's gram_add on register inputs) at W1's and W2's d, as a
 * fraction of that FMA peak. The pipelines are created
 * here directly (createComputePipelineAsync), not through the engine's shader cache.
 * Timing: timestamp queries around the compute pass where the adapter has them (SwiftShader),
 * else wall time around submit + onSubmittedWorkDone; both are recorded. The copy is always
 * wall-timed (a timestamp can only be written by a pass). Medians of `repeats` runs.
 */
import source from './peak.wgsl?raw';
import gramSource from './gram.wgsl?raw';
import { CHOLESKY, GRAM, gramBatchConsts, librarySource, unrollLoops } from '../src/core/gpu/shader.js';
import { packedSize } from '../src/core/cpu/cholesky.js';
import { acquireDevice, probeAdapters } from '../src/core/gpu/device.js';
import { type AdapterPath, type GpuContext } from '../src/core/adapter.js';

/** Independent FMA chains per thread tried (bench/peak.wgsl); the fastest counts as the peak. */
const CHAIN_COUNTS = [2, 3, 4, 8];
const WORKGROUP_SIZE = 64;

export interface PeakRow {
  backend: string;
  path: AdapterPath;
  timestamps: boolean;
  /** FMA rate: the faster of the fma() builtin and a·m + c, each FMA counted as 2 flops. */
  fmaGflops: number;
  fmaVariant: 'fma()' | 'a*m+c';
  /** Independent vec4 chains per thread of the fastest variant. */
  fmaChains: number;
  fmaBuiltinGflops: number;
  mulAddGflops: number;
  fmaSeconds: number;
  fmaTiming: 'timestamp' | 'wall';
  /** copyBufferToBuffer: bytes read + bytes written per second. */
  copyGBps: number;
  copyBytes: number;
  /** rmw kernel: bytes read + written per second. */
  rmwGBps: number;
  rmwTiming: 'timestamp' | 'wall';
  /** The Gram phase's own rate per d (bench/gram.wgsl), and as a fraction of fmaGflops. */
  gram: {
    d: number; samplesPerUpdate: number; gflops: number; fractionOfPeak: number; timing: 'timestamp' | 'wall';
    /** What ran: bench/gram.wgsl's gram_add (absent), or W3's dense product (bench/dense.ts). */
    kernel?: string;
  }[];
}

export interface PeakOptions {
  paths?: AdapterPath[];
  targetSeconds?: number;
  repeats?: number;
  iterations?: number;
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Timed { wall: number; gpu: number | null }

/** Runs one compute dispatch (or a copy) and times it: wall always, timestamps where available. */
async function timedSubmit(gpu: GpuContext, record: (encoder: GPUCommandEncoder, timestampWrites?: GPUComputePassTimestampWrites) => void): Promise<Timed> {
  const { device } = gpu;
  const useTimestamps = gpu.adapter.timestampQuery;
  let querySet: GPUQuerySet | undefined, resolve: GPUBuffer | undefined, read: GPUBuffer | undefined;
  if (useTimestamps) {
    querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
    resolve = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    read = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }
  const encoder = device.createCommandEncoder();
  record(encoder, querySet ? { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } : undefined);
  if (querySet && resolve && read) {
    encoder.resolveQuerySet(querySet, 0, 2, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, read, 0, 16);
  }
  const commands = encoder.finish();
  const start = performance.now();
  device.queue.submit([commands]);
  await device.queue.onSubmittedWorkDone();
  const wall = (performance.now() - start) / 1000;
  let gpuSeconds: number | null = null;
  if (read) {
    await read.mapAsync(GPUMapMode.READ);
    const [t0, t1] = new BigUint64Array(read.getMappedRange());
    if (t1 > t0) gpuSeconds = Number(t1 - t0) / 1e9;
    read.unmap();
    read.destroy(); resolve?.destroy(); querySet?.destroy();
  }
  return { wall, gpu: gpuSeconds };
}

function dispatchShape(threads: number): { x: number; y: number; pitch: number } {
  const groups = Math.ceil(threads / WORKGROUP_SIZE);
  const x = Math.min(groups, 32768);
  return { x, y: Math.ceil(groups / x), pitch: x * WORKGROUP_SIZE };
}

/** A compute kernel to rate: its module and entry point, and the work one thread does. */
interface RatedKernel {
  module: GPUShaderModule;
  entryPoint: string;
  constants: Record<string, number>;
  /** The two f32 params the kernel reads first (scale, shift of its inputs). */
  params: [number, number];
  /** Flops one thread does (counted as the kernel's header says). */
  flopsPerThread: number;
}

/**
 * GFLOP/s of a kernel whose threads each write one vec4: the thread count is grown until one
 * dispatch takes about `targetSeconds`, then the median of `repeats` timed dispatches is taken
 * (timestamps where the adapter has them, else wall time).
 */
async function kernelRate(gpu: GpuContext, kernel: RatedKernel, targetSeconds: number, repeats: number) {
  const { device } = gpu;
  const pipeline = await device.createComputePipelineAsync({
    layout: 'auto',
    compute: { module: kernel.module, entryPoint: kernel.entryPoint, constants: { WORKGROUP_SIZE, ...kernel.constants } },
  });
  const maxThreads = Math.floor(Math.min(device.limits.maxStorageBufferBindingSize, 256 << 20) / 16);
  const data = device.createBuffer({ size: maxThreads * 16, usage: GPUBufferUsage.STORAGE });
  const uniform = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: uniform } }, { binding: 1, resource: { buffer: data } }] });
  const run = (threads: number) => {
    const shape = dispatchShape(threads);
    const params = new ArrayBuffer(16);
    new Float32Array(params, 0, 2).set(kernel.params);
    new Uint32Array(params, 8, 2).set([shape.pitch, threads]);
    device.queue.writeBuffer(uniform, 0, params);
    return timedSubmit(gpu, (encoder, timestampWrites) => {
      const pass = encoder.beginComputePass(timestampWrites ? { timestampWrites } : {});
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(shape.x, shape.y);
      pass.end();
    });
  };
  let threads = WORKGROUP_SIZE * 16;
  await run(threads); // compile and warm up
  for (;;) {
    const { wall } = await run(threads);
    if (wall >= targetSeconds / 4 || threads >= maxThreads) {
      threads = Math.min(maxThreads, Math.max(threads, Math.round((threads * targetSeconds) / wall)));
      break;
    }
    threads = Math.min(maxThreads, threads * 4);
  }
  const runs: Timed[] = [];
  for (let k = 0; k < repeats; k++) runs.push(await run(threads));
  data.destroy(); uniform.destroy();
  const gpuTimes = runs.map((r) => r.gpu).filter((t): t is number => t !== null);
  const timing: 'timestamp' | 'wall' = gpuTimes.length === runs.length ? 'timestamp' : 'wall';
  const seconds = timing === 'timestamp' ? median(gpuTimes) : median(runs.map((r) => r.wall));
  return { gflops: (threads * kernel.flopsPerThread) / seconds / 1e9, seconds, timing };
}

/** The best FMA rate over CHAIN_COUNTS, with the chain count that gave it. */
async function fmaRate(gpu: GpuContext, useBuiltin: boolean, iterations: number, targetSeconds: number, repeats: number) {
  const module = gpu.device.createShaderModule({ code: source });
  let best: Awaited<ReturnType<typeof kernelRate>> & { chains: number } | undefined;
  for (const chains of CHAIN_COUNTS) {
    const rate = await kernelRate(gpu, {
      module,
      entryPoint: 'fma_peak',
      constants: { ITERATIONS: iterations, CHAINS: chains, USE_FMA_BUILTIN: useBuiltin ? 1 : 0 },
      params: [0.999999, 1e-6],
      flopsPerThread: 2 * iterations * chains * 4,
    }, targetSeconds, repeats);
    if (!best || rate.gflops > best.gflops) best = { ...rate, chains };
  }
  return best!;
}

/** The Gram phases rated, as the engine runs them: W1's yi-grid (d = 5, four samples per update) and W2's linear (d = 16, eight). */
export const GRAM_VARIANTS = [{ d: 5, quads: 1 }, { d: 16, quads: 2 }];
const GRAM_GROUPS = 256;

/** Multiply-adds per sample of the Gram update (gram_add: the Q(Q+1)/2 lower 4×4 blocks), as the workloads count them. */
export const gramMultiplyAddsPerSample = (d: number) => {
  const Q = Math.ceil(d / 4);
  return ((Q * (Q + 1)) / 2) * 16;
};

/** The Gram phase alone: the engine's gram_add on register inputs (bench/gram.wgsl). */
async function gramRate(gpu: GpuContext, d: number, quads: number, targetSeconds: number, repeats: number) {
  const Q = Math.ceil(d / 4);
  const consts = { D: d, Q, P: packedSize(d), ...gramBatchConsts(quads) };
  const code = `${librarySource([CHOLESKY, GRAM], consts)}\n${unrollLoops(gramSource, consts)}`;
  return kernelRate(gpu, {
    module: gpu.device.createShaderModule({ label: `gram rate d = ${d}`, code }),
    entryPoint: 'gram_rate',
    constants: { GROUPS: GRAM_GROUPS },
    params: [0.999, 1e-3],
    flopsPerThread: 2 * GRAM_GROUPS * 4 * quads * gramMultiplyAddsPerSample(d),
  }, targetSeconds, repeats);
}

async function bandwidth(gpu: GpuContext, repeats: number) {
  const { device } = gpu;
  const bytes = Math.min(64 << 20, device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize) & ~255;
  const a = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const b = device.createBuffer({ size: bytes, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const copy = () => timedSubmit(gpu, (encoder) => encoder.copyBufferToBuffer(a, 0, b, 0, bytes));
  await copy();
  const copies: number[] = [];
  for (let k = 0; k < repeats; k++) copies.push((await copy()).wall);
  const module = device.createShaderModule({ code: source });
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'rmw', constants: { WORKGROUP_SIZE } } });
  const uniform = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: uniform } }, { binding: 1, resource: { buffer: a } }] });
  const threads = bytes / 16;
  const shape = dispatchShape(threads);
  const params = new ArrayBuffer(16);
  new Float32Array(params, 0, 2).set([1.0000001, 0]);
  new Uint32Array(params, 8, 2).set([shape.pitch, threads]);
  device.queue.writeBuffer(uniform, 0, params);
  const rmw = () => timedSubmit(gpu, (encoder, timestampWrites) => {
    const pass = encoder.beginComputePass(timestampWrites ? { timestampWrites } : {});
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(shape.x, shape.y);
    pass.end();
  });
  await rmw();
  const runs: Timed[] = [];
  for (let k = 0; k < repeats; k++) runs.push(await rmw());
  a.destroy(); b.destroy(); uniform.destroy();
  const gpuTimes = runs.map((r) => r.gpu).filter((t): t is number => t !== null);
  const rmwTiming: 'timestamp' | 'wall' = gpuTimes.length === runs.length ? 'timestamp' : 'wall';
  const rmwSeconds = rmwTiming === 'timestamp' ? median(gpuTimes) : median(runs.map((r) => r.wall));
  return { copyBytes: bytes, copyGBps: (2 * bytes) / median(copies) / 1e9, rmwGBps: (2 * bytes) / rmwSeconds / 1e9, rmwTiming };
}

export async function peakFor(gpu: GpuContext, options: PeakOptions = {}): Promise<PeakRow> {
  const { targetSeconds = 0.5, repeats = 5, iterations = 2048 } = options;
  const builtin = await fmaRate(gpu, true, iterations, targetSeconds, repeats);
  const mulAdd = await fmaRate(gpu, false, iterations, targetSeconds, repeats);
  const best = builtin.gflops >= mulAdd.gflops ? builtin : mulAdd;
  const bw = await bandwidth(gpu, repeats);
  const gram: PeakRow['gram'] = [];
  for (const { d, quads } of GRAM_VARIANTS) {
    const rate = await gramRate(gpu, d, quads, targetSeconds, repeats);
    gram.push({ d, samplesPerUpdate: 4 * quads, gflops: rate.gflops, fractionOfPeak: rate.gflops / best.gflops, timing: rate.timing });
  }
  return {
    backend: `${gpu.adapter.path} (${gpu.adapter.description})`,
    path: gpu.adapter.path,
    timestamps: gpu.adapter.timestampQuery,
    fmaGflops: best.gflops,
    fmaVariant: best === builtin ? 'fma()' : 'a*m+c',
    fmaChains: best.chains,
    fmaBuiltinGflops: builtin.gflops,
    mulAddGflops: mulAdd.gflops,
    fmaSeconds: best.seconds,
    fmaTiming: best.timing,
    ...bw,
    gram,
  };
}

export async function benchPeak(options: PeakOptions = {}): Promise<PeakRow[]> {
  const paths = options.paths ?? (await probeAdapters()).filter((p) => p.ok).map((p) => p.path);
  const rows: PeakRow[] = [];
  for (const path of paths) {
    const gpu = await acquireDevice({ adapter: path });
    try {
      rows.push(await peakFor(gpu, options));
    } finally {
      gpu.device.destroy();
    }
  }
  return rows;
}
