// Mean estimation from contaminated data (docs/science.md §7, Amin et al. 2026): spec validation,
// the twin's addressing, Monte Carlo against the exact closed forms within 4 standard errors, and
// the closed forms' own asymptotic rates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import type { GpuContext } from '../src/core/adapter.js';
import type { Backend, ReplicateRows } from '../src/core/engine/model.js';
import { stepAll } from './helpers/replicates.js';
import { workingPaths } from './helpers/adapters.js';
import { parseAminErmSpec, type ResolvedAminErmSpec } from '../src/models/amin-erm/spec.js';
import { AMIN_ERM_PRESETS } from '../src/models/amin-erm/presets.js';
import { AminErmTwin } from '../src/models/amin-erm/twin.js';
import { createAminErmStepper, type AminErmGeneration } from '../src/models/amin-erm/model.js';
import { ermAsymptoticBelowHalf, ermMeanErr2, ermRateExponent, weightedMeanErr2 } from '../src/models/amin-erm/theory.js';
import { specErrorOf } from './helpers/spec-error.js';

const spec = (fields: Record<string, unknown>) =>
  parseAminErmSpec({ model: 'amin-erm', n: 10, alpha: 0.5, generations: 3, replicates: 100, seed: 'amin-erm', ...fields });

const errorOf = (fields: Record<string, unknown>) => specErrorOf(() => spec(fields));

async function run(cells: ResolvedAminErmSpec[], backend: Backend = { kind: 'cpu' }, rows?: ReplicateRows[][], chunkReplicates?: number): Promise<AminErmGeneration[][]> {
  return stepAll(await createAminErmStepper(cells, backend, { chunkReplicates }), cells[0].generations, cells.length, rows);
}

describe('amin-erm spec', () => {
  it('fills defaults and derives the synthetic count α·n', () => {
    const s = spec({ n: 30, alpha: 0.1 });
    expect(s).toMatchObject({ dim: 1, sigma: 1, seed: 'amin-erm', backend: 'auto', synthetic: 3 });
    expect(spec({ alpha: 0 }).synthetic).toBe(0);
  });

  it('names the field, the range and the value', () => {
    expect(errorOf({ alpha: 1 })).toBe('alpha: must be a number ≥ 0 and < 1, got 1');
    expect(errorOf({ alpha: -0.1 })).toBe('alpha: must be a number ≥ 0 and < 1, got -0.1');
    expect(errorOf({ alpha: 0.25, n: 10 })).toBe('alpha: must make α·n a whole number of synthetic samples (n = 10), got α·n = 2.5');
    expect(errorOf({ n: 0 })).toMatch(/^n: must be an integer between 1 and 16777216, got 0$/);
    expect(errorOf({ dim: 17 })).toMatch(/^dim: must be an integer between 1 and 16, got 17$/);
    expect(errorOf({ sigma: 0 })).toMatch(/^sigma: must be a number between 1e-15 and 1000000000000000, got 0$/);
    expect(errorOf({ alphas: 0.5 })).toMatch(/^alphas: /);
  });

  it('parses its preset', () => {
    for (const preset of Object.values(AMIN_ERM_PRESETS)) expect(() => parseAminErmSpec(preset.spec)).not.toThrow();
  });
});

describe('amin-erm twin', () => {
  it('addresses every replicate: a replicate range equals the same replicates of the whole run', () => {
    const whole = new AminErmTwin([spec({ dim: 2, replicates: 40 })]);
    const part = new AminErmTwin([spec({ dim: 2, replicates: 15 })], 20);
    for (let t = 0; t <= 3; t++) {
      whole.step(t);
      part.step(t);
    }
    const [w] = whole.replicateStates(), [p] = part.replicateStates();
    expect(Array.from(p.erm)).toEqual(Array.from(w.erm.slice(40, 70)));
    expect(Array.from(p.weighted)).toEqual(Array.from(w.weighted.slice(40, 70)));
  });

  it('without contamination both estimators are the running mean of natural data, with error σ²·dim/(n(t+1))', async () => {
    const cell = spec({ alpha: 0, dim: 2, sigma: 3 });
    const twin = new AminErmTwin([cell]);
    for (let t = 0; t <= 3; t++) twin.step(t);
    const [s] = twin.replicateStates();
    for (let i = 0; i < s.erm.length; i++) expect(s.weighted[i]).toBeCloseTo(s.erm[i], 12);
    expect(ermMeanErr2(cell, 3)).toEqual([0, 1, 2, 3].map((t) => weightedMeanErr2(cell, t)).map((v) => expect.closeTo(v, 15)));
  });

  // Monte Carlo ≡ the exact closed forms within 4 SE at every generation, for α below and above ½.
  it.each([
    ['α = 0.3, dim 2, n = 10, σ = 2', { alpha: 0.3, dim: 2, n: 10, sigma: 2 }],
    ['α = 0.75, dim 1, n = 4', { alpha: 0.75, dim: 1, n: 4 }],
  ])('Monte Carlo matches the closed forms within 4 SE: %s', async (_name, fields) => {
    const cell = spec({ ...fields, generations: 30, replicates: 4000 });
    const generations = await run([cell]);
    const erm = ermMeanErr2(cell, cell.generations);
    let worst = 0;
    generations.forEach(([g], t) => {
      for (const [key, exact] of [['erm', erm[t]], ['weighted', weightedMeanErr2(cell, t)]] as const) {
        const z = Math.abs((g[key]! - exact) / g[`${key}SE`]!);
        worst = Math.max(worst, z);
        expect(z, `${key} at t = ${t}: ${g[key]} vs ${exact} ± ${g[`${key}SE`]}`).toBeLessThan(4);
      }
    });
    // The weighted estimator is better at every t ≥ 1 (exactly, and in the run by more than its noise at the end).
    const last = generations[cell.generations][0];
    expect(last.weighted!).toBeLessThan(last.erm!);
    expect(worst).toBeGreaterThan(0);
  }, 60_000);

  it('a sweep cell equals the same spec run alone', async () => {
    const cells = [0.2, 0.6].map((alpha) => spec({ alpha, n: 5, replicates: 300 }));
    const together = await run(cells);
    const alone = await run([cells[1]]);
    expect(together.map((g) => g[1])).toEqual(alone.map((g) => g[0]));
  });
});

