import { it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { parseSpec, runExperiment } from '../src/models/index.js';
it('explore', async () => {
  const gpu = await acquireDevice({ adapter: 'llvmpipe' });
  const t0 = performance.now();
  const spec = JSON.parse(process.env.SPEC!);
  await runExperiment(parseSpec(spec), { gpu, onGeneration: (s: any, c) => console.log(`T ${((performance.now() - t0) / 1000).toFixed(0)}s cell ${c} t ${s.t} nelbo ${s.nelbo.toFixed(1)}±${s.nelboSE?.toFixed(1)} fid ${s.fid.toFixed(1)}±${s.fidSE?.toFixed(1)} acc ${s.accuracy.toFixed(3)} vacc ${s.verifierAccuracy?.toFixed(3)}`) });
}, 3600000);
