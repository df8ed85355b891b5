// The fused linear kernel against its float64 twin, replicate by replicate, for every mode,
// the verifier, ridge and a power-law spectrum, on every working adapter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import { runExperiment } from '../src/models/index.js';
import { parseLinearSpec } from '../src/models/linear/spec.js';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();

const base = { model: 'linear', d: 6, n0: 40, n: 30, generations: 3, replicates: 300, seed: 'twin' } as const;
const CASES: [string, Record<string, unknown>][] = [
  ['replace, fresh design', { mode: 'replace' }],
  ['replace, fixed design, σ_s ≠ σ', { mode: 'replace', design: 'fixed', sigma: 0.7, syntheticSigma: 1.3 }],
  ['accumulate, fixed design', { mode: 'accumulate', design: 'fixed', n: 40 }],
  ['accumulate, fresh design', { mode: 'accumulate' }],
  ['mixture, real fraction 0.3', { mode: 'mixture', realFraction: 0.3 }],
  ['ridge schedule and power-law spectrum', { ridgeLambda: { kind: 'harmonic', c: 4 }, spectrum: { kind: 'power', exponent: 1 } }],
  // n < d without ridge: the minimum-norm fit (the dual system in the same Cholesky).
  ['minimum-norm, n < d (d = 16, n = 9, one sample past two label-noise quads)', { d: 16, n0: 12, n: 9, replicates: 200 }],
  ['minimum-norm, fixed design, power-law spectrum, then OLS (d = 6)', { design: 'fixed', n0: 4, n: { kind: 'list', values: [5, 3, 8] }, spectrum: { kind: 'power', exponent: 1 } }],
  ['minimum-norm, mixture (d = 10, n = 7)', { d: 10, n0: 7, n: 7, mode: 'mixture', realFraction: 0.4 }],
  ['verifier ball', { verifier: { kind: 'ball', bias: 0.2, radius: 0.3, direction: 'ones' } }],
  // Long enough that llvmpipe's per-invocation loop limit forces several sample blocks.
  ['long sample loops (d = 16, n = 1024)', { d: 16, n0: 1024, n: 1024, generations: 1, replicates: 64 }],
  // d > 16: the cooperative layout (shaders/linear/linear_wide.wgsl), with a workgroup that straddles the chunk's end.
  ['cooperative layout, verifier (d = 20)', { d: 20, n0: 60, n: 50, replicates: 100, verifier: { kind: 'ball', bias: 0.2, radius: 0.3, direction: 'ones' } }],
  ['cooperative layout, mixture (d = 64)', { d: 64, n0: 100, n: 80, mode: 'mixture', realFraction: 0.25, replicates: 36 }],
  ['cooperative layout, accumulate, ridge (d = 33)', { d: 33, n0: 40, n: 30, mode: 'accumulate', ridgeLambda: 0.5, replicates: 50 }],
  ['cooperative layout, several sample blocks (d = 40, n = 4000)', { d: 40, n0: 4000, n: 4000, generations: 1, replicates: 16 }],
];

function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>, offset: number, d: number): number {
  let diff = 0, norm = 0;
  for (let j = 0; j < d; j++) {
    diff += (a[offset + j] - b[offset + j]) ** 2;
    norm += b[offset + j] ** 2;
  }
  return Math.sqrt(diff / Math.max(norm, 1e-30));
}

describe.each(paths)('linear kernel ≡ twin on %s', (path) => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: path }); });
  afterAll(() => gpu?.device.destroy());

  it.each(CASES)('%s: θ̂ per replicate within 1e-3 relative', async (_name, overrides) => {
    const spec = parseLinearSpec({ ...base, ...overrides });
    const onGpu = await runExperiment({ ...spec, backend: 'webgpu' }, { gpu, captureReplicateRows: true });
    const onTwin = await runExperiment({ ...spec, backend: 'cpu' }, { captureReplicateRows: true });
    expect(onGpu.backend).toBe('webgpu');
    expect(onTwin.backend).toBe('cpu');
    // With a verifier, a sample within f32 rounding of the ball's edge may be accepted on one
    // side only; a handful of replicates may then differ by that one sample.
    const allowedOutliers = spec.verifier.kind === 'ball' ? Math.ceil(spec.replicates * 0.01) : 0;
    for (let t = 0; t <= spec.generations; t++) {
      let outliers = 0;
      for (let r = 0; r < spec.replicates; r++) {
        if (relativeDifference(onGpu.replicateRows![t].theta, onTwin.replicateRows![t].theta, r * spec.d, spec.d) > 1e-3) outliers++;
      }
      expect(outliers, `generation ${t}`).toBeLessThanOrEqual(allowedOutliers);
      const g = onGpu.generations[t], c = onTwin.generations[t];
      expect(g.failed).toBe(c.failed);
      expect(Math.abs(g.mse! - c.mse!) / c.mse!).toBeLessThan(allowedOutliers ? 5e-3 : 1e-3);
      expect(g.acceptRate === null).toBe(c.acceptRate === null);
      if (c.acceptRate !== null) expect(Math.abs(g.acceptRate! - c.acceptRate)).toBeLessThan(1e-3);
    }
  });
});
