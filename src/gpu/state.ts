/**
 * Per-replicate rows of chunked state buffers, read back and written in cell-major replicate
 * order whatever the chunking: the hosts' snapshots and restores (src/engine/snapshot.ts), and
 * their per-replicate read-backs for tests.
 */
import { readBack } from './dispatch.js';

/** A chunk's state buffer (COPY_SRC, and COPY_DST to be written): `rows` replicates of `stride` 4-byte words, the first of them replicate `first` (cell·R + r). */
export interface StateChunk {
  first: number;
  rows: number;
  buffer: GPUBuffer;
}

/** Words [offset, offset + words) of every row of every chunk, cell-major, as raw 32-bit words. */
export async function readRows(device: GPUDevice, chunks: readonly StateChunk[], stride: number, words: number, offset = 0): Promise<Uint32Array> {
  const out = new Uint32Array(Math.max(...chunks.map((c) => c.first + c.rows)) * words);
  for (const chunk of chunks) {
    const data = new Uint32Array(await readBack(device, chunk.buffer, chunk.rows * stride * 4));
    for (let r = 0; r < chunk.rows; r++) {
      out.set(data.subarray(r * stride + offset, r * stride + offset + words), (chunk.first + r) * words);
    }
  }
  return out;
}

/**
 * Writes rows as readRows returns them back into those words; every other word of a row
 * becomes 0 (what a snapshot leaves out, the next generation starts afresh).
 */
export function writeRows(device: GPUDevice, chunks: readonly StateChunk[], stride: number, words: number, data: ArrayBufferView, offset = 0): void {
  const source = new Uint32Array(data.buffer, data.byteOffset, data.byteLength / 4);
  for (const chunk of chunks) {
    const rows = new Uint32Array(chunk.rows * stride);
    for (let r = 0; r < chunk.rows; r++) {
      rows.set(source.subarray((chunk.first + r) * words, (chunk.first + r + 1) * words), r * stride + offset);
    }
    device.queue.writeBuffer(chunk.buffer, 0, rows);
  }
}
