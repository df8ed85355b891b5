/** The mnist-cvae model's presets: Yi et al.'s MNIST experiment, both arms as a sweep over keepFraction (docs/science.md). */
import type { Preset } from '../preset.js';
import type { MnistCvaeSpecInput } from './spec.js';

type Spec = MnistCvaeSpecInput & { sweep: { keepFraction: number[] } };
const BOTH_ARMS = { keepFraction: [0.1, 1] };

export const MNIST_CVAE_PRESETS: Record<string, Preset<Spec>> = {
  'yi-mnist-quick': {
    spec: {
      model: 'mnist-cvae', hidden: 32, latent: 2, n: 2000, steps: 500, chunk: 50,
      verifier: { hidden: [32, 16], steps: 100 }, evaluation: { images: 1000, samples: 500, heldout: 250 },
      generations: 3, replicates: 3, sweep: BOTH_ARMS,
    },
    title: 'MNIST CVAE loop, filtered vs unfiltered (a first look)',
    papers: ['yi2026'],
    shows: 'a small conditional VAE (H = 32, d_z = 2, 500 steps) retrained from scratch on its own samples each round, in about a minute on a CPU adapter: '
      + 'the top 10 % by a discriminator-verifier (keepFraction 0.1) against every sample (1) already separate in NELBO and FID, '
      + 'though at this size the decoder barely uses the label (accuracy near chance); yi-mnist is the comparison with class-true digits',
  },
  'yi-mnist': {
    spec: {
      model: 'mnist-cvae', hidden: 64, latent: 2, n: 10_000, steps: 1500, chunk: 100,
      verifier: { hidden: [64, 32], steps: 200 }, evaluation: { images: 2000, samples: 1000, heldout: 500 },
      generations: 5, replicates: 6, sweep: BOTH_ARMS,
    },
    title: 'MNIST CVAE loop: verification against collapse',
    papers: ['yi2026'],
    shows: 'Yi et al.\'s MNIST experiment with replicates (H = 64, d_z = 2, 10 000 kept images and 1 500 Adam steps a round): '
      + 'retrained on unfiltered samples the CVAE\'s FID and NELBO grow round after round; keeping the top 10 % by the verifier\'s logit slows that down',
  },
  'yi-mnist-gpu': {
    spec: {
      model: 'mnist-cvae', hidden: 400, latent: 20, n: { kind: 'linear', start: 10_000, slope: 2250 }, steps: 6000, chunk: 100,
      verifier: { hidden: [512, 256, 128, 64], steps: 2000 }, evaluation: { images: 2000, samples: 2000, heldout: 1000 },
      generations: 40, replicates: 64, sweep: BOTH_ARMS,
    },
    title: 'MNIST CVAE loop at the authors\' scale (for a GPU)',
    papers: ['yi2026'],
    shows: 'the authors\' scale (H = 400, d_z = 20, kept images growing 10k → 100k over 40 rounds, their 784-512-256-128-64 verifier) with 64 replicates an arm: '
      + 'filtered FID falls and plateaus while unfiltered FID and NELBO collapse',
  },
};
