// The categorical retraining loop (docs/science.md §4): the kernel against its float64 twin replicate
// by replicate (counts exactly, metrics to f32 accuracy) on every working adapter, Monte Carlo
// against the exact R_t recursion, sweep cells against the same specs run alone, the integer
// draw, and the spec's messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import {
  buildCategoricalProblem, categoricalModel, createCategoricalStepper, type CategoricalGenerationStats,
} from '../src/models/categorical/model.js';
import { CategoricalGpu, blockRanges, workgroupLayout, type CategoricalGpuOptions } from '../src/models/categorical/gpu.js';
import { CategoricalColumn } from '../src/models/categorical/twin.js';
import { FIXED_POINT_TOTAL, fixedPointCumulative, scaleWord, searchCumulative } from '../src/core/cpu/tokens.js';
import { parseCategoricalSpec, type ResolvedCategoricalSpec } from '../src/models/categorical/spec.js';
import { CATEGORICAL_PRESETS } from '../src/models/categorical/presets.js';
import { categoricalRisk, collisionProbability } from '../src/models/categorical/theory.js';
import { specErrorOf } from './helpers/spec-error.js';
import type { Backend } from '../src/core/engine/model.js';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();

interface Trajectory {
  stats: CategoricalGenerationStats[][];
  counts: Uint32Array[];
  metrics: (Float32Array | Float64Array)[];
}

/** Every generation of `cells` on a backend, with every replicate's counts and metric row after each. */
async function trajectory(cells: ResolvedCategoricalSpec[], backend: Backend, options: CategoricalGpuOptions = {}): Promise<Trajectory> {
  const stepper = await createCategoricalStepper(cells, backend, options);
  const out: Trajectory = { stats: [], counts: [], metrics: [] };
  try {
    for (let t = 0; t <= cells[0].generations; t++) {
      out.stats.push(await stepper.step(t));
      const { counts, metrics } = await stepper.replicateRows();
      out.counts.push(counts as Uint32Array);
      out.metrics.push(metrics as Float32Array | Float64Array);
    }
  } finally {
    stepper.destroy();
  }
  return out;
}

/** Finished statistics only (the engine's view). */
async function statistics(cells: ResolvedCategoricalSpec[], backend: Backend, options: CategoricalGpuOptions = {}): Promise<CategoricalGenerationStats[][]> {
  const stepper = await createCategoricalStepper(cells, backend, options);
  const stats = [];
  for (let t = 0; t <= cells[0].generations; t++) stats.push(await stepper.step(t));
  stepper.destroy();
  return stats;
}

const spec = (fields: Record<string, unknown>) => parseCategoricalSpec({ model: 'categorical', seed: 'categorical-test', ...fields });

/** f32 metrics against float64: relative, with an absolute floor for values near 0. */
function expectClose(gpu: number, twin: number, what: string) {
  expect(Math.abs(gpu - twin), `${what}: ${gpu} vs ${twin}`).toBeLessThanOrEqual(2e-4 * Math.abs(twin) + 2e-6);
}

