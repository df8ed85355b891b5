/**
 * GPU time per kernel from timestamp queries, for benchmarks (`runExperiment(spec, { gpuTiming:
 * true })`, `synthloop bench`). While a timer is active, every compute pass the engine records
 * (all go through encodeDispatch in dispatch.ts) gets a pair of timestamp writes, labelled by
 * its pipeline; `collect()` resolves them after the work is done and adds each pass's
 * end − begin to its kernel's total. Only adapters with the `timestamp-query` feature can be
 * timed (SwiftShader here; not llvmpipe at the compatibility level).
 *
 * One timer is active at a time (a module-level slot, since a command encoder does not say
 * which device it belongs to): time one run at a time.
 */
import type { GpuContext } from '../adapter.js';

/** Timestamp pairs per query set (the WebGPU maximum is 4096 queries). */
const PAIRS_PER_SET = 2048;

interface QuerySlab {
  set: GPUQuerySet;
  resolve: GPUBuffer;
  read: GPUBuffer;
}

export class PassTimer {
  private readonly slabs: QuerySlab[] = [];
  /** Kernel label of each pair written since the last collect, in slot order. */
  private pending: string[] = [];
  private readonly seconds = new Map<string, number>();
  private readonly passes = new Map<string, number>();

  private constructor(private readonly device: GPUDevice) {}

  /** A timer for this device, or null where the adapter has no timestamp queries. */
  static create(gpu: GpuContext): PassTimer | null {
    return gpu.adapter.timestampQuery && gpu.device.features.has('timestamp-query') ? new PassTimer(gpu.device) : null;
  }

  /** The timestamp writes for the next pass of `label`'s pipeline. */
  writesFor(label: string): GPUComputePassTimestampWrites {
    const pair = this.pending.length;
    const slab = Math.floor(pair / PAIRS_PER_SET);
    while (this.slabs.length <= slab) this.slabs.push(this.createSlab());
    this.pending.push(label);
    const index = (pair % PAIRS_PER_SET) * 2;
    return { querySet: this.slabs[slab].set, beginningOfPassWriteIndex: index, endOfPassWriteIndex: index + 1 };
  }

  private createSlab(): QuerySlab {
    const bytes = PAIRS_PER_SET * 2 * 8;
    return {
      set: this.device.createQuerySet({ type: 'timestamp', count: PAIRS_PER_SET * 2 }),
      resolve: this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }),
      read: this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
    };
  }

  /** Reads the passes recorded since the last call (after they were submitted) into the totals. */
  async collect(): Promise<void> {
    const labels = this.pending;
    this.pending = [];
    for (let first = 0, s = 0; first < labels.length; first += PAIRS_PER_SET, s++) {
      const pairs = Math.min(PAIRS_PER_SET, labels.length - first);
      const { set, resolve, read } = this.slabs[s];
      const encoder = this.device.createCommandEncoder({ label: 'resolve timestamps' });
      encoder.resolveQuerySet(set, 0, pairs * 2, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, read, 0, pairs * 16);
      this.device.queue.submit([encoder.finish()]);
      await read.mapAsync(GPUMapMode.READ, 0, pairs * 16);
      const stamps = new BigUint64Array(read.getMappedRange(0, pairs * 16));
      for (let p = 0; p < pairs; p++) {
        const label = labels[first + p];
        // A pair the implementation could not order (end before begin) counts as zero.
        const elapsed = stamps[2 * p + 1] > stamps[2 * p] ? Number(stamps[2 * p + 1] - stamps[2 * p]) / 1e9 : 0;
        this.seconds.set(label, (this.seconds.get(label) ?? 0) + elapsed);
        this.passes.set(label, (this.passes.get(label) ?? 0) + 1);
      }
      read.unmap();
    }
  }

  /** GPU seconds and pass count per kernel (pipeline label), and their sum. */
  totals(): { total: number; kernels: Record<string, { seconds: number; passes: number }> } {
    const kernels = Object.fromEntries([...this.seconds].map(([label, seconds]) => [label, { seconds, passes: this.passes.get(label)! }]));
    return { total: [...this.seconds.values()].reduce((a, b) => a + b, 0), kernels };
  }

  destroy(): void {
    for (const slab of this.slabs) {
      slab.set.destroy();
      slab.resolve.destroy();
      slab.read.destroy();
    }
  }
}

let active: PassTimer | null = null;

/** Makes `timer` the one every encodeDispatch writes to (null: none). */
export function setActiveTimer(timer: PassTimer | null): void {
  active = timer;
}

export function activeTimer(): PassTimer | null {
  return active;
}
