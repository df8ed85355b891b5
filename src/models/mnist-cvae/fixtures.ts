/** Small specs of this folder's model that the cross-cutting tests run (test/helpers/fixtures.ts gathers every folder's). */
import type { ModelFixtures } from '../fixture.js';

/** A loop small enough for the twin: H = 8, a few steps, both arms. */
const tiny = {
  model: 'mnist-cvae', hidden: 8, latent: 2, batch: 16, n: 100, steps: 8, chunk: 10,
  verifier: { hidden: [8], steps: 4, batch: 16 }, evaluation: { images: 20, samples: 20, heldout: 10 },
};

export const fixtures: ModelFixtures = {
  /**
   * Run on WebGPU and on the twin, compared replicate by replicate (test/gpu-twin.test.ts). f32 against
   * f64 training drifts, and a Bernoulli pixel whose coin falls within rounding of σ(logit) can
   * differ: the round metrics (NELBO, FID, accuracy, verifier accuracy) agree to 2 %.
   */
  gpuTwin: [
    { name: 'mnist-cvae, both arms', spec: { ...tiny, generations: 1, replicates: 2, sweep: { keepFraction: [0.1, 1] } }, rows: { metrics: { relative: 0.02 } } },
  ],
  /** Stopped after a round, snapshotted, restored into a fresh stepper and continued (test/snapshot.test.ts). */
  snapshot: [
    ['mnist-cvae, both arms, verifier trained once, accumulating', { ...tiny, verifier: { ...tiny.verifier, mode: 'once' }, accumulate: true, generations: 3, replicates: 2, sweep: { keepFraction: [0.1, 1] } }],
  ],
  /** Run in three shards and merged (test/shard.test.ts). */
  shard: [
    ['mnist-cvae', { ...tiny, generations: 1, replicates: 3 }],
  ],
  /** The device destroyed mid-run and the run recovered (test/recovery.test.ts). */
  recovery: [
    ['mnist-cvae', { ...tiny, generations: 2, replicates: 2 }],
  ],
};