describe.each(paths)('categorical kernel ≡ twin on %s', (path) => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: path }); });
  afterAll(() => gpu?.device.destroy());
  // SwiftShader is an order of magnitude slower than llvmpipe, and its compile time grows with
  // workgroup memory (12 s for K = 4096): smaller cases there.
  const swiftshader = path === 'swiftshader';
  const scale = swiftshader ? 0.25 : 1;
  const largestK = swiftshader ? 1024 : 4096;

  const CASES: [string, Record<string, unknown>, CategoricalGpuOptions][] = [
    ['mixture from a Dirichlet(0.5) P*, counts in workgroup memory',
      { probs: { kind: 'dirichlet', k: 37, alpha: 0.5 }, n0: 50, n: { kind: 'linear', start: 40, slope: 15 }, realFraction: 0.3, generations: 4, replicates: 300 },
      { counts: 'workgroup' }],
    ['the same with counts as global atomics',
      { probs: { kind: 'dirichlet', k: 37, alpha: 0.5 }, n0: 50, n: { kind: 'linear', start: 40, slope: 15 }, realFraction: 0.3, generations: 4, replicates: 300 },
      { counts: 'global' }],
    ['α = 0 until absorption, given P* with zeros (inner and trailing)',
      { probs: { kind: 'given', values: [0.3, 0, 0.25, 0.45, 0, 0] }, n0: 6, n: 5, generations: 30, replicates: 200 }, {}],
    ['α = 1 and a harmonic real share, K = 2',
      { probs: { kind: 'given', values: [0.9, 0.1] }, n0: 20, realFraction: { kind: 'harmonic', c: 2 }, generations: 3, replicates: 257 }, {}],
    [`K = ${largestK} (4096 is the largest), n = 3000`,
      { probs: { kind: 'dirichlet', k: largestK }, n0: 3000, realFraction: 0.5, generations: 2, replicates: Math.round(24 * scale) }, {}],
    // Long enough that llvmpipe's loop-iteration limit splits a generation into several dispatches.
    [`K = ${largestK}, n = 1 200 000 tokens per generation (several token blocks under a loop limit)`,
      { probs: { kind: 'dirichlet', k: largestK }, n0: 1_200_000, realFraction: 0.5, generations: 1, replicates: 2 }, {}],
  ];

  it.each(CASES)('%s: counts per replicate identical, metrics to f32 accuracy', async (_name, fields, options) => {
    const cell = spec(fields);
    const onGpu = await trajectory([cell], { kind: 'webgpu', gpu }, options);
    const onTwin = await trajectory([cell], { kind: 'cpu' });
    for (let t = 0; t <= cell.generations; t++) {
      expect(onGpu.counts[t].length).toBe(onTwin.counts[t].length);
      expect(onGpu.counts[t].findIndex((v, i) => v !== onTwin.counts[t][i]), `first differing entry at generation ${t}`).toBe(-1);
      for (let i = 0; i < onTwin.metrics[t].length; i++) {
        expectClose(onGpu.metrics[t][i], onTwin.metrics[t][i], `generation ${t}, replicate ${Math.floor(i / 4)}, column ${i % 4}`);
      }
      const g = onGpu.stats[t][0], c = onTwin.stats[t][0];
      expect(g.absorbed).toBe(c.absorbed);
      for (const key of ['r', 'tv', 'kl'] as const) expectClose(g[key]!, c[key]!, `${key} at generation ${t}`);
    }
  });

  it('splits long generations into several dispatches where the adapter limits loops', async () => {
    const cell = spec(CASES.at(-1)![1]);
    const stepper = await CategoricalGpu.create(gpu, [cell], [buildCategoricalProblem(cell)]);
    const blocks = blockRanges(Math.ceil(cell.n0 / 4), stepper.tokenGroupsPerBlock).length;
    stepper.destroy();
    if (gpu.adapter.loopIterationLimit === null) expect(blocks).toBe(1);
    else expect(blocks).toBeGreaterThan(1);
  });

  it('a sweep\'s cells equal the same specs run alone, however the replicates are chunked', async () => {
    const base = { probs: { kind: 'dirichlet', k: 12, alpha: 1 }, n0: 30, n: 25, generations: 3, replicates: 300 };
    const cells = [
      spec({ ...base, realFraction: 0 }),
      spec({ ...base, realFraction: 0.4, n: 40 }),
      spec({ ...base, realFraction: 1, n0: 20, probs: { kind: 'dirichlet', k: 12, alpha: 0.3 } }),
    ];
    for (const backend of [{ kind: 'webgpu', gpu }, { kind: 'cpu' }] as Backend[]) {
      // 300 replicates make two reduction groups per cell; chunks of 300 cut cells apart.
      const together = await trajectory(cells, backend, { chunkReplicates: 300 });
      for (const [c, cell] of cells.entries()) {
        const alone = await trajectory([cell], backend);
        const size = cell.replicates * 12;
        for (let t = 0; t <= cell.generations; t++) {
          expect(together.stats[t][c], `${backend.kind}, cell ${c}, generation ${t}`).toEqual(alone.stats[t][0]);
          expect(together.counts[t].subarray(c * size, (c + 1) * size).findIndex((v, i) => v !== alone.counts[t][i])).toBe(-1);
        }
      }
    }
  });
});

