/** Small specs of this folder's model(s) that the cross-cutting tests run (test/helpers/fixtures.ts gathers every folder's). */
import type { ModelFixtures } from '../fixture.js';

export const fixtures: ModelFixtures = {
  /** Run on WebGPU and on the twin, compared replicate by replicate (test/gpu-twin.test.ts). */
  gpuTwin: [
    {
      name: 'categorical, a sweep of α',
      spec: { model: 'categorical', probs: { kind: 'dirichlet', k: 12, alpha: 1 }, n0: 40, generations: 3, replicates: 300, sweep: { realFraction: [0, 0.3] } },
      // Counts are exact integers on both backends; the metrics are f32 on the GPU.
      rows: { counts: { relative: 0 }, metrics: { relative: 1e-4, floor: 1e-3 } },
    },
    {
      name: 'bigram',
      spec: { model: 'bigram', probs: { kind: 'dirichlet', k: 4, alpha: 1 }, n0: 30, generations: 2, replicates: 300 },
      rows: { counts: { relative: 0 }, metrics: { relative: 1e-4, floor: 1e-3 } },
    },
  ],
  /** Stopped after a generation, snapshotted, restored into a fresh stepper and continued (test/snapshot.test.ts). */
  snapshot: [
    ['categorical, α schedule', { model: 'categorical', probs: { kind: 'dirichlet', k: 10, alpha: 0.5 }, n0: 30, realFraction: { kind: 'harmonic', c: 1 }, generations: 5, replicates: 600 }],
    ['bigram, a sweep of n', { model: 'bigram', probs: { kind: 'dirichlet', k: 4, alpha: 1 }, n0: 30, generations: 4, replicates: 300, sweep: { n: [20, 40] } }],
  ],
  /** Run in three shards and merged (test/shard.test.ts): R = 1000 is four reduction blocks, shards of 256, 256 and 488. */
  shard: [
    ['categorical, a sweep of α', { model: 'categorical', probs: { kind: 'dirichlet', k: 12, alpha: 1 }, n0: 40, generations: 3, replicates: 700, sweep: { realFraction: [0, 0.3] } }],
    ['bigram', { model: 'bigram', probs: { kind: 'dirichlet', k: 4, alpha: 1 }, n0: 30, generations: 2, replicates: 600 }],
  ],
  /** The device destroyed mid-run and the run recovered (test/recovery.test.ts). */
  recovery: [
    ['categorical', { model: 'categorical', probs: { kind: 'dirichlet', k: 8, alpha: 1 }, n0: 30, realFraction: 0.2, generations: 4, replicates: 600 }],
  ],
};
