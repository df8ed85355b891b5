/** Small specs of this folder's model that the cross-cutting tests run (test/helpers/fixtures.ts). */
import type { ModelFixtures } from '../fixture.js';

/**
 * WGSL's sin/cos are good to 2^-11, so a GPU normal differs from the twin's by about |z|·2^-11 and a fit
 * by a few 2^-11 of its scale. The curator's argmax can then pick another candidate where two scores
 * are within that of each other; such a replicate's chain leaves the twin's from there on. Measured: at
 * most 3 of 1024 replicates by generation 10 (dim 2, n = 100, K = 4, SwiftShader; none on llvmpipe), so
 * 2 % may differ.
 */
const ROWS = { mean: { relative: 0.01, floor: 1, outliers: 0.02 }, variance: { relative: 0.01, outliers: 0.02 } };

export const fixtures: ModelFixtures = {
  /** Run on WebGPU and on the twin, compared replicate by replicate (test/gpu-twin.test.ts). */
  gpuTwin: [
    {
      name: 'curation-gaussian, dim 2, a sweep of λ',
      spec: { model: 'curation-gaussian', dim: 2, n: 12, candidates: 3, target: [1, -0.5], generations: 3, replicates: 300, sweep: { realFraction: [0, 0.5] } },
      rows: ROWS,
    },
  ],
  snapshot: [
    ['curation-gaussian, dim 3, λ schedule', { model: 'curation-gaussian', dim: 3, n: 8, candidates: 4, target: 1, realFraction: { kind: 'harmonic', c: 1 }, generations: 5, replicates: 600 }],
  ],
  /** R = 1000 is four reduction blocks, shards of 256, 256 and 488. */
  shard: [
    ['curation-gaussian, dim 1', { model: 'curation-gaussian', n: 10, candidates: 5, target: 2, tau: 0.5, realFraction: 0.3, generations: 3, replicates: 1000 }],
  ],
  recovery: [
    ['curation-gaussian', { model: 'curation-gaussian', dim: 2, n: 8, candidates: 4, target: 1, generations: 4, replicates: 600 }],
  ],
};