describe('Monte Carlo vs the exact R_t recursion (docs/science.md §4)', () => {
  const CASES: [string, Record<string, unknown>][] = [
    ['α = 0: drift toward absorption, R_t → 1 − ‖P*‖²',
      { probs: { kind: 'dirichlet', k: 10 }, n0: 40, n: 20, realFraction: 0, generations: 60, replicates: 8192 }],
    ['constant α = 0.2: a plateau',
      { probs: { kind: 'given', values: [0.4, 0.3, 0.2, 0.1] }, n0: 30, n: 30, realFraction: 0.2, generations: 30, replicates: 8192 }],
    ['decaying α with growing n: recovery',
      { probs: { kind: 'dirichlet', k: 50, alpha: 2 }, n0: 40, n: { kind: 'geometric', start: 40, ratio: 1.4 }, realFraction: { kind: 'harmonic', c: 1 }, generations: 12, replicates: 8192 }],
    ['large K: K = 1000, n = 500, α = 0.5',
      { probs: { kind: 'dirichlet', k: 1000 }, n0: 500, realFraction: 0.5, generations: 4, replicates: 4096 }],
  ];
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: paths[0] }); });
  afterAll(() => gpu?.device.destroy());

  it.each(CASES)(`on ${paths[0]}, %s: r within 4 SE of R_t at every generation`, async (_name, fields) => {
    const cell = spec(fields);
    const expected = categoricalModel.closedForms!(cell)[0].values;
    const stats = await statistics([cell], { kind: 'webgpu', gpu });
    for (const [t, [g]] of stats.entries()) {
      expect(Math.abs(g.r! - expected[t]) / g.rSE!, `t = ${t}: ${g.r} vs ${expected[t]} ± ${g.rSE}`).toBeLessThan(4);
    }
  });

  it('α = 0 absorbs: most replicates end at a point mass and r nears 1 − ‖P*‖²', async () => {
    const cell = spec({ probs: { kind: 'dirichlet', k: 5 }, n0: 10, n: 10, generations: 80, replicates: 4096 });
    const stats = await statistics([cell], { kind: 'webgpu', gpu });
    const last = stats.at(-1)![0];
    expect(last.absorbed).toBeGreaterThan(0.95);
    const limit = 1 - collisionProbability(buildCategoricalProblem(cell).probs);
    expect(Math.abs(last.r! - limit)).toBeLessThan(0.02 * limit);
  });

  it('on the CPU twin: mixture with growing n', async () => {
    const cell = spec({ probs: { kind: 'dirichlet', k: 6 }, n0: 20, n: { kind: 'linear', start: 20, slope: 10 }, realFraction: 0.3, generations: 6, replicates: 6000 });
    const expected = categoricalRisk(buildCategoricalProblem(cell).probs, cell.schedule.n, cell.schedule.realFraction);
    for (const [t, [g]] of (await statistics([cell], { kind: 'cpu' })).entries()) {
      expect(Math.abs(g.r! - expected[t]) / g.rSE!, `t = ${t}`).toBeLessThan(4);
    }
  });
});

describe('the integer draw shared by kernels and twin', () => {
  it('scaleWord is ⌊w·S/2³²⌋ exactly', () => {
    const words = [0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 123456789, 3141592653];
    const totals = [1, 2, 3, 4096, 100_000, 2 ** 24, FIXED_POINT_TOTAL];
    for (const w of words) {
      for (const s of totals) expect(scaleWord(w, s)).toBe(Number((BigInt(w) * BigInt(s)) >> 32n));
    }
  });
  it('the search finds k with C[k−1] ≤ j < C[k], and a zero-probability token is never drawn', () => {
    const table = fixedPointCumulative([0, 0.25, 0, 0.5, 0.25, 0, 0]);
    const draw = (j: number) => searchCumulative(table, 0, table.length, j);
    for (const j of [0, 1, 2 ** 30, 2 ** 31, 3 * 2 ** 30 - 1, 3 * 2 ** 30, FIXED_POINT_TOTAL - 1]) {
      const k = draw(j);
      expect(k === 0 ? 0 : table[k - 1]).toBeLessThanOrEqual(j);
      expect(table[k]).toBeGreaterThan(j);
      expect([1, 3, 4]).toContain(k);
    }
  });
  it('workgroup memory: counts fall back to global atomics where they and a guide do not fit', () => {
    expect(workgroupLayout(4096, 256, 32768)).toEqual({ tableSize: 4096, globalCounts: true, guideBits: 12 });
    expect(workgroupLayout(2048, 128, 32768)).toEqual({ tableSize: 2048, globalCounts: false, guideBits: 11 });
    expect(() => workgroupLayout(4096, 256, 16384)).toThrow(/workgroup storage/);
  });
});