describe('amin-erm closed forms', () => {
  const base = { dim: 1, n: 1, sigma: 1 };
  it('ERM: 1/((1−2α)t) below α = ½, t^(−2(1−α)) above; weighted: 1/t throughout', () => {
    const T = 100_000;
    const below = { ...base, alpha: 0.25 };
    const v = ermMeanErr2(below, T);
    expect(v[T] / ermAsymptoticBelowHalf(below, T)!).toBeCloseTo(1, 2);
    for (const alpha of [0.6, 0.75, 0.9]) {
      const u = ermMeanErr2({ ...base, alpha }, T);
      const slope = Math.log(u[T] / u[T / 10]) / Math.log(10);
      expect(slope).toBeCloseTo(-ermRateExponent(alpha), 1);
    }
    const w = weightedMeanErr2({ ...base, alpha: 0.9 }, T) / weightedMeanErr2({ ...base, alpha: 0.9 }, T / 10);
    expect(Math.log(w) / Math.log(10)).toBeCloseTo(-1, 2);
  });

  it('the weighted estimator never does worse than ERM', () => {
    for (const alpha of [0, 0.1, 0.5, 0.75, 0.99]) {
      const erm = ermMeanErr2({ ...base, alpha }, 200);
      erm.forEach((e, t) => expect(weightedMeanErr2({ ...base, alpha }, t)).toBeLessThanOrEqual(e * (1 + 1e-12)));
    }
  });
});

const paths = await workingPaths();

/**
 * WGSL's sin/cos are good to 2^-11 absolute, so each GPU normal may differ from the twin's by about
 * |z|·2^-11; an estimate averages such normals, and f32 rounds its update: a few 2^-11 of the noise scale.
 */
const GPU_TOLERANCE = 8 * 2 ** -11;

describe.each(paths)('amin-erm kernel ≡ twin on %s', (path) => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: path }); });
  afterAll(() => gpu?.device.destroy());

  it.each([
    ['dim 1, α = 0.75, n = 8', { dim: 1, n: 8, alpha: 0.75, generations: 6, replicates: 300 }],
    ['dim 5, α = 0.3, n = 10, σ = 2.5', { dim: 5, n: 10, alpha: 0.3, sigma: 2.5, generations: 4, replicates: 300 }],
    // Several sample blocks per generation where the adapter limits loop iterations (llvmpipe).
    ['long sample loops: dim 3, n = 8000, α = 0.5', { dim: 3, n: 8000, alpha: 0.5, generations: 2, replicates: 64 }],
  ])('%s: both estimates per replicate, every generation', async (_name, fields) => {
    const cell = spec(fields);
    const onGpu: ReplicateRows[][] = [], onTwin: ReplicateRows[][] = [];
    const gpuStats = await run([cell], { kind: 'webgpu', gpu }, onGpu);
    const twinStats = await run([cell], { kind: 'cpu' }, onTwin);
    const scale = cell.sigma / Math.sqrt(cell.n);
    for (let t = 0; t <= cell.generations; t++) {
      const [g] = onGpu[t], [c] = onTwin[t];
      for (const key of ['erm', 'weighted']) {
        let worst = 0;
        for (let i = 0; i < c[key].length; i++) worst = Math.max(worst, Math.abs(g[key][i] - c[key][i]) / scale);
        expect(worst, `${key}, generation ${t}`).toBeLessThan(GPU_TOLERANCE);
        const gs = gpuStats[t][0][key]!, cs = twinStats[t][0][key]!;
        expect(Math.abs(gs / cs - 1), `mean ${key}, generation ${t}`).toBeLessThan(0.01);
      }
    }
  }, 120_000);

  it('a sweep of α and n: cells together equal each cell alone, bit for bit, whatever the chunking', async () => {
    const cells = [{ alpha: 0.25, n: 8 }, { alpha: 0.75, n: 8, sigma: 3 }, { alpha: 0.5, n: 6 }].map((f) => spec({ dim: 2, replicates: 300, ...f }));
    const together = await run(cells, { kind: 'webgpu', gpu });
    const chunked = await run(cells, { kind: 'webgpu', gpu }, undefined, 256);
    expect(chunked).toEqual(together);
    for (const [c, cell] of cells.entries()) {
      const alone = await run([cell], { kind: 'webgpu', gpu });
      expect(together.map((g) => g[c])).toEqual(alone.map((g) => g[0]));
    }
  }, 120_000);
});
