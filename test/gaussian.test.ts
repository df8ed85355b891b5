// Gaussian refitting (docs/science.md §5): the kernel against its float64 twin replicate by replicate
// on every working adapter, Monte Carlo against the closed forms within 4 standard errors, sweep
// cells against the same specs run alone, collapse reported without NaN, and spec validation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import { gaussianLoopCost } from '../src/models/gaussian/gpu.js';
import { samplesPerBlock } from '../src/core/gpu/chunks.js';
import { createGaussianStepper, gaussianModel, type GaussianGeneration } from '../src/models/gaussian/model.js';
import type { Backend, ReplicateRows } from '../src/core/engine/model.js';
import { rowsByCell } from './helpers/replicates.js';
import { parseGaussianSpec, type ResolvedGaussianSpec } from '../src/models/gaussian/spec.js';
import { GAUSSIAN_PRESETS } from '../src/models/gaussian/presets.js';
import { specErrorOf } from './helpers/spec-error.js';
import {
  digamma, expectedLogVariance, expectedMeanErr2, expectedVariance, gaussianClosedForms,
} from '../src/models/gaussian/theory.js';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();
const [fastest] = paths;

const spec = (fields: Record<string, unknown>) =>
  parseGaussianSpec({ model: 'gaussian', m: 10, generations: 3, replicates: 300, seed: 'gaussian', ...fields });

/** Runs every generation of `cells` together; per generation, each cell's statistics and (optionally) replicates. */
async function run(cells: ResolvedGaussianSpec[], backend: Backend, options: { chunkReplicates?: number; replicates?: boolean } = {}) {
  const stepper = await createGaussianStepper(cells, backend, { chunkReplicates: options.chunkReplicates });
  const generations: GaussianGeneration[][] = [];
  const replicates: ReplicateRows[][] = [];
  try {
    for (let t = 0; t <= cells[0].generations; t++) {
      generations.push(await stepper.step(t));
      if (options.replicates) replicates.push(rowsByCell(await stepper.replicateRows(), cells.length));
    }
  } finally {
    stepper.destroy();
  }
  return { generations, replicates };
}

/**
 * WGSL's sin/cos are accurate to 2^-11 absolute, so a GPU normal may differ from the twin's by
 * about |z|·2^-11; each generation's fit carries that as a relative error of a few 2^-11.
 */
const PER_GENERATION_TOLERANCE = 4 * 2 ** -11;

const TWIN_CASES: [string, Record<string, unknown>][] = [
  ['dim 1, MLE', { dim: 1 }],
  ['dim 3, unbiased, σ = 2.5, μ = (1, −2, 3)', { dim: 3, m: 7, estimator: 'unbiased', sigma: 2.5, mean: [1, -2, 3] }],
  ['dim 16 (largest), m = 40', { dim: 16, m: 40, generations: 2 }],
  // Several dispatches per generation where the adapter limits loop iterations (llvmpipe).
  ['long sample loops: dim 5, m = 10000', { dim: 5, m: 10_000, generations: 1, replicates: 64 }],
];