describe('categorical spec', () => {
  /** The lines of the SpecError thrown for `input`. */
  const problems = (input: Record<string, unknown>): string[] =>
    specErrorOf(() => parseCategoricalSpec({ model: 'categorical', n0: 10, generations: 2, replicates: 8, probs: { kind: 'dirichlet', k: 4 }, ...input })).split('\n');

  it('fills every default of a minimal spec', () => {
    expect(parseCategoricalSpec({ model: 'categorical', probs: { kind: 'dirichlet', k: 4 }, n0: 10, generations: 2, replicates: 8 })).toEqual({
      model: 'categorical', probs: { kind: 'dirichlet', k: 4, alpha: 1 }, n0: 10, n: 10, realFraction: 0,
      generations: 2, replicates: 8, seed: 1, backend: 'auto', schedule: { n: [10, 10, 10], realFraction: [1, 0, 0] },
    });
  });
  it('re-parses its own resolved form', () => {
    const resolved = spec({ probs: { kind: 'given', values: [0.5, 0.5] }, n0: 5, n: { kind: 'linear', start: 5, slope: 2 }, realFraction: 0.5, generations: 3, replicates: 4 });
    expect(parseCategoricalSpec(JSON.parse(JSON.stringify(resolved)))).toEqual(resolved);
  });
  it.each([
    [{ probs: { kind: 'given', values: [0.5, 0.4] } }, 'probs.values: must sum to 1 (within 1e-9), got a sum of 0.9'],
    [{ probs: { kind: 'given', values: [1.1, -0.1] } }, 'probs.values.1: must be a number ≥ 0, got -0.1'],
    [{ probs: { kind: 'given', values: [1] } }, 'probs.values: must have between 2 and 4096 entries (one per token), got 1'],
    [{ probs: { kind: 'dirichlet', k: 5000 } }, 'probs.k: must be an integer between 2 and 4096, got 5000'],
    [{ probs: { kind: 'dirichlet', k: 4, alpha: 0 } }, 'probs.alpha: must be a number > 0, got 0'],
    [{ probs: { kind: 'zipf' } }, 'probs.kind: must be one of "given", "dirichlet", got "zipf"'],
    [{ realFraction: 1.5 }, 'realFraction: must be between 0 and 1, got 1.5'],
    [{ n: { kind: 'harmonic', c: 1 } }, 'n: must round to an integer between 1 and 16777216 at generation 2, got 0.3333333333333333'],
    [{ n0: 0 }, 'n0: must be an integer between 1 and 16777216, got 0'],
    [{ replicates: 0 }, 'replicates: must be an integer between 1 and 2147483647, got 0'],
    [{ temperature: 3 }, 'temperature: unknown field; fields here: model, probs, n0, n, realFraction, generations, replicates, seed, backend, schedule'],
    [{ sweep: { realFraction: [0, 1] } }, 'sweep: unknown field; fields here: model, probs, n0, n, realFraction, generations, replicates, seed, backend, schedule'],
    [{ schedule: { n: [1, 2, 3], realFraction: [1, 0, 0] } }, 'schedule: is derived from n0, n and realFraction and cannot be edited; change those fields or remove schedule'],
  ])('rejects %j naming the field', (input, message) => {
    expect(problems(input)).toContain(message);
  });
  it('reports every problem at once', () => {
    expect(problems({ n0: -1, realFraction: 2, probs: { kind: 'dirichlet', k: 1 } })).toEqual([
      'probs.k: must be an integer between 2 and 4096, got 1',
      'n0: must be an integer between 1 and 16777216, got -1',
    ]);
  });
  it('every preset parses, and its closed form (categorical) covers t = 0..T', () => {
    for (const [name, preset] of Object.entries(CATEGORICAL_PRESETS)) {
      expect(preset.papers, name).toEqual(['bakshi2026']);
      if (preset.spec.model !== 'categorical') continue;
      const cell = parseCategoricalSpec(preset.spec);
      expect(categoricalModel.closedForms!(cell)[0].values).toHaveLength(cell.generations + 1);
    }
  });
  it('the metric columns name r, tv and kl with their standard errors', () => {
    const columns = categoricalModel.columns(spec({ probs: { kind: 'dirichlet', k: 3 }, n0: 3, generations: 0, replicates: 1 }));
    expect(columns.map((c) => [c.key, c.se])).toEqual([['r', 'rSE'], ['tv', 'tvSE'], ['kl', 'klSE'], ['absorbed', undefined], ['replicates', undefined]]);
    expect(Object.keys(CategoricalColumn)).toEqual(['r', 'tv', 'kl', 'absorbed']);
  });
});
