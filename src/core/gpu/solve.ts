/**
 * Host side of shaders/solve.wgsl: batched ridge solves of packed symmetric systems.
 * Twin: src/core/cpu/cholesky.ts.
 */
import { packedSize } from '../cpu/cholesky.js';
import { getPipeline, SOLVE } from './shader.js';
import { bufferFrom, encodeDispatch, gridFor, readBack } from './dispatch.js';

const WORKGROUP_SIZE = 64;

export interface SolveResult {
  /** θ per system (d each), zero where the solve failed. */
  solutions: Float32Array;
  solved: boolean[];
}

/**
 * Solves (A_s + λI) θ_s = b_s for each system s; `systems` holds, per system, A's packed
 * lower triangle (d(d+1)/2 values) then b (d values).
 */
export async function gpuSolve(device: GPUDevice, d: number, systems: Float32Array, ridgeLambda: number): Promise<SolveResult> {
  const P = packedSize(d);
  const count = systems.length / (P + d);
  if (!Number.isInteger(count)) throw new RangeError(`systems: length must be a multiple of d(d+1)/2 + d = ${P + d}, got ${systems.length}`);
  const pipeline = await getPipeline(device, { kernel: SOLVE, entryPoint: 'solve', consts: { D: d, P }, constants: { WORKGROUP_SIZE } });
  const grid = gridFor(count, WORKGROUP_SIZE, device.limits);
  const params = new ArrayBuffer(16);
  new Uint32Array(params, 0, 2).set([count, grid.rowPitch]);
  new Float32Array(params, 8, 1)[0] = ridgeLambda;
  const paramsBuffer = bufferFrom(device, new Uint8Array(params), GPUBufferUsage.UNIFORM);
  const input = bufferFrom(device, systems, GPUBufferUsage.STORAGE);
  const outputSize = count * (d + 1) * 4;
  const output = device.createBuffer({ size: outputSize, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [paramsBuffer, input, output].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const encoder = device.createCommandEncoder();
  encodeDispatch(encoder, pipeline, bindGroup, grid.workgroups);
  device.queue.submit([encoder.finish()]);
  const data = new Float32Array(await readBack(device, output, outputSize));
  for (const buffer of [paramsBuffer, input, output]) buffer.destroy();
  const solutions = new Float32Array(count * d);
  const solved: boolean[] = [];
  for (let s = 0; s < count; s++) {
    solutions.set(data.subarray(s * (d + 1), s * (d + 1) + d), s * d);
    solved.push(data[s * (d + 1) + d] === 1);
  }
  return { solutions, solved };
}