describe.each(paths)('gaussian kernel ≡ twin on %s', (path) => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: path }); });
  afterAll(() => gpu?.device.destroy());

  it('the long case needs several sample blocks wherever loops are limited', () => {
    const limit = gpu.adapter.loopIterationLimit;
    if (limit !== null) expect(samplesPerBlock(limit, gaussianLoopCost(5), { name: 'dim', value: 5 })).toBeLessThan(10_000);
  });

  it.each(TWIN_CASES)('%s: μ̂ − μ and tr Σ̂/dim per replicate', async (_name, fields) => {
    const cell = spec(fields);
    const onGpu = await run([cell], { kind: 'webgpu', gpu }, { replicates: true });
    const onTwin = await run([cell], { kind: 'cpu' }, { replicates: true });
    for (let t = 0; t <= cell.generations; t++) {
      const [g] = onGpu.replicates[t], [c] = onTwin.replicates[t];
      const tolerance = PER_GENERATION_TOLERANCE * (t + 1);
      expect(g.collapsed).toEqual(c.collapsed);
      let worstMean = 0, worstVariance = 0;
      for (let r = 0; r < cell.replicates; r++) {
        worstVariance = Math.max(worstVariance, Math.abs(g.variance[r] / c.variance[r] - 1));
        for (let j = 0; j < cell.dim; j++) {
          worstMean = Math.max(worstMean, Math.abs(g.meanError[r * cell.dim + j] - c.meanError[r * cell.dim + j]) / cell.sigma);
        }
      }
      expect(worstVariance, `generation ${t}`).toBeLessThan(tolerance);
      expect(worstMean, `generation ${t}`).toBeLessThan(tolerance);
      const [gs] = onGpu.generations[t], [cs] = onTwin.generations[t];
      expect(gs.replicates).toBe(cs.replicates);
      expect(Math.abs(gs.logVarMedian! - cs.logVarMedian!)).toBeLessThan(tolerance);
    }
  });

  it('a sweep of m and σ: every cell per replicate', async () => {
    const cells = [{ m: 6 }, { m: 11, sigma: 2 }, { m: 6, sigma: 0.5 }].map((fields) => spec({ dim: 2, ...fields }));
    const onGpu = await run(cells, { kind: 'webgpu', gpu }, { replicates: true });
    const onTwin = await run(cells, { kind: 'cpu' }, { replicates: true });
    const last = cells[0].generations;
    cells.forEach((cell, c) => {
      const g = onGpu.replicates[last][c], w = onTwin.replicates[last][c];
      for (let r = 0; r < cell.replicates; r++) {
        expect(Math.abs(g.variance[r] / w.variance[r] - 1)).toBeLessThan(PER_GENERATION_TOLERANCE * (last + 1));
      }
    });
  });

  it('collapse (m = 2, MLE): counted, excluded, the median null past one half, never NaN', async () => {
    // log σ̂² drifts by ψ(1/2) = −1.96 per generation: below log 1e-30 ≈ −69 after about 35.
    const cell = spec({ m: 2, generations: 120, replicates: 256 });
    const results = [await run([cell], { kind: 'webgpu', gpu }), await run([cell], { kind: 'cpu' })];
    for (const { generations } of results) {
      const stats = generations.map(([g]) => g);
      for (let t = 1; t < stats.length; t++) expect(stats[t].collapsed).toBeGreaterThanOrEqual(stats[t - 1].collapsed);
      for (const g of stats) {
        expect(g.replicates).toBe(Math.round((1 - g.collapsed) * cell.replicates));
        expect(g.logVarMedian === null).toBe(g.collapsed >= 0.5);
      }
      expect(stats[0].collapsed).toBe(0);
      expect(stats.at(-1)).toEqual({
        t: 120, meanErr2: null, meanErr2SE: null, varMean: null, varMeanSE: null, logVarMean: null,
        logVarMeanSE: null, logVarMedian: null, collapsed: 1, replicates: 0,
      });
      expect(JSON.stringify(stats)).not.toMatch(/NaN|Infinity/);
    }
    // Both backends cross the threshold at about the same generations (not exactly: f32 rounding
    // of a two-sample variance can move a replicate across 1e-30 a generation earlier or later).
    const [onGpu, onTwin] = results.map(({ generations }) => generations.map(([g]) => g.collapsed));
    for (let t = 0; t <= cell.generations; t++) expect(Math.abs(onGpu[t] - onTwin[t])).toBeLessThan(0.05);
  });
});

