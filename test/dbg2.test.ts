import { it } from 'vitest';
import { parseSpec, runExperiment } from '../src/models/index.js';
it('twin time', async () => {
  const spec = { model: 'mnist-cvae', hidden: 8, latent: 2, batch: 16, n: 60, steps: 4, chunk: 20, verifier: { hidden: [8, 8], steps: 3, batch: 16 }, evaluation: { images: 40, samples: 40, heldout: 10 }, generations: 2, replicates: 3, backend: 'cpu', sweep: { keepFraction: [0.1, 1] } };
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    await runExperiment(parseSpec(spec));
    console.log('run', ((performance.now() - t0) / 1000).toFixed(2));
  }
}, 600000);
