import { it } from 'vitest';
import { benchDense } from '../bench/dense.js';
import { acquireDevice } from '../src/core/gpu/device.js';
import { peakFor } from '../bench/peak.js';
it('w3 gram shape', async () => {
  const gpu = await acquireDevice({ adapter: 'llvmpipe' });
  console.log('FMA peak', (await peakFor(gpu)).fmaGflops);
  gpu.device.destroy();
  await benchDense({ paths: ['llvmpipe'], targetSeconds: 3, rounds: 3, variants: { engine: 'engine' }, shapes: [
    { name: 'W3 Gram rows[256×64]ᵀ·rows[256×68] acc', replicates: 512, m: 64, n: 68, k: 256, transA: true, accumulate: true },
  ], log: (l) => console.log(l) });
}, 600000);
