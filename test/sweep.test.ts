// Sweeps: every cell runs in the same dispatches, equals the same spec run alone (same seed,
// common random numbers), and bad grids fail with field-naming messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSweepCells } from '../src/core/engine/experiment.js';
import type { CommonSpec } from '../src/core/engine/model.js';
import { MODELS, runExperiment, experimentCells, parseSpec } from '../src/models/index.js';
import { fixtureCases } from './helpers/fixtures.js';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import { SpecError } from '../src/core/spec/errors.js';
import type { ResolvedLinearSpec } from '../src/models/linear/spec.js';
import { linspace, sweepCells } from '../src/core/spec/sweep.js';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();

const base = {
  model: 'linear', d: 4, n0: 30, n: 22, generations: 2, replicates: 300, seed: 'sweep',
  verifier: { kind: 'ball', bias: 0.1, radius: 0.2, direction: 'ones' },
};
const sweep = { 'verifier.bias': [0, 0.3], 'verifier.radius': { start: 0.1, stop: 0.4, count: 3 }, n: [22, 41] };

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof SpecError) return error.message.split('\n');
    throw error;
  }
  return [];
}

describe('sweep grids', () => {
  it('are the Cartesian product, first axis slowest, ranges with both ends', () => {
    expect(linspace(0, 1, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(sweepCells({ a: [1, 2], b: [3, 4, 5] })).toEqual([
      { a: 1, b: 3 }, { a: 1, b: 4 }, { a: 1, b: 5 }, { a: 2, b: 3 }, { a: 2, b: 4 }, { a: 2, b: 5 },
    ]);
    expect(parseSpec({ ...base, sweep }).sweep).toEqual({ 'verifier.bias': [0, 0.3], 'verifier.radius': [0.1, 0.25, 0.4], n: [22, 41] });
  });
  it('resolve each cell\'s own defaults: syntheticSigma and the verifier slack follow a swept sigma', () => {
    const specs = experimentCells(parseSpec({ ...base, sweep: { sigma: [0.5, 2] } })).specs as ResolvedLinearSpec[];
    expect(specs.map((s) => [s.sigma, s.syntheticSigma])).toEqual([[0.5, 0.5], [2, 2]]);
    expect(specs.map((s) => s.verifier.kind === 'ball' && s.verifier.slack)).toEqual([0.5, 2].map((sigma) => Math.sqrt(2 / Math.PI) * sigma));
  });
  it('reject fields a sweep cannot vary, bad axes, and invalid cells', () => {
    expect(problems(() => parseSpec({ ...base, sweep: { d: [2, 3] } })))
      .toEqual([expect.stringMatching(/^sweep\.d: is not a field a sweep can vary; sweepable: "sigma", .*"verifier\.radius"/)]);
    expect(problems(() => parseSpec({ ...base, sweep: { sigma: [] } }))).toEqual(['sweep.sigma: must list at least one value, got []']);
    expect(problems(() => parseSpec({ ...base, sweep: { sigma: { start: 1, stop: 2 } } })))
      .toEqual(['sweep.sigma.count: must be an integer between 1 and 1000000, got nothing']);
    expect(problems(() => parseSpec({ ...base, sweep: { sigma: [1, -1] } })))
      .toEqual(['sigma: must be a number > 0 and ≤ 1000, got -1 (in the sweep cell sigma = -1)']);
  });
});

describe.each([...paths, 'cpu' as const])('a sweep on %s', (path) => {
  let gpu: GpuContext | undefined;
  beforeAll(async () => { if (path !== 'cpu') gpu = await acquireDevice({ adapter: path }); });
  afterAll(() => gpu?.device.destroy());
  const backend = path === 'cpu' ? 'cpu' : 'webgpu';

  it('runs all cells in one run, each equal to the same spec run alone', async () => {
    const spec = parseSpec({ ...base, backend, sweep });
    const swept = await runExperiment(spec, { gpu });
    expect(swept.cells).toHaveLength(12);
    expect(swept.generations).toEqual([]);
    for (const cell of swept.cells!) {
      const alone = parseSpec({
        ...base, backend, n: cell.params.n,
        verifier: { ...base.verifier, bias: cell.params['verifier.bias'], radius: cell.params['verifier.radius'] },
      });
      const single = await runExperiment(alone, { gpu });
      expect(cell.generations).toEqual(single.generations);
    }
    // Different parameters, different results: the cells are not copies of one another.
    expect(swept.cells![0].generations[2].mse).not.toEqual(swept.cells![11].generations[2].mse);
  });
});

describe('the sweep-shape check (checkSweepCells)', () => {
  it.each(Object.keys(MODELS))('%s: cells may differ in sweepable fields only', (name) => {
    const model = MODELS[name];
    const [, fields] = fixtureCases('shard').find(([, spec]) => spec.model === name)!;
    const { sweep: _, ...plain } = fields;
    const cell = model.parse(plain) as CommonSpec & Record<string, unknown>;
    expect(() => checkSweepCells(model, [cell, { ...cell }])).not.toThrow();
    expect(() => checkSweepCells(model, [cell, { ...cell, replicates: cell.replicates + 1 }])).toThrow(/cell 1 differs in replicates/);
    const [swept] = model.sweepable.filter((path) => !path.includes('.') && typeof cell[path] === 'number');
    if (swept) expect(() => checkSweepCells(model, [cell, { ...cell, [swept]: (cell[swept] as number) + 1 }])).not.toThrow();
  });
});