describe.each(paths)('gaussian sweeps on %s', (path) => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: path }); });
  afterAll(() => gpu?.device.destroy());

  // R = 300 is no multiple of the reduction's 256 rows, so cells and chunks cut through its blocks.
  const cells = [{ m: 5 }, { m: 9, sigma: 3 }, { m: 5, sigma: 0.25 }].map((fields) => spec({ dim: 3, estimator: 'unbiased', ...fields }));

  it.each(['webgpu', 'cpu'] as const)('on %s, cells run together equal each cell run alone, bit for bit', async (kind) => {
    const backend: Backend = kind === 'webgpu' ? { kind, gpu } : { kind };
    const together = await run(cells, backend);
    for (const [c, cell] of cells.entries()) {
      const alone = await run([cell], backend);
      expect(together.generations.map((g) => g[c])).toEqual(alone.generations.map((g) => g[0]));
    }
  });

  it('the statistics do not depend on the chunking', async () => {
    const whole = await run(cells, { kind: 'webgpu', gpu });
    // 256: pieces of one cell; 768: two whole cells per chunk.
    for (const chunkReplicates of [256, 768]) {
      expect((await run(cells, { kind: 'webgpu', gpu }, { chunkReplicates })).generations).toEqual(whole.generations);
    }
  });
});

describe('the fit is equivariant', () => {
  it('μ changes nothing; σ scales every moment by σ² and shifts the logs by log σ²', async () => {
    const [base] = (await run([spec({ dim: 2 })], { kind: 'cpu' })).generations.at(-1)!;
    const [moved] = (await run([spec({ dim: 2, mean: [40, -7] })], { kind: 'cpu' })).generations.at(-1)!;
    expect(moved).toEqual(base);
    const [scaled] = (await run([spec({ dim: 2, sigma: 3 })], { kind: 'cpu' })).generations.at(-1)!;
    expect(scaled.varMean).toBeCloseTo(9 * base.varMean!, 12);
    expect(scaled.meanErr2SE).toBeCloseTo(9 * base.meanErr2SE!, 12);
    expect(scaled.logVarMedian).toBeCloseTo(base.logVarMedian! + Math.log(9), 12);
  });
});

describe('closed forms', () => {
  it('digamma: ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, ψ(n + 1) = H_n − γ, ψ(x + 1) = ψ(x) + 1/x', () => {
    const gamma = 0.5772156649015329;
    expect(digamma(1)).toBeCloseTo(-gamma, 12);
    expect(digamma(0.5)).toBeCloseTo(-gamma - 2 * Math.LN2, 12);
    let harmonic = 0;
    for (let n = 1; n <= 60; n++) {
      harmonic += 1 / n;
      expect(digamma(n + 1)).toBeCloseTo(harmonic - gamma, 12);
    }
    for (const x of [0.3, 2.7, 5.99, 49.5, 1e4]) expect(digamma(x + 1) - digamma(x)).toBeCloseTo(1 / x, 12);
  });

  it('E‖μ̂ − μ‖² is dim/M times the sum of the earlier generations\' E σ̂² (g = t + 1)', () => {
    for (const estimator of ['mle', 'unbiased']) {
      const cell = spec({ dim: 3, m: 12, sigma: 1.5, estimator, generations: 20 });
      let sum = cell.sigma ** 2;  // E σ̂² of the truth, "generation −1"
      for (let t = 0; t <= 20; t++) {
        expect(expectedMeanErr2(cell, t)).toBeCloseTo((cell.dim / cell.m) * sum, 12);
        sum += expectedVariance(cell, t);
      }
    }
  });

  it('the headline closed form: E σ̂² for the MLE, E log σ̂² for the unbiased fit in one dimension, else E‖μ̂ − μ‖²', () => {
    expect(gaussianClosedForms(spec({ dim: 1 }))[0].metric).toBe('varMean');
    expect(gaussianClosedForms(spec({ dim: 1, estimator: 'unbiased' }))[0].metric).toBe('logVarMean');
    expect(gaussianClosedForms(spec({ dim: 2, estimator: 'unbiased' }))[0].metric).toBe('meanErr2');
    expect(gaussianClosedForms(spec({ dim: 2 })).map((c) => c.metric)).toEqual(['varMean', 'meanErr2']);
    expect(gaussianModel.closedForms!(spec({ dim: 1 }))[0].values).toEqual([0, 1, 2, 3].map((t) => 0.9 ** (t + 1)));
  });
});

