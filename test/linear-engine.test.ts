// Engine invariants: the bias–variance identity, failed solves counted (never NaN), results
// independent of chunking, and the batched ridge solve against its closed form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import { runExperiment } from '../src/models/index.js';
import { gpuSolve } from '../src/core/gpu/solve.js';
import { choleskySolve, packedIndex, packedSize } from '../src/core/cpu/cholesky.js';
import { parseLinearSpec } from '../src/models/linear/spec.js';
import { minimumNormFit } from '../src/models/linear/twin.js';
import { Matrix, pseudoInverse } from 'ml-matrix';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();

describe.each(paths)('engine invariants on %s', (path) => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: path }); });
  afterAll(() => gpu?.device.destroy());

  it('mse = bias² + variance at every generation, with and without a verifier', async () => {
    for (const verifier of [{ kind: 'none' }, { kind: 'ball', bias: 0.3, radius: 0.2 }]) {
      const spec = parseLinearSpec({ model: 'linear', d: 5, n0: 30, n: 30, generations: 4, replicates: 2000, verifier });
      for (const g of (await runExperiment(spec, { gpu })).generations) {
        expect(g.bias2!).toBeGreaterThanOrEqual(0);
        expect(g.variance!).toBeGreaterThan(0);
        expect(Math.abs(g.mse! - (g.bias2! + g.variance!))).toBeLessThanOrEqual(1e-12 * g.mse!);
      }
    }
  });

  it('n = d − 1, σ = 1000 (the worst-conditioned minimum-norm fit): every statistic finite (a fit whose XXᵀ fails the pivot test counts as failed)', async () => {
    const spec = parseLinearSpec({ model: 'linear', d: 16, sigma: 1000, n0: 15, n: 15, generations: 3, replicates: 512 });
    for (const g of (await runExperiment(spec, { gpu })).generations) {
      expect(g.replicates! + g.failed!).toBe(512);
      expect(g.replicates!).toBeGreaterThan(0);
      for (const value of [g.mse, g.mseSE, g.risk, g.bias2, g.variance]) expect(Number.isFinite(value), `t = ${g.t}`).toBe(true);
    }
  });

  it('n < d with a ridge that underflows f32 (λ = 1e-300) is a ridge fit, not the minimum-norm one: it fails on both backends', async () => {
    const spec = parseLinearSpec({ model: 'linear', d: 6, n0: 4, n: 3, ridgeLambda: 1e-300, generations: 1, replicates: 64 });
    for (const result of [await runExperiment({ ...spec, backend: 'webgpu' }, { gpu }), await runExperiment({ ...spec, backend: 'cpu' })]) {
      for (const g of result.generations) {
        expect(g.failed).toBe(64);
        expect(g.mse).toBeNull();
      }
    }
  });

  it('a verifier that accepts nothing: acceptance 0, every replicate failed, no NaN', async () => {
    const spec = parseLinearSpec({ model: 'linear', d: 4, n0: 20, n: 20, generations: 2, replicates: 512,
      verifier: { kind: 'ball', bias: 0, radius: 0, slack: 0 } });
    for (const backend of ['webgpu', 'cpu'] as const) {
      const result = await runExperiment({ ...spec, backend }, { gpu });
      const [first, second, ...later] = result.generations;
      expect(first.failed).toBe(0);
      expect(first.mse!).toBeGreaterThan(0);
      expect(first.acceptRate).toBeNull(); // generation 0 is real data: nothing to verify
      expect(second.acceptRate).toBe(0);
      for (const g of [second, ...later]) {
        expect(g.failed).toBe(512);
        expect(g.mse).toBeNull();
        expect(g.mseSE).toBeNull();
      }
      for (const g of later) expect(g.acceptRate).toBeNull(); // no replicate left to offer samples
      expect(JSON.stringify(result.generations)).not.toMatch(/NaN|Infinity/);
    }
  });

  it('a sparse verifier fails some replicates and excludes them from then on', async () => {
    const spec = parseLinearSpec({ model: 'linear', d: 6, n0: 30, n: 12, generations: 3, replicates: 1024,
      verifier: { kind: 'ball', bias: 0, radius: 0.05, slack: 0.3 } });
    const result = await runExperiment(spec, { gpu });
    const failed = result.generations.map((g) => g.failed);
    expect(failed[1]).toBeGreaterThan(0);
    expect(failed[1]).toBeLessThan(1024);
    for (let t = 1; t < failed.length; t++) expect(failed[t]!).toBeGreaterThanOrEqual(failed[t - 1]!);
    for (const g of result.generations) expect(g.replicates! + g.failed!).toBe(1024);
  });

  it.each([4, 21])('same seed: bit-identical statistics whatever the chunking (d = %i)', async (d) => {
    const spec = parseLinearSpec({ model: 'linear', mode: 'accumulate', d, n0: 40, n: 20, generations: 3, replicates: 1000, seed: 'chunks' });
    const whole = await runExperiment(spec, { gpu });
    const chunked = await runExperiment(spec, { gpu, chunkReplicates: 256 });
    expect(chunked.generations).toEqual(whole.generations);
    const again = await runExperiment(spec, { gpu, chunkReplicates: 512 });
    expect(again.generations).toEqual(whole.generations);
  });

  it('batched ridge solve: diagonal systems match b/(a + λ), random SPD systems match the twin, singular ones are flagged', async () => {
    const d = 7, P = packedSize(d), lambda = 0.5;
    const systems = new Float32Array(3 * (P + d));
    const diagonal = [2, 3, 5, 7, 11, 13, 17];
    for (let j = 0; j < d; j++) {
      systems[packedIndex(j, j)] = diagonal[j];
      systems[P + j] = j + 1;
    }
    // A random SPD matrix MᵀM + I, packed.
    const M = Array.from({ length: d * d }, (_, k) => Math.sin(k * 1.7) * 2);
    const spd = new Float64Array(P), rhs = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        let s = i === j ? 1 : 0;
        for (let k = 0; k < d; k++) s += M[k * d + i] * M[k * d + j];
        spd[packedIndex(i, j)] = Math.fround(s);
      }
      rhs[i] = Math.fround(Math.cos(i));
    }
    systems.set(spd, P + d);
    systems.set(rhs, P + d + P);
    // The third system is all zeros: singular without ridge... and λ > 0 makes it λI, so
    // instead give it a negative diagonal, not positive definite even with λ.
    for (let j = 0; j < d; j++) systems[2 * (P + d) + packedIndex(j, j)] = -1;
    const { solutions, solved } = await gpuSolve(gpu.device, d, systems, lambda);
    expect(solved).toEqual([true, true, false]);
    for (let j = 0; j < d; j++) expect(solutions[j]).toBeCloseTo((j + 1) / (diagonal[j] + lambda), 6);
    const twin = rhs.slice();
    expect(choleskySolve(spd.slice(), twin, lambda, d)).toBe(true);
    for (let j = 0; j < d; j++) expect(Math.abs(solutions[d + j] - twin[j])).toBeLessThan(1e-4 * Math.max(1, Math.abs(twin[j])));
    expect([...solutions.slice(2 * d)].every((v) => v === 0)).toBe(true);
  });
});

describe('the twin\'s minimum-norm fit', () => {
  it('is the pseudo-inverse solution X⁺y (ml-matrix, by SVD) for n < d, and interpolates', () => {
    let state = 7;
    const uniform = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
    for (const [n, d] of [[1, 3], [4, 9], [7, 8], [15, 16]]) {
      const rows = Array.from({ length: n }, () => Float64Array.from({ length: d }, uniform));
      const labels = Array.from({ length: n }, uniform);
      const theta = minimumNormFit(rows, labels, d)!;
      const expected = pseudoInverse(new Matrix(rows.map((r) => Array.from(r)))).mmul(Matrix.columnVector(labels)).getColumn(0);
      for (let k = 0; k < d; k++) expect(theta[k]).toBeCloseTo(expected[k], 9);
      rows.forEach((row, i) => expect(row.reduce((sum, x, k) => sum + x * theta[k], 0)).toBeCloseTo(labels[i], 9));
    }
  });
});
