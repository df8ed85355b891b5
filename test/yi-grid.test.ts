// The yi-grid study: GPU ≡ twin replicate by replicate, Monte Carlo ≡ the exact results
// (OLS loss, the truncated-Gaussian toolkit and the d = 1 acceptance it implies), sweep cells
// equal to the same specs run alone, and clear errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import { runExperiment, parseSpec, experimentCells, PRESETS } from '../src/models/index.js';
import { yiGridModel } from '../src/models/yi-grid/model.js';
import { YiGridGpu, chooseLayout, sampleGroups } from '../src/models/yi-grid/gpu.js';
import { yiGridRows } from '../src/models/yi-grid/twin.js';
import { YiColumn, YI_COLUMNS } from '../src/models/yi-grid/columns.js';
import { parseYiGridSpec, type ResolvedYiGridSpec } from '../src/models/yi-grid/spec.js';
import { SpecError } from '../src/core/spec/errors.js';
import { realAcceptRate1D, realLoss, truncatedGaussian } from '../src/models/yi-grid/theory.js';
import { normals4, randomWords } from '../src/core/cpu/random.js';
import { keyFromSeed, Stream } from '../src/core/random/address.js';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();

describe('the truncated-Gaussian toolkit (docs/science.md §2)', () => {
  it.each([[0.3, 1.2, -0.4, 0.9], [0, 1, 0, 0.8], [2, 0.5, 1.5, 0.3]])(
    'matches 10^6 draws of N(m = %d, σ = %d) kept in [c − h, c + h] (c = %d, h = %d) within 4 SE',
    (m, sigma, c, h) => {
      const key = keyFromSeed('toolkit');
      let n = 0, kept = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
      for (let i = 0; i < 250_000; i++) {
        for (const z of normals4(randomWords(key, 0, 0, Stream.diagnostics, i))) {
          n++;
          const y = m + sigma * z;
          if (Math.abs(y - c) > h) continue;
          kept++; s1 += y; s2 += y * y; s3 += y ** 3; s4 += y ** 4;
        }
      }
      const theory = truncatedGaussian(m, sigma, c, h);
      const p = kept / n, mean = s1 / kept, variance = s2 / kept - mean * mean;
      const centred4 = s4 / kept - 4 * mean * s3 / kept + 6 * mean ** 2 * s2 / kept - 3 * mean ** 4;
      expect(Math.abs(p - theory.acceptance) / Math.sqrt(p * (1 - p) / n)).toBeLessThan(4);
      expect(Math.abs(mean - theory.mean) / Math.sqrt(variance / kept)).toBeLessThan(4);
      expect(Math.abs(variance - theory.variance) / Math.sqrt((centred4 - variance ** 2) / kept)).toBeLessThan(4);
    });
});

describe('yi-grid spec', () => {
  it('fills the authors\' defaults', () => {
    expect(parseYiGridSpec({ model: 'yi-grid', replicates: 10 })).toMatchObject({ d: 5, sigma: 1, n1: 100, n2: 100, generations: 0, slack: Math.sqrt(2 / Math.PI) });
  });
  it.each([
    [{ generations: 3 }, 'generations: must be 0 (yi-grid is one round), got 3'],
    [{ d: 8, n1: 5 }, 'n1: ordinary least squares needs n1 ≥ d = 8, got 5'],
    [{ radius: -1 }, 'radius: must be a number ≥ 0, got -1'],
    [{ radus: 1 }, 'radus: unknown field (did you mean "radius"?)'],
  ])('rejects %o', (fields, message) => {
    expect(() => parseYiGridSpec({ model: 'yi-grid', replicates: 10, ...fields })).toThrow(SpecError);
    expect(() => parseYiGridSpec({ model: 'yi-grid', replicates: 10, ...fields })).toThrow(message);
  });
  it('cells that share n₁, n₂ and σ share their samples: the preset runs in the shared layout, a lone cell or a σ sweep per replicate', () => {
    const grid = experimentCells(parseSpec(PRESETS['yi-grid'].spec)).specs as ResolvedYiGridSpec[];
    expect(sampleGroups(grid)).toHaveLength(1);
    expect(chooseLayout(grid, 8)).toBe('shared');
    expect(chooseLayout(grid.slice(0, 1), 1)).toBe('per-replicate');
    const sigmas = experimentCells(parseSpec({ model: 'yi-grid', replicates: 10, sweep: { sigma: [0.5, 1, 2], bias: [0, 0.1] } })).specs as ResolvedYiGridSpec[];
    expect(sampleGroups(sigmas).map((g) => g.length)).toEqual([2, 2, 2]);
    expect(chooseLayout(sigmas, 1)).toBe('per-replicate');
    expect(chooseLayout(grid.map((c) => ({ ...c, d: 9 })), 1)).toBe('per-replicate');
  });
  it('the preset is the authors\' full grid: 300 biases × 150 radii × 100 replicates', () => {
    const spec = parseSpec(PRESETS['yi-grid'].spec);
    expect(spec.sweep!.bias).toHaveLength(300);
    expect(spec.sweep!.radius).toHaveLength(150);
    expect([spec.sweep!.bias[0], spec.sweep!.bias[299], spec.sweep!.radius[0], spec.sweep!.radius[149]]).toEqual([0, 0.25, 0.01, 0.5]);
    expect(experimentCells(spec).specs).toHaveLength(45_000);
    expect(spec.replicates).toBe(100);
  });
});

