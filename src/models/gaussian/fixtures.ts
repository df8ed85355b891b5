/** Small specs of this folder's model(s) that the cross-cutting tests run (test/helpers/fixtures.ts gathers every folder's). */
import type { ModelFixtures } from '../fixture.js';

export const fixtures: ModelFixtures = {
  /** Run on WebGPU and on the twin, compared replicate by replicate (test/gpu-twin.test.ts). */
  gpuTwin: [
    {
      name: 'gaussian, dim 2, a sweep of m',
      spec: { model: 'gaussian', dim: 2, m: 12, generations: 3, replicates: 300, sweep: { m: [6, 12] } },
      // WGSL's sin/cos are good to 2^-11, compounding a few 2^-11 a generation (test/gaussian.test.ts).
      rows: { meanError: { relative: 0.01, floor: 1 }, variance: { relative: 0.01 }, collapsed: { relative: 0 } },
    },
  ],
  /** Stopped after a generation, snapshotted, restored into a fresh stepper and continued (test/snapshot.test.ts). */
  snapshot: [
    ['gaussian, dim 3, collapsing', { model: 'gaussian', dim: 3, m: 5, generations: 6, replicates: 600 }],
  ],
  /** Run in three shards and merged (test/shard.test.ts): R = 1000 is four reduction blocks, shards of 256, 256 and 488. */
  shard: [
    ['gaussian, dim 2 (medians from every replicate)', { model: 'gaussian', dim: 2, m: 12, generations: 3, replicates: 1000 }],
  ],
  /** The device destroyed mid-run and the run recovered (test/recovery.test.ts). */
  recovery: [
    ['gaussian', { model: 'gaussian', dim: 2, m: 8, generations: 4, replicates: 600 }],
  ],
};
