// Monte Carlo against the exact closed forms of docs/science.md §1, within 4 standard errors,
// on the fastest working adapter and on the CPU twin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import { runExperiment } from '../src/models/index.js';
import { parseLinearSpec } from '../src/models/linear/spec.js';
import { accumulateFixedRisk, linearTheory, replaceFixedRisk, replaceRisk } from '../src/models/linear/theory.js';
import type { RunOutput } from '../src/core/engine/run.js';
import { workingPaths } from './helpers/adapters.js';

const [fastest] = await workingPaths();

/** The risk and the mse each against its closed form (equal for Σ = I), at every generation. */
function expectWithinFourSE(result: RunOutput, theory: (t: number, norm: 'risk' | 'mse') => number | null) {
  for (const g of result.generations) {
    expect(g.failed).toBe(0);
    for (const norm of ['risk', 'mse'] as const) {
      const expected = theory(g.t, norm);
      expect(expected, `${norm} theory at t = ${g.t}`).not.toBeNull();
      const measured = g[norm]!, se = g[`${norm}SE`]!;
      expect(Math.abs(measured - expected!) / se, `${norm} at t = ${g.t}: ${measured} vs ${expected} ± ${se}`).toBeLessThan(4);
    }
  }
}

const REPLACE_CASES = [
  { d: 3, n0: 15, n: 12, sigma: 0.5, generations: 6 },
  { d: 8, n0: 40, n: 30, sigma: 1, syntheticSigma: 1.5, generations: 4 },
  { d: 16, n0: 60, n: { kind: 'linear', start: 40, slope: 10 }, sigma: 2, generations: 3 },
];

describe(`Monte Carlo vs closed form on ${fastest}`, () => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: fastest }); });
  afterAll(() => gpu?.device.destroy());

  it.each(REPLACE_CASES)('replace, fresh design: risk_t = σ²d/(n₀−d−1) + Σ σ_s²d/(n_s−d−1) (%o)', async (params) => {
    const spec = parseLinearSpec({ model: 'linear', mode: 'replace', replicates: 40_000, seed: 'theory', ...params });
    const result = await runExperiment(spec, { gpu });
    expectWithinFourSE(result, (t, norm) => replaceRisk(spec, t, norm));
    // Collapse: linear growth, the last generation well above the first.
    expect(result.generations.at(-1)!.mse!).toBeGreaterThan(result.generations[0].mse! * 1.5);
  });

  // n < d without ridge: the minimum-norm fit, e_t = (n/d)·e_{t−1} + (1 − n/d)‖θ*‖² + σ_t²n/(d − n − 1).
  // d − n ≥ 4 keeps the fourth moment of X⁺ε finite, so the standard error is a fair yardstick.
  it.each([
    { d: 12, n0: 6, n: 6, sigma: 1, generations: 6 },
    { d: 16, n0: 8, n: 10, sigma: 0.1, syntheticSigma: 0, generations: 8 },
  ])('replace, fresh design, n < d: minimum-norm recursion, error → ‖θ*‖² + v/(1 − n/d) (%o)', async (params) => {
    const spec = parseLinearSpec({ model: 'linear', mode: 'replace', replicates: 40_000, seed: 'minimum-norm', ...params });
    const result = await runExperiment(spec, { gpu });
    expectWithinFourSE(result, (t, norm) => replaceRisk(spec, t, norm));
    // Collapse toward the zero estimate: at least 90 % of the way to its limit.
    const p = spec.schedule.n[1] / spec.d, v = spec.syntheticSigma ** 2 * spec.schedule.n[1] / (spec.d - spec.schedule.n[1] - 1);
    expect(result.generations.at(-1)!.mse!).toBeGreaterThan(0.9 * (1 + v / (1 - p)));
  });

  // A power-law Σ: an OLS refit's noise has E δᵀΣδ = σ²d/(n − d − 1) whatever Σ is, and E‖δ‖² = σ² tr Σ⁻¹/(n − d − 1).
  it.each([
    { mode: 'replace', design: 'fresh', d: 6, n0: 30, n: 24, generations: 4, spectrum: { kind: 'power', exponent: 1 } },
    { mode: 'replace', design: 'fixed', d: 5, n0: 25, n: 25, generations: 4, spectrum: { kind: 'power', exponent: 1.5 } },
    { mode: 'accumulate', design: 'fixed', d: 5, n0: 25, n: 25, generations: 6, spectrum: { kind: 'power', exponent: 2 } },
  ])('power-law Σ, OLS: the risk as for Σ = I, the mse with tr Σ⁻¹ for d (%o)', async (params) => {
    const spec = parseLinearSpec({ model: 'linear', replicates: 40_000, seed: 'power-law', ...params });
    const result = await runExperiment(spec, { gpu });
    expectWithinFourSE(result, (t, norm) => linearTheory(spec, t, norm));
    // The two norms differ here: the mse is tr Σ⁻¹/d times the risk.
    const last = result.generations.at(-1)!;
    expect(last.mse! / last.risk!).toBeGreaterThan(2);
  });

  it('accumulate, fixed design: risk_t = c·Σ_{i≤t+1} 1/i², bounded', async () => {
    const spec = parseLinearSpec({ model: 'linear', mode: 'accumulate', design: 'fixed', d: 5, n0: 25, n: 25, generations: 8, replicates: 40_000, seed: 'accumulate' });
    const result = await runExperiment(spec, { gpu });
    expectWithinFourSE(result, (t, norm) => accumulateFixedRisk(spec, t, norm));
    const c = 5 / (25 - 5 - 1);
    expect(result.generations.at(-1)!.mse!).toBeLessThan(c * Math.PI ** 2 / 6 + 4 * result.generations.at(-1)!.mseSE!);
  });
});

describe('Monte Carlo vs closed form on the CPU twin', () => {
  it('replace, fresh design', async () => {
    const spec = parseLinearSpec({ model: 'linear', d: 4, n0: 20, n: 16, generations: 3, replicates: 20_000, seed: 'twin-theory', backend: 'cpu' });
    expectWithinFourSE(await runExperiment(spec), (t, norm) => linearTheory(spec, t, norm));
  });
  it.each([
    { d: 10, n0: 4, n: 4, sigma: 0.5, syntheticSigma: 1 },
    { d: 4, n0: 12, n: 12, sigma: 1 },
  ])('replace, fixed design: risk_t = (1 − min(n, d)/d)‖θ*‖² + (σ² + tσ_s²)·c (%o)', async (params) => {
    const spec = parseLinearSpec({ model: 'linear', design: 'fixed', generations: 4, replicates: 20_000, seed: 'fixed', backend: 'cpu', ...params });
    expectWithinFourSE(await runExperiment(spec), (t, norm) => replaceFixedRisk(spec, t, norm));
  });
  it('replace, fresh design, minimum-norm and OLS fits alternating (given θ*, ‖θ*‖² = 4)', async () => {
    const spec = parseLinearSpec({
      model: 'linear', d: 8, n0: 3, n: { kind: 'list', values: [20, 4, 16] }, sigma: 0.5, theta: { kind: 'given', values: [2, 0, 0, 0, 0, 0, 0, 0] },
      generations: 3, replicates: 20_000, seed: 'twin-minimum-norm', backend: 'cpu',
    });
    expectWithinFourSE(await runExperiment(spec), (t, norm) => linearTheory(spec, t, norm));
  });
});