const small = (fields: Partial<ResolvedYiGridSpec> = {}) =>
  parseYiGridSpec({ model: 'yi-grid', bias: 0.1, radius: 0.2, replicates: 256, seed: 'yi', ...fields });

describe.each(paths)('yi-grid on %s', (path) => {
  // SwiftShader is ~15× slower than llvmpipe: fewer replicates there (the bounds use the SE).
  const monteCarloReplicates = path === 'swiftshader' ? 4000 : 20_000;
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: path }); });
  afterAll(() => gpu?.device.destroy());

  it.each([[{}], [{ d: 3, n1: 30, n2: 40, bias: 0.3, radius: 0.05, slack: 0.3 }]])('per replicate, the four losses and acceptance counts equal the twin (%o)', async (fields) => {
    const spec = small(fields);
    const onGpu = await yiGridModel.createStepper([spec], { kind: 'webgpu', gpu });
    const onTwin = await yiGridModel.createStepper([spec], { kind: 'cpu' });
    await onGpu.step(0);
    await onTwin.step(0);
    const [{ metrics: g }, { metrics: c }] = [await onGpu.replicateRows(), await onTwin.replicateRows()];
    onGpu.destroy();
    let outliers = 0;
    for (let r = 0; r < spec.replicates; r++) {
      const row = (x: ArrayLike<number>) => Array.from({ length: YI_COLUMNS }, (_, k) => x[r * YI_COLUMNS + k]);
      const [gr, cr] = [row(g), row(c)];
      const same = gr.every((v, k) => k >= YiColumn.loss && k < YiColumn.loss + 4
        ? Math.abs(v - cr[k]) <= 1e-3 * Math.max(cr[k], 1e-6)
        : v === cr[k]);
      if (!same) outliers++;
    }
    // A sample within f32 rounding of the verifier's edge may be kept on one side only: with
    // n₁ + 2n₂ decisions per replicate and SwiftShader's ~2e-4 sin/cos error, a few percent.
    expect(outliers).toBeLessThanOrEqual(Math.ceil(spec.replicates * 0.05));
  });

  it('the shared layout computes every replicate of every cell as the per-replicate layout does, bit for bit, and as the twin does', async () => {
    // Two groups (σ), cells interleaved, a tile's worth and a part; n₂ over two tiles.
    const cells = [0.5, 1].flatMap((sigma) => Array.from({ length: 70 }, (_, i) =>
      parseYiGridSpec({ model: 'yi-grid', d: 3, n1: 30, n2: 300, sigma, bias: (i % 7) * 0.05, radius: 0.05 + Math.floor(i / 7) * 0.05, replicates: 24, seed: 'layouts' })));
    const rows: Float32Array[] = [];
    for (const layout of ['per-replicate', 'shared'] as const) {
      const run = await YiGridGpu.create(gpu, cells, {}, layout);
      expect(run.layout).toBe(layout);
      await run.step();
      rows.push(await run.rows());
      run.destroy();
    }
    expect(rows[1]).toEqual(rows[0]);
    let outliers = 0;
    cells.forEach((cell, c) => {
      const twin = yiGridRows(cell);
      for (let r = 0; r < cell.replicates; r++) {
        const same = Array.from({ length: YI_COLUMNS }, (_, k) => [rows[1][(c * cell.replicates + r) * YI_COLUMNS + k], twin[r * YI_COLUMNS + k]])
          .every(([g, t], k) => (k >= YiColumn.loss && k < YiColumn.loss + 4 ? Math.abs(g - t) <= 1e-3 * Math.max(t, 1e-6) : g === t));
        if (!same) outliers++;
      }
    });
    expect(outliers).toBeLessThanOrEqual(Math.ceil(cells.length * cells[0].replicates * 0.01));
  });

  it('a sweep\'s cells equal the same specs run alone, bit for bit (the sweep shares samples, a lone cell draws its own)', async () => {
    const spec = parseSpec({ model: 'yi-grid', replicates: 300, seed: 'cells', backend: 'webgpu', sweep: { bias: [0, 0.2], radius: { start: 0.05, stop: 0.3, count: 160 } } });
    expect(chooseLayout(experimentCells(spec).specs as ResolvedYiGridSpec[], 8)).toBe('shared');
    const swept = await runExperiment(spec, { gpu });
    for (const cell of swept.cells!.filter((_, c) => c % 53 === 0)) {
      const alone = await runExperiment(parseSpec({ model: 'yi-grid', replicates: 300, seed: 'cells', backend: 'webgpu', ...cell.params }), { gpu });
      expect(cell.generations).toEqual(alone.generations);
    }
  });

  it('refuses, before any work, samples past what one loop of this adapter runs (four a trip)', async () => {
    const limit = gpu.adapter.loopIterationLimit;
    if (limit === null) return;
    const spec = small({ d: 2, n1: 10, n2: 4 * limit, replicates: 2 });
    await expect(YiGridGpu.create(gpu, [spec])).rejects.toThrow(`n1: yi-grid runs each replicate's samples in one loop, and this adapter ends a loop after ${limit} iterations`);
    await expect(YiGridGpu.create(gpu, [small({ d: 2, n1: 10, n2: 4 * (limit - 1), replicates: 2 })])).resolves.toBeDefined();
  });

  it('loss of OLS on real data: σ²d/(n₁ − d − 1) within 4 SE', async () => {
    for (const fields of [{ d: 5, n1: 100 }, { d: 3, n1: 12, sigma: 2 }]) {
      const spec = small({ ...fields, replicates: monteCarloReplicates });
      const [stats] = await (await yiGridModel.createStepper([spec], { kind: 'webgpu', gpu })).step(0);
      const expected = realLoss(spec.sigma, spec.d, spec.n1)!;
      expect(Math.abs(stats.loss0! - expected) / stats.loss0SE!).toBeLessThan(4);
    }
  });

  it('d = 1: the real acceptance rate matches the toolkit integrated over x within 4 SE', async () => {
    for (const fields of [{ bias: 0.2, radius: 0.1, slack: 0.5 }, { bias: 0, radius: 0.3, slack: 0.2, sigma: 0.7 }]) {
      const spec = small({ d: 1, n1: 50, ...fields, replicates: monteCarloReplicates });
      const [stats] = await (await yiGridModel.createStepper([spec], { kind: 'webgpu', gpu })).step(0);
      const expected = realAcceptRate1D(spec.bias, spec.radius, spec.slack, spec.sigma);
      expect(Math.abs(stats.acceptReal - expected) / stats.acceptRealSE!).toBeLessThan(4);
    }
  });

  it('the verifier helps when unbiased and hurts when far off: best is θ̂₁ or θ̂₂ at bias 0, θ̂₀ at large bias', async () => {
    const spec = parseSpec({ model: 'yi-grid', replicates: monteCarloReplicates / 5, seed: 'phase', backend: 'webgpu', sweep: { bias: [0, 1.5], radius: [0.05] } });
    const [unbiased, biased] = (await runExperiment(spec, { gpu })).cells!.map((c) => c.generations[0]);
    expect([1, 2]).toContain(unbiased.best);
    expect(unbiased.loss1!).toBeLessThan(unbiased.loss0! - 4 * unbiased.loss0SE!);
    expect(biased.best).toBe(0);
  });
});
