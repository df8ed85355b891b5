/** Small specs of this folder's model(s) that the cross-cutting tests run (test/helpers/fixtures.ts gathers every folder's). */
import type { ModelFixtures } from '../fixture.js';

export const fixtures: ModelFixtures = {
  /** Run on WebGPU and on the twin, compared replicate by replicate (test/gpu-twin.test.ts). */
  gpuTwin: [
    { name: 'linear, replace', spec: { model: 'linear', d: 6, n0: 40, n: 30, generations: 3, replicates: 300, seed: 'twin' }, rows: { theta: { relative: 1e-3 } } },
    {
      name: 'linear, ball verifier, a sweep of its radius',
      spec: { model: 'linear', d: 5, n0: 40, n: 30, generations: 3, replicates: 300, verifier: { kind: 'ball', bias: 0.2, radius: 0.3 }, sweep: { 'verifier.radius': [0.2, 0.4] } },
      // A sample within f32 rounding of the ball's edge may be accepted on one backend only.
      rows: { theta: { relative: 1e-3, outliers: 0.01 } },
    },
    { name: 'linear, minimum-norm fit (n < d), mixture', spec: { model: 'linear', d: 12, n0: 6, n: 5, mode: 'mixture', realFraction: 0.4, generations: 3, replicates: 300 }, rows: { theta: { relative: 1e-3 } } },
    { name: 'linear, cooperative layout (d = 20), accumulate', spec: { model: 'linear', d: 20, n0: 60, n: 40, mode: 'accumulate', generations: 2, replicates: 100 }, rows: { theta: { relative: 1e-3 } } },
  ],
  /** Stopped after a generation, snapshotted, restored into a fresh stepper and continued (test/snapshot.test.ts). */
  snapshot: [
    ['linear, replace, verifier', { model: 'linear', d: 5, n0: 20, n: 16, generations: 4, replicates: 600, verifier: { kind: 'ball', bias: 0.2, radius: 0.3 } }],
    // Accumulate mode carries its sums (and the fit count) across generations.
    ['linear, accumulate, fixed design, a sweep', { model: 'linear', d: 4, n0: 10, n: 6, mode: 'accumulate', design: 'fixed', generations: 4, replicates: 600, sweep: { sigma: [0.5, 2] } }],
    ['linear, accumulate, d = 20 (cooperative layout)', { model: 'linear', d: 20, n0: 30, n: 10, mode: 'accumulate', generations: 3, replicates: 300 }],
    ['linear, minimum-norm fit (n < d)', { model: 'linear', d: 10, n0: 4, n: 6, generations: 4, replicates: 600 }],
    // Failed replicates stay failed after a restore.
    ['linear, sparse verifier (failures)', { model: 'linear', d: 6, n0: 30, n: 12, generations: 4, replicates: 600, verifier: { kind: 'ball', bias: 0, radius: 0.05, slack: 0.3 } }],
  ],
  /** Run in three shards and merged (test/shard.test.ts): R = 1000 is four reduction blocks, shards of 256, 256 and 488. */
  shard: [
    ['linear, replace, verifier', { model: 'linear', d: 6, n0: 30, n: 24, generations: 2, replicates: 1000, verifier: { kind: 'ball', bias: 0.2, radius: 0.3 } }],
    ['linear, accumulate, a sweep of 2 × 2 cells', {
      model: 'linear', d: 4, n0: 20, n: 12, mode: 'accumulate', generations: 2, replicates: 800,
      sweep: { sigma: [0.5, 1.5], 'verifier.radius': [0.2, 0.6] }, verifier: { kind: 'ball', bias: 0.1, radius: 0.2 },
    }],
    ['linear, minimum-norm fit (n < d), a sweep of n', { model: 'linear', d: 9, n0: 5, n: 4, generations: 2, replicates: 1000, sweep: { n: [3, 30] } }],
    ['linear, d = 20 (cooperative layout)', { model: 'linear', d: 20, n0: 40, n: 30, mode: 'mixture', realFraction: 0.3, generations: 2, replicates: 600 }],
  ],
  /** The device destroyed mid-run and the run recovered (test/recovery.test.ts). */
  recovery: [
    ['linear, accumulate, a sweep', { model: 'linear', d: 5, n0: 20, n: 10, mode: 'accumulate', generations: 4, replicates: 600, sweep: { sigma: [0.5, 1] } }],
  ],
};
