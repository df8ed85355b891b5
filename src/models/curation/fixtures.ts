/** Small specs of this folder's model that the cross-cutting tests run (test/helpers/fixtures.ts). */
import type { ModelFixtures } from '../fixture.js';

const SKEWED = { kind: 'given', values: [0.4, 0.3, 0.2, 0.1] };

export const fixtures: ModelFixtures = {
  gpuTwin: [
    {
      name: 'curation, two curators, a sweep of K',
      spec: {
        model: 'curation', probs: { kind: 'dirichlet', k: 6, alpha: 1 },
        curators: [{ weight: 0.7, reward: [1, 0, 2, 0, 0.5, 0] }, { weight: 0.3, reward: [0, 3, 0, 0, 0, 1] }],
        candidates: 3, n: 40, realFraction: 0.25, generations: 4, replicates: 300, sweep: { candidates: [2, 5] },
      },
      // Integer draws: the counts are equal; the metrics are f32 on the GPU (a few ulps of log and sums over V).
      rows: { counts: { relative: 0 }, metrics: { relative: 1e-4, floor: 1e-3 } },
    },
  ],
  snapshot: [
    ['curation, λ schedule', { model: 'curation', probs: SKEWED, reward: [0, 1, 2, 3], candidates: 3, n: 30, realFraction: { kind: 'harmonic', c: 1 }, generations: 5, replicates: 600 }],
  ],
  /** R = 1000 is four reduction blocks, shards of 256, 256 and 488. */
  shard: [
    ['curation, a sweep of n', { model: 'curation', probs: SKEWED, reward: [0, 1, 2, 3], candidates: 4, n: 6, generations: 3, replicates: 1000, sweep: { n: [4, 8] } }],
  ],
  recovery: [
    ['curation', { model: 'curation', probs: SKEWED, reward: [0, 1, 2, 3], candidates: 3, n: 20, realFraction: 0.2, generations: 4, replicates: 600 }],
  ],
};