const THEORY_CASES: Record<string, unknown>[] = [
  { dim: 1, m: 10, estimator: 'mle', generations: 6 },
  { dim: 1, m: 20, estimator: 'unbiased', generations: 8, sigma: 2.5, mean: 3 },
  { dim: 3, m: 8, estimator: 'mle', generations: 5, sigma: 0.5 },
  { dim: 4, m: 30, estimator: 'unbiased', generations: 5 },
];

/** Every metric with a closed form at generation t within 4 standard errors; returns how many were checked. */
function expectWithinFourSE(cell: ResolvedGaussianSpec, generations: GaussianGeneration[][]): number {
  let checked = 0;
  for (const [g] of generations) {
    expect(g.collapsed).toBe(0);
    const pairs: [number | null, number | null, number | null, string][] = [
      [g.varMean, g.varMeanSE, expectedVariance(cell, g.t), 'varMean'],
      [g.meanErr2, g.meanErr2SE, expectedMeanErr2(cell, g.t), 'meanErr2'],
      [g.logVarMean, g.logVarMeanSE, expectedLogVariance(cell, g.t), 'logVarMean'],
    ];
    for (const [value, se, expected, name] of pairs) {
      if (expected === null) continue;
      expect(Math.abs(value! - expected) / se!, `${name} at t = ${g.t}: ${value} ± ${se} vs ${expected}`).toBeLessThan(4);
      checked++;
    }
  }
  return checked;
}

describe(`Monte Carlo vs closed forms on ${fastest}`, () => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: fastest }); });
  afterAll(() => gpu?.device.destroy());

  it.each(THEORY_CASES)('E σ̂², E‖μ̂ − μ‖² and E log σ̂² (%o)', async (fields) => {
    const cell = spec({ replicates: 20_000, seed: 'theory', ...fields });
    const checked = expectWithinFourSE(cell, (await run([cell], { kind: 'webgpu', gpu })).generations);
    // E log σ̂² is exact at every generation in one dimension, at t = 0 only above.
    expect(checked).toBe((cell.generations + 1) * (cell.dim === 1 ? 3 : 2) + (cell.dim === 1 ? 0 : 1));
  });

  it('shumailov-gaussian: E σ̂² decays as ((M−1)/M)^(t+1) while the median falls far below it', async () => {
    const cell = parseGaussianSpec(GAUSSIAN_PRESETS['shumailov-gaussian'].spec);
    const stats = (await run([cell], { kind: 'webgpu', gpu })).generations.map(([g]) => g);
    const last = stats.at(-1)!;
    expect(Math.abs(last.varMean! - expectedVariance(cell, last.t)) / last.varMeanSE!).toBeLessThan(4);
    expect(last.varMean!).toBeLessThan(0.15);
    expect(Math.exp(last.logVarMedian!)).toBeLessThan(0.1 * last.varMean!);
    expect(Math.abs(last.logVarMean! - expectedLogVariance(cell, last.t)!) / last.logVarMeanSE!).toBeLessThan(4);
  });

  it('gaussian-unbiased: E σ̂² stays at σ² while the median collapses', async () => {
    const cell = parseGaussianSpec(GAUSSIAN_PRESETS['gaussian-unbiased'].spec);
    const stats = (await run([cell], { kind: 'webgpu', gpu })).generations.map(([g]) => g);
    const last = stats.at(-1)!;
    expect(Math.abs(last.varMean! - 1) / last.varMeanSE!).toBeLessThan(4);
    expect(Math.exp(last.logVarMedian!)).toBeLessThan(0.15);
    expect(Math.abs(last.logVarMean! - expectedLogVariance(cell, last.t)!) / last.logVarMeanSE!).toBeLessThan(4);
  });
});

