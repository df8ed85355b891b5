/** Small specs of this folder's model(s) that the cross-cutting tests run (test/helpers/fixtures.ts gathers every folder's). */
import type { ModelFixtures } from '../fixture.js';

export const fixtures: ModelFixtures = {
  /** Stopped after a generation, snapshotted, restored into a fresh stepper and continued (test/snapshot.test.ts). */
  snapshot: [
    ['yi-grid (one round, nothing carried)', { model: 'yi-grid', d: 3, n1: 20, n2: 20, replicates: 600 }],
  ],
  /** Run in three shards and merged (test/shard.test.ts): R = 1000 is four reduction blocks, shards of 256, 256 and 488. */
  shard: [
    ['yi-grid, a sweep of biases', { model: 'yi-grid', d: 3, n1: 30, n2: 30, radius: 0.3, replicates: 1000, sweep: { bias: [0, 0.2] } }],
  ],
};
