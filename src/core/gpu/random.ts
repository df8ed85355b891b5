/**
 * Host side of shaders/random_fill.wgsl: the generator's words, uniforms and normals
 * read back for tests, known-answer vectors, and a register-only throughput kernel.
 * Twin: src/core/cpu/random.ts.
 */
import { ENGINE_GENERATOR, type Generator, type Key } from '../random/address.js';
import { getPipeline, RANDOM_FILL } from './shader.js';
import { bufferFrom, encodeDispatch, gridFor, readBack } from './dispatch.js';

export type FillOutput = 'words' | 'uniforms' | 'normals';
const OUTPUT_KIND: Record<FillOutput, number> = { words: 0, uniforms: 1, normals: 2 };
const WORKGROUP_SIZE = 64;

export interface FillRequest {
  key: Key;
  replicate: number;
  generation: number;
  stream: number;
  firstIndex: number;
  /** Addresses to draw; each gives four values. */
  count: number;
  generator?: Generator;
}

function fillParams(request: Pick<FillRequest, 'key' | 'replicate' | 'generation' | 'stream' | 'firstIndex' | 'count'>, rowPitch: number): Uint32Array {
  const { key, replicate, generation, stream, firstIndex, count } = request;
  return new Uint32Array([key[0], key[1], replicate, generation, stream, firstIndex, count, rowPitch]);
}

async function runFill(device: GPUDevice, entryPoint: 'fill' | 'sum_normals', request: FillRequest,
  constants: Record<string, number>): Promise<ArrayBuffer> {
  const byteLength = request.count * 16;
  if (byteLength > device.limits.maxStorageBufferBindingSize) {
    throw new RangeError(`count: at most ${Math.floor(device.limits.maxStorageBufferBindingSize / 16)} addresses per call on this device, got ${request.count}`);
  }
  const pipeline = await getPipeline(device, {
    kernel: RANDOM_FILL, entryPoint, generator: request.generator ?? ENGINE_GENERATOR,
    constants: { WORKGROUP_SIZE, ...constants },
  });
  const grid = gridFor(request.count, WORKGROUP_SIZE, device.limits);
  const params = bufferFrom(device, fillParams(request, grid.rowPitch), GPUBufferUsage.UNIFORM);
  const output = device.createBuffer({ size: byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: params } }, { binding: 1, resource: { buffer: output } }],
  });
  const encoder = device.createCommandEncoder();
  encodeDispatch(encoder, pipeline, bindGroup, grid.workgroups);
  device.queue.submit([encoder.finish()]);
  const data = await readBack(device, output, byteLength);
  params.destroy();
  output.destroy();
  return data;
}

/** Words (Uint32Array) or uniforms/normals (Float32Array) of `count` consecutive addresses, 4 per address. */
export async function gpuFill(device: GPUDevice, request: FillRequest, output: 'words'): Promise<Uint32Array>;
export async function gpuFill(device: GPUDevice, request: FillRequest, output: 'uniforms' | 'normals'): Promise<Float32Array>;
export async function gpuFill(device: GPUDevice, request: FillRequest, output: FillOutput): Promise<Uint32Array | Float32Array> {
  const data = await runFill(device, 'fill', request, { OUTPUT_KIND: OUTPUT_KIND[output] });
  return output === 'words' ? new Uint32Array(data) : new Float32Array(data);
}

/**
 * Sums of normals: thread i draws `blocksPerThread` addresses of replicate firstIndex + i,
 * keeping them in registers. Returns the per-thread vec4 sums (so nothing is optimised away)
 * and the number of normals drawn.
 */
export async function gpuSumNormals(device: GPUDevice, request: Omit<FillRequest, 'replicate'>, blocksPerThread: number):
  Promise<{ sums: Float32Array; normals: number }> {
  const data = await runFill(device, 'sum_normals', { ...request, replicate: 0 }, { BLOCKS_PER_THREAD: blocksPerThread });
  return { sums: new Float32Array(data), normals: request.count * blocksPerThread * 4 };
}

export interface KnownAnswerCase {
  counter: readonly number[];
  /** Two words for Philox, four for Threefry. */
  key: readonly number[];
}

/** The generator's raw output for arbitrary (counter, key) pairs. */
export async function gpuKnownAnswers(device: GPUDevice, generator: Generator, cases: readonly KnownAnswerCase[]): Promise<Uint32Array[]> {
  const pipeline = await getPipeline(device, { kernel: RANDOM_FILL, entryPoint: 'known_answers', generator, constants: { WORKGROUP_SIZE } });
  const input = new Uint32Array(cases.length * 8);
  cases.forEach((c, i) => {
    input.set(c.counter, i * 8);
    input.set([...c.key, 0, 0, 0, 0].slice(0, 4), i * 8 + 4);
  });
  const casesBuffer = bufferFrom(device, input, GPUBufferUsage.STORAGE);
  const output = device.createBuffer({ size: cases.length * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 1, resource: { buffer: output } }, { binding: 2, resource: { buffer: casesBuffer, size: input.byteLength } }],
  });
  const encoder = device.createCommandEncoder();
  encodeDispatch(encoder, pipeline, bindGroup, [Math.ceil(cases.length / WORKGROUP_SIZE)]);
  device.queue.submit([encoder.finish()]);
  const words = new Uint32Array(await readBack(device, output, cases.length * 16));
  casesBuffer.destroy();
  output.destroy();
  return cases.map((_, i) => words.slice(i * 4, i * 4 + 4));
}