describe('Monte Carlo vs closed forms on the CPU twin', () => {
  it('unbiased, dim 2', async () => {
    const cell = spec({ dim: 2, m: 12, estimator: 'unbiased', generations: 4, replicates: 4000, seed: 'twin-theory' });
    expect(expectWithinFourSE(cell, (await run([cell], { kind: 'cpu' })).generations)).toBe(11);
  });
});

/** The lines of the SpecError that `make` throws. */
const problems = (make: () => unknown): string[] => specErrorOf(make).split('\n');

describe('gaussian spec', () => {
  const base = { model: 'gaussian', m: 10, generations: 3, replicates: 8 };

  it('fills every default; a number mean fills every coordinate', () => {
    expect(parseGaussianSpec(base)).toEqual({
      model: 'gaussian', dim: 1, m: 10, estimator: 'mle', mean: [0], sigma: 1, generations: 3, replicates: 8, seed: 1, backend: 'auto',
    });
    expect(parseGaussianSpec({ ...base, dim: 3, mean: 2 }).mean).toEqual([2, 2, 2]);
    const resolved = parseGaussianSpec({ ...base, dim: 2, mean: [1, -1], estimator: 'unbiased', sigma: 0.5, seed: 'x' });
    expect(parseGaussianSpec(resolved)).toEqual(resolved);
  });

  it.each<[Record<string, unknown>, string[]]>([
    [{ dim: 0 }, ['dim: must be an integer between 1 and 16, got 0']],
    [{ dim: 17 }, ['dim: must be an integer between 1 and 16, got 17']],
    [{ m: 1 }, ['m: must be an integer between 2 and 16777216, got 1']],
    [{ m: 2.5 }, ['m: must be an integer between 2 and 16777216, got 2.5']],
    [{ dim: 4, m: 4 }, ['m: a full covariance in dim = 4 needs m ≥ dim + 1 = 5 samples, got 4']],
    [{ estimator: 'median' }, ['estimator: must be one of "mle", "unbiased", got "median"']],
    [{ sigma: 0 }, ['sigma: must be a number between 1e-30 and 1e+30, got 0']],
    [{ sigma: 'wide' }, ['sigma: must be a number between 1e-30 and 1e+30, got "wide"']],
    [{ dim: 3, mean: [1, 2] }, ['mean: must have dim = 3 entries, got 2']],
    [{ mean: 'origin' }, ['mean: must be a number or an array of numbers, got "origin"']],
    [{ mean: [1, 'a'] }, ['mean.1: must be a finite number, got "a"']],
    [{ generations: 10_001 }, ['generations: must be an integer between 0 and 10000, got 10001']],
    [{ replicates: 0 }, ['replicates: must be an integer between 1 and 2147483647, got 0']],
    [{ backend: 'gpu' }, ['backend: must be one of "auto", "webgpu", "cpu", got "gpu"']],
    [{ m: undefined, model: 'gaussian' }, ['m: must be an integer between 2 and 16777216, got nothing']],
    [{ estimater: 'mle' }, ['estimater: unknown field (did you mean "estimator"?)']],
    [{ dim: 0, estimator: 'x', sigma: -1 }, [
      'dim: must be an integer between 1 and 16, got 0',
      'estimator: must be one of "mle", "unbiased", got "x"',
      'sigma: must be a number between 1e-30 and 1e+30, got -1',
    ]],
  ])('rejects %o', (fields, expected) => {
    expect(problems(() => parseGaussianSpec({ ...base, ...fields }))).toEqual(expected);
  });

  it('a sweep is the engine\'s to strip: the model\'s own parse rejects it, and lists what may vary', () => {
    expect(problems(() => parseGaussianSpec({ ...base, sweep: { m: [10, 20] } }))[0]).toMatch(/^sweep: unknown field/);
    expect(gaussianModel.sweepable).toEqual(['m', 'sigma']);
  });

  it('every preset parses', () => {
    for (const preset of Object.values(GAUSSIAN_PRESETS)) expect(() => parseGaussianSpec(preset.spec)).not.toThrow();
  });
});
