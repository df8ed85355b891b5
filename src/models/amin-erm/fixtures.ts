/** Small specs of this folder's model that the cross-cutting tests will run once it is registered (test/helpers/fixtures.ts). */
import type { ModelFixtures } from '../fixture.js';

export const fixtures: ModelFixtures = {
  /** Run on WebGPU and on the twin, compared replicate by replicate (test/gpu-twin.test.ts), once gpu.ts exists. */
  gpuTwin: [
    {
      name: 'amin-erm, dim 2, a sweep of α',
      spec: { model: 'amin-erm', dim: 2, n: 12, alpha: 0.5, generations: 4, replicates: 300, sweep: { alpha: [0.25, 0.75] } },
      // WGSL's sin/cos are good to 2^-11: each normal, so each estimate, carries a few 2^-11 relative.
      rows: { erm: { relative: 0.01, floor: 0.05 }, weighted: { relative: 0.01, floor: 0.05 } },
    },
  ],
  snapshot: [
    ['amin-erm, dim 3', { model: 'amin-erm', dim: 3, n: 8, alpha: 0.5, generations: 5, replicates: 600 }],
  ],
  /** R = 1000 is four reduction blocks, shards of 256, 256 and 488. */
  shard: [
    ['amin-erm, dim 2', { model: 'amin-erm', dim: 2, n: 10, alpha: 0.6, generations: 3, replicates: 1000 }],
  ],
  recovery: [
    ['amin-erm', { model: 'amin-erm', dim: 2, n: 8, alpha: 0.5, generations: 4, replicates: 600 }],
  ],
};
