import { it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { YiGridGpu } from '../src/models/yi-grid/gpu.js';
import { parseYiGridSpec } from '../src/models/yi-grid/spec.js';

it('time', async () => {
  const gpu = await acquireDevice({ adapter: 'llvmpipe' });
  const nb = Number(process.env.NB ?? 30);
  const cells = [];
  for (let b = 0; b < nb; b++) for (let rad = 0; rad < 150; rad++) cells.push(parseYiGridSpec({ model: 'yi-grid', bias: b * 0.25 / 299, radius: 0.01 + rad * 0.49 / 149, replicates: 100, seed: 'bench' }));
  for (const layout of (process.env.LAYOUTS ?? 'shared').split(',') as ('shared' | 'per-replicate')[]) {
    const a = await YiGridGpu.create(gpu, cells, {}, layout);
    await a.step();
    const t0 = performance.now();
    await a.step();
    console.log(layout, nb, 'biases', ((performance.now() - t0) / 1000).toFixed(3), 's; full-size', ((performance.now() - t0) / 1000 * 300 / nb).toFixed(2));
    a.destroy();
  }
  gpu.device.destroy();
}, 600000);
