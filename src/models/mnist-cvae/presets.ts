/** The mnist-cvae model's presets: Yi et al.'s MNIST experiment, both arms as a sweep over keepFraction (docs/science.md). */
import type { Preset } from '../preset.js';
import type { MnistCvaeSpecInput } from './spec.js';

type Spec = MnistCvaeSpecInput & { sweep: { keepFraction: number[] } };
const BOTH_ARMS = { keepFraction: [0.1, 1] };

export const MNIST_CVAE_PRESETS: Record<string, Preset<Spec>> = {
  'yi-mnist-quick': {
    spec: {
      model: 'mnist-cvae', hidden: 32, latent: 8, n: 1000, steps: 150, chunk: 50,
      verifier: { hidden: [64, 32], steps: 100 }, evaluation: { images: 1000, samples: 500, heldout: 250 },
      generations: 3, replicates: 4, sweep: BOTH_ARMS,
    },
    title: 'MNIST CVAE loop, filtered vs unfiltered (a first look)',
    papers: ['yi2026'],
    shows: 'a small conditional VAE retrained from scratch on its own samples each round: the first look at both arms, '
      + 'top 10 % by a discriminator-verifier (keepFraction 0.1) against every sample (1); too few rounds and steps to separate them reliably',
  },
  'yi-mnist': {
    spec: {
      model: 'mnist-cvae', hidden: 64, latent: 8, n: 2000, steps: 300, chunk: 100,
      verifier: { hidden: [64, 32], steps: 150 }, evaluation: { images: 2000, samples: 1000, heldout: 500 },
      generations: 6, replicates: 4, sweep: BOTH_ARMS,
    },
    title: 'MNIST CVAE loop: verification against collapse',
    papers: ['yi2026'],
    shows: 'Yi et al.\'s MNIST experiment with replicates: retrained on unfiltered samples the CVAE\'s test NELBO and FID grow round after round; '
      + 'keeping the top 10 % by the verifier\'s logit holds them lower',
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
