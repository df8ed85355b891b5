// GPU time per kernel from timestamp queries (src/core/gpu/timing.ts) on an adapter that has them.
import { describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { isCpuAdapter } from '../src/core/adapter.js';
import { PassTimer, setActiveTimer } from '../src/core/gpu/timing.js';
import { runExperiment, parseSpec } from '../src/models/index.js';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();

describe.each(paths)('pass timer on %s', (path) => {
  it('times every pass of a run by kernel where the adapter has timestamps, else declines', async () => {
    const gpu = await acquireDevice({ adapter: path });
    try {
      const timer = PassTimer.create(gpu);
      if (!gpu.adapter.timestampQuery) {
        expect(timer).toBeNull();
        return;
      }
      const spec = parseSpec({ model: 'linear', d: 6, n0: 40, n: 30, generations: 2, replicates: 512, seed: 'timing' });
      setActiveTimer(timer);
      let result;
      try {
        // Without recovery's per-generation snapshot (a state_rows pass): the model's own kernels only.
        result = await runExperiment(spec, { gpu, recover: false });
        await timer!.collect();
      } finally {
        setActiveTimer(null);
      }
      const { total, kernels } = timer!.totals();
      timer!.destroy();
      // Three generations: accumulate, finish and reduce once each per generation (one chunk, one block).
      // CPU adapters reduce with reduce_serial (src/core/gpu/reduce.ts), GPUs with the tree.
      const reduce = isCpuAdapter(gpu.adapter) ? 'reduce.reduce_serial' : 'reduce.reduce';
      expect(Object.keys(kernels).sort()).toEqual(['linear.accumulate', 'linear.finish', reduce]);
      for (const { seconds, passes } of Object.values(kernels)) {
        expect(passes).toBe(3);
        expect(seconds).toBeGreaterThan(0);
      }
      expect(total).toBeLessThanOrEqual(result.elapsedSeconds);
    } finally {
      gpu.device.destroy();
    }
  });
});
