/** Small specs of this folder's model(s) that the cross-cutting tests run (test/helpers/fixtures.ts gathers every folder's). */
import type { ModelFixtures } from '../fixture.js';

export const fixtures: ModelFixtures = {
  /** Run on WebGPU and on the twin, compared replicate by replicate (test/gpu-twin.test.ts). */
  gpuTwin: [
    {
      name: 'yi-grid, a sweep of biases',
      spec: { model: 'yi-grid', d: 3, n1: 30, n2: 30, radius: 0.3, replicates: 300, sweep: { bias: [0, 0.2] } },
      // Verifier decisions within f32 rounding of the edge may differ, and with them a row.
      rows: { metrics: { relative: 1e-3, floor: 1, outliers: 0.02 } },
    },
  ],
  /** Stopped after a generation, snapshotted, restored into a fresh stepper and continued (test/snapshot.test.ts). */
  snapshot: [
    ['yi-grid (one round, nothing carried)', { model: 'yi-grid', d: 3, n1: 20, n2: 20, replicates: 600 }],
  ],
  /** Run in three shards and merged (test/shard.test.ts): R = 1000 is four reduction blocks, shards of 256, 256 and 488. */
  shard: [
    ['yi-grid, a sweep of biases', { model: 'yi-grid', d: 3, n1: 30, n2: 30, radius: 0.3, replicates: 1000, sweep: { bias: [0, 0.2] } }],
  ],
};
