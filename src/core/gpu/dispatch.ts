/**
 * Dispatch geometry and buffer plumbing shared by every kernel host.
 */
import { activeTimer } from './timing.js';

export interface DispatchGrid {
  /** Workgroups along x and y. */
  workgroups: [number, number];
  /** Threads per row of the grid (x workgroups × workgroup size): the kernel's `row_pitch`. */
  rowPitch: number;
}

/**
 * Covers `threads` invocations with workgroups of `workgroupSize`, spilling into y when
 * x would exceed the device's maxComputeWorkgroupsPerDimension. Kernels index
 * `gid.x + gid.y * row_pitch` and drop the tail beyond `threads`.
 */
export function gridFor(threads: number, workgroupSize: number, limits: GPUSupportedLimits): DispatchGrid {
  const maxPerDimension = limits.maxComputeWorkgroupsPerDimension;
  const groups = Math.max(1, Math.ceil(threads / workgroupSize));
  const x = Math.min(groups, maxPerDimension);
  const y = Math.ceil(groups / x);
  if (y > maxPerDimension) {
    throw new RangeError(`dispatch of ${threads} threads exceeds this device's ${maxPerDimension}² workgroups of ${workgroupSize}`);
  }
  return { workgroups: [x, y], rowPitch: x * workgroupSize };
}

/** A buffer initialised from typed data. */
export function bufferFrom(device: GPUDevice, data: ArrayBufferView, usage: GPUBufferUsageFlags, label?: string): GPUBuffer {
  const buffer = device.createBuffer({ label, size: Math.max(16, alignTo(data.byteLength, 16)), usage: usage | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  return buffer;
}

export function alignTo(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/** Copies `size` bytes of a storage buffer back to the host after the queued work. */
export async function readBack(device: GPUDevice, source: GPUBuffer, size: number, offset = 0): Promise<ArrayBuffer> {
  const staging = device.createBuffer({ size: alignTo(size, 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(source, offset, staging, 0, alignTo(size, 4));
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const copy = staging.getMappedRange().slice(0, size);
  staging.unmap();
  staging.destroy();
  return copy;
}

/** Records one compute pass of a pipeline over a grid (timed while a PassTimer is active). */
export function encodeDispatch(encoder: GPUCommandEncoder, pipeline: GPUComputePipeline, bindGroup: GPUBindGroup,
  workgroups: readonly [number, number] | readonly [number]): void {
  const timer = activeTimer();
  const pass = encoder.beginComputePass(timer ? { timestampWrites: timer.writesFor(pipeline.label) } : undefined);
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1);
  pass.end();
}
