// The metric reduction (shaders/reduce.wgsl) in both layouts on every working adapter, against
// float64 sums of the same f32 values: segments that end mid-block, empty blocks past the table's
// end, and columns whose spread is tiny next to their mean, or zero.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import { ColumnReducer } from '../src/core/gpu/reduce.js';
import { emptySums, type MetricSums } from '../src/core/engine/metrics.js';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();

/** A seeded table: column 0 constant, 1 a mean of 1000 with spread 1e-3, 2 signed values of order 1, 3 zero. */
function table(rows: number): Float32Array {
  const values = new Float32Array(rows * 4);
  let state = 12345;
  const uniform = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let r = 0; r < rows; r++) values.set([2.837877, 1000 + 1e-3 * (uniform() - 0.5), 2 * uniform() - 1, 0], r * 4);
  return values;
}

/** Float64 sums of each segment's rows, and of their absolute values (the scale of f32 rounding). */
function exactSums(values: Float32Array, rows: number, segmentRows: number): (MetricSums & { sumAbs: Float64Array })[] {
  const sums = Array.from({ length: Math.ceil(rows / segmentRows) }, () => ({ ...emptySums(4), sumAbs: new Float64Array(4) }));
  for (let r = 0; r < rows; r++) {
    const into = sums[Math.floor(r / segmentRows)];
    for (let c = 0; c < 4; c++) {
      const v = values[r * 4 + c];
      into.sum[c] += v;
      into.sumAbs[c] += Math.abs(v);
      into.sumSquares[c] += v * v;
    }
  }
  return sums;
}

async function reduceOnDevice(gpu: GpuContext, reducer: ColumnReducer, values: Float32Array, rows: number, segmentRows: number): Promise<MetricSums[]> {
  const { device } = gpu;
  const input = device.createBuffer({ size: values.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(input, 0, values);
  const bytes = reducer.partialBytes(rows, segmentRows);
  const partials = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const binding = reducer.bind(input, rows, partials, segmentRows);
  const encoder = device.createCommandEncoder();
  reducer.encode(encoder, binding);
  encoder.copyBufferToBuffer(partials, 0, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const all = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  for (const b of [input, partials, staging, binding.params]) b.destroy();
  return Array.from({ length: binding.segments }, (_, s) => {
    const sums = emptySums(4);
    reducer.addGroups(all, s * binding.blocksPerSegment, binding.blocksPerSegment, sums);
    return sums;
  });
}

describe.each(paths)('the reduction on %s', (path) => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: path }); });
  afterAll(() => gpu?.device.destroy());

  it.each(['serial', 'tree'] as const)('%s layout: float64 sums of every segment, a constant column\'s variance exactly 0', async (layout) => {
    const reducer = await ColumnReducer.create(gpu, 4, layout);
    // 3 segments of 700 rows (blocks of 256, 256 and 188), the last cut at 500: its third block is empty.
    const rows = 1900, segmentRows = 700;
    const values = table(rows);
    const got = await reduceOnDevice(gpu, reducer, values, rows, segmentRows);
    const want = exactSums(values, rows, segmentRows);
    expect(got).toHaveLength(3);
    got.forEach((sums, s) => {
      const n = Math.min(segmentRows, rows - s * segmentRows);
      for (let c = 0; c < 4; c++) {
        // f32 sums of deviations from each block's first value: a few f32 roundings of Σ|v| at most.
        expect(Math.abs(sums.sum[c] - want[s].sum[c]), `segment ${s} column ${c} sum`).toBeLessThanOrEqual(1e-6 * want[s].sumAbs[c] + 1e-9);
        expect(Math.abs(sums.sumSquares[c] - want[s].sumSquares[c]), `segment ${s} column ${c} squares`).toBeLessThanOrEqual(1e-6 * want[s].sumSquares[c] + 1e-9);
      }
      // The spread of each column as the engine computes an SE from the sums: exact for the constant
      // column, and column 1's (1e-3/√12 ≈ 2.9e-4) kept to a few per cent though its mean is 1000.
      const variance = (c: number) => (sums.sumSquares[c] - sums.sum[c] ** 2 / n) / (n - 1);
      const wantVariance = (c: number) => (want[s].sumSquares[c] - want[s].sum[c] ** 2 / n) / (n - 1);
      expect(variance(0)).toBe(0);
      expect(variance(3)).toBe(0);
      expect(Math.sqrt(Math.max(0, variance(1))) / Math.sqrt(wantVariance(1))).toBeCloseTo(1, 1);
    });
  });
});
