/** Small specs of this folder's model(s) that the cross-cutting tests run (test/helpers/fixtures.ts gathers every folder's). */
import type { ModelFixtures } from '../fixture.js';

export const fixtures: ModelFixtures = {
  /** Run on WebGPU and on the twin, compared replicate by replicate (test/gpu-twin.test.ts). */
  gpuTwin: [
    {
      name: 'gmm-selection, rates selector, classifier-labelled generations',
      spec: { model: 'gmm-selection', d: 3, meanNorm: 1, flipRate: 0.3, n: 60, generations: 2, replicates: 300, selector: { kind: 'rates', keepCorrect: 0.9, keepWrong: 0.3 } },
      // A label or selection decided on an f32 value at its threshold may differ.
      rows: { w: { relative: 1e-3, outliers: 0.02 }, metrics: { relative: 1e-3, floor: 1, outliers: 0.02 } },
    },
  ],
  /** Stopped after a generation, snapshotted, restored into a fresh stepper and continued (test/snapshot.test.ts). */
  snapshot: [
    ['gmm-selection, classifier-labelled generations', { model: 'gmm-selection', d: 3, meanNorm: 1, flipRate: 0.2, n: 40, generations: 4, replicates: 600 }],
  ],
  /** Run in three shards and merged (test/shard.test.ts): R = 1000 is four reduction blocks, shards of 256, 256 and 488. */
  shard: [
    ['gmm-selection, rates selector', { model: 'gmm-selection', d: 3, meanNorm: 1, flipRate: 0.3, n: 60, generations: 2, replicates: 600, selector: { kind: 'rates', keepCorrect: 0.9, keepWrong: 0.3 } }],
  ],
};
