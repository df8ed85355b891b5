/**
 * Per-replicate rows of chunked state buffers, read back and written in cell-major replicate
 * order whatever the chunking: the hosts' snapshots and restores (src/core/engine/snapshot.ts), and
 * their per-replicate read-backs for tests. Only the words asked for move: shaders/state_rows.wgsl
 * packs them on the device (a snapshot is taken every generation of a recovering run, and a
 * replicate's row can be many times larger than what it carries to the next generation).
 */
import { getPipeline, STATE_ROWS } from './shader.js';
import { bufferFrom, encodeDispatch, gridFor, readBack } from './dispatch.js';

/** A chunk's state buffer (STORAGE): `rows` replicates of `stride` 4-byte words, the first of them replicate `first` (cell·R + r). */
export interface StateChunk {
  first: number;
  rows: number;
  buffer: GPUBuffer;
}

const WORKGROUP_SIZE = 64;

/** Submits `gather` or `scatter` of shaders/state_rows.wgsl between a chunk's rows and `packed`. */
async function submitRows(device: GPUDevice, entryPoint: 'gather' | 'scatter', chunk: StateChunk, packed: GPUBuffer,
  layout: { stride: number; words: number; offset: number }): Promise<void> {
  const pipeline = await getPipeline(device, { kernel: STATE_ROWS, entryPoint, constants: { WORKGROUP_SIZE } });
  const grid = gridFor(chunk.rows * layout.words, WORKGROUP_SIZE, device.limits);
  const params = bufferFrom(device, new Uint32Array([chunk.rows, layout.stride, layout.words, layout.offset, grid.rowPitch, 0, 0, 0]), GPUBufferUsage.UNIFORM);
  const encoder = device.createCommandEncoder({ label: `state rows ${entryPoint}` });
  encodeDispatch(encoder, pipeline, device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [params, chunk.buffer, packed].map((buffer, binding) => ({ binding, resource: { buffer } })),
  }), grid.workgroups);
  device.queue.submit([encoder.finish()]);
  params.destroy(); // released once the submitted work is done
}

/** Words [offset, offset + words) of every row of every chunk, cell-major, as raw 32-bit words. */
export async function readRows(device: GPUDevice, chunks: readonly StateChunk[], stride: number, words: number, offset = 0): Promise<Uint32Array> {
  const out = new Uint32Array(Math.max(...chunks.map((c) => c.first + c.rows)) * words);
  for (const chunk of chunks) {
    const bytes = chunk.rows * words * 4;
    if (words === stride) { // the whole row carries (linear accumulate, d ≤ 16): read it as it is
      out.set(new Uint32Array(await readBack(device, chunk.buffer, bytes)), chunk.first * words);
      continue;
    }
    const packed = device.createBuffer({ label: 'state rows', size: Math.max(16, bytes), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    await submitRows(device, 'gather', chunk, packed, { stride, words, offset });
    out.set(new Uint32Array(await readBack(device, packed, bytes)), chunk.first * words);
    packed.destroy();
  }
  return out;
}

/** Writes rows as readRows returns them back into those words of each row (the others keep their values: zero in a fresh host). */
export async function writeRows(device: GPUDevice, chunks: readonly StateChunk[], stride: number, words: number, data: ArrayBufferView, offset = 0): Promise<void> {
  const source = new Uint32Array(data.buffer, data.byteOffset, data.byteLength / 4);
  for (const chunk of chunks) {
    const packed = bufferFrom(device, source.subarray(chunk.first * words, (chunk.first + chunk.rows) * words), GPUBufferUsage.STORAGE, 'state rows');
    await submitRows(device, 'scatter', chunk, packed, { stride, words, offset });
    packed.destroy();
  }
}
