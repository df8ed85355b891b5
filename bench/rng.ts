/**
 * RNG throughput: standard normals per second for each generator on each working adapter
 * (kept in registers: each thread sums its normals and writes only the sum) and on the
 * float64 twin. This is the measurement behind ENGINE_GENERATOR.
 */
import { acquireDevice, probeAdapters } from '../src/core/gpu/device.js';
import { type AdapterPath } from '../src/core/adapter.js';
import { gpuSumNormals } from '../src/core/gpu/random.js';
import { normals4, randomWords } from '../src/core/cpu/random.js';
import { GENERATORS, Stream, keyFromSeed, type Generator } from '../src/core/random/address.js';

export interface RngBenchRow {
  backend: string;
  generator: Generator;
  normals: number;
  seconds: number;
  normalsPerSecond: number;
}

export interface RngBenchOptions {
  /** Each thread draws blocksPerThread × 4 normals; threads are scaled so one run takes about targetSeconds. */
  blocksPerThread?: number;
  targetSeconds?: number;
  repeats?: number;
  /** Addresses drawn by the twin. */
  twinAddresses?: number;
  paths?: AdapterPath[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchRng(options: RngBenchOptions = {}): Promise<RngBenchRow[]> {
  const { blocksPerThread = 256, targetSeconds = 0.25, repeats = 5, twinAddresses = 1 << 19 } = options;
  const key = keyFromSeed('bench');
  const rows: RngBenchRow[] = [];
  const paths = options.paths ?? (await probeAdapters()).filter((p) => p.ok).map((p) => p.path);
  for (const path of paths) {
    const { device, adapter } = await acquireDevice({ adapter: path });
    for (const generator of GENERATORS) {
      const request = { key, generation: 0, stream: Stream.diagnostics, firstIndex: 0, count: 1 << 12, generator };
      await gpuSumNormals(device, request, blocksPerThread); // compile and warm up
      // Calibrate: grow the dispatch until one run takes at least targetSeconds / 4.
      const maxThreads = Math.floor(device.limits.maxStorageBufferBindingSize / 16);
      for (;;) {
        const start = performance.now();
        await gpuSumNormals(device, request, blocksPerThread);
        const seconds = (performance.now() - start) / 1000;
        if (seconds >= targetSeconds / 4 || request.count >= maxThreads) {
          request.count = Math.min(maxThreads, Math.max(request.count, Math.round((request.count * targetSeconds) / seconds)));
          break;
        }
        request.count = Math.min(maxThreads, request.count * 4);
      }
      const times: number[] = [];
      let normals = 0;
      for (let r = 0; r < repeats; r++) {
        const start = performance.now();
        normals = (await gpuSumNormals(device, request, blocksPerThread)).normals;
        times.push((performance.now() - start) / 1000);
      }
      const seconds = median(times);
      rows.push({ backend: `${path} (${adapter.description})`, generator, normals, seconds, normalsPerSecond: normals / seconds });
    }
    device.destroy();
  }
  for (const generator of GENERATORS) {
    const start = performance.now();
    let sink = 0;
    for (let i = 0; i < twinAddresses; i++) {
      const z = normals4(randomWords(key, i, 0, Stream.diagnostics, 0, generator));
      sink += z[0] + z[1] + z[2] + z[3];
    }
    const seconds = (performance.now() - start) / 1000;
    if (!Number.isFinite(sink)) throw new Error('twin produced a non-finite normal');
    rows.push({ backend: 'cpu twin (float64, one core)', generator, normals: twinAddresses * 4, seconds, normalsPerSecond: (twinAddresses * 4) / seconds });
  }
  return rows;
}
