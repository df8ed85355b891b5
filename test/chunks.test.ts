// Chunking planned from the device's limits: any replicate count is split into chunks that fit
// the storage bindings, and a run's statistics do not depend on where the chunks fall.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import { ColumnReducer } from '../src/core/gpu/reduce.js';
import { planChunks } from '../src/core/gpu/chunks.js';
import { runExperiment, parseSpec } from '../src/models/index.js';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();
const fast = paths.includes('llvmpipe') ? 'llvmpipe' : paths[0];

describe.runIf(fast)(`chunks on ${fast}`, () => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: fast }); });
  afterAll(() => gpu?.device.destroy());

  it('10⁷ replicates: chunks cover every replicate once, each within the storage binding size', async () => {
    const reducer = await ColumnReducer.create(gpu, 8);
    const replicates = 10_000_000, bytesPerReplicate = 112;  // linear at d = 4: θ̂ | flags | rhs | Gram, 7 vec4s
    const chunks = planChunks(gpu.device.limits, { cells: 1, replicates, bytesPerReplicate, reducer });
    const binding = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize);
    expect(chunks.length).toBe(Math.ceil((replicates * bytesPerReplicate) / (Math.floor(binding / bytesPerReplicate / 256) * 256 * bytesPerReplicate)));
    let next = 0;
    for (const chunk of chunks) {
      expect(chunk.offset).toBe(next);
      expect(chunk.rows * bytesPerReplicate).toBeLessThanOrEqual(binding);
      expect(chunk.offset % reducer.blockRows).toBe(0);  // reduction blocks never straddle chunks
      next += chunk.rows;
    }
    expect(next).toBe(replicates);
  });

  it('a run past the binding size is split by the limits and equals a run in smaller chunks', async () => {
    // d = 16 keeps 1 168 bytes of state a replicate: 250 000 replicates need three 128 MiB chunks.
    const replicates = 250_000;
    const spec = parseSpec({ model: 'linear', mode: 'accumulate', d: 16, n0: 8, n: 4, ridgeLambda: 1, generations: 1, replicates, seed: 'chunks' });
    const reducer = await ColumnReducer.create(gpu, 8);
    expect(planChunks(gpu.device.limits, { cells: 1, replicates, bytesPerReplicate: 1168, reducer }).length).toBeGreaterThan(2);
    const byLimits = await runExperiment(spec, { gpu, recover: false });
    const smaller = await runExperiment(spec, { gpu, recover: false, chunkReplicates: 32_768 });
    expect(byLimits.generations).toEqual(smaller.generations);
    expect(byLimits.generations.at(-1)!.replicates).toBe(replicates);
  });
});
