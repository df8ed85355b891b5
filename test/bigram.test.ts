// The bigram retraining loop (docs/science.md §4, one categorical per state): the kernels against
// their float64 twin replicate by replicate (estimates exactly, metrics to f32 accuracy) on
// every working adapter, fresh data each generation against refitting on its own sequences,
// sweep cells against the same specs run alone, and the spec's messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import { bigramModel, buildBigramProblem, createBigramStepper, type BigramGenerationStats } from '../src/models/categorical/model.js';
import { BigramGpu } from '../src/models/categorical/bigram-gpu.js';
import { blockRanges } from '../src/models/categorical/gpu.js';
import { BigramColumn } from '../src/models/categorical/bigram-twin.js';
import { parseBigramSpec, type ResolvedBigramSpec } from '../src/models/categorical/spec.js';
import { CATEGORICAL_PRESETS } from '../src/models/categorical/presets.js';
import { specErrorOf } from './helpers/spec-error.js';
import type { Backend, StepperOptions } from '../src/core/engine/model.js';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();

interface Trajectory {
  stats: BigramGenerationStats[][];
  estimates: Uint32Array[];
  metrics: (Float32Array | Float64Array)[];
}

/** Every generation of `cells` on a backend; with `perReplicate`, every replicate's estimate and metric row after each. */
async function trajectory(cells: ResolvedBigramSpec[], backend: Backend, options: StepperOptions = {}, perReplicate = true): Promise<Trajectory> {
  const stepper = await createBigramStepper(cells, backend, options);
  const out: Trajectory = { stats: [], estimates: [], metrics: [] };
  try {
    for (let t = 0; t <= cells[0].generations; t++) {
      out.stats.push(await stepper.step(t));
      if (!perReplicate) continue;
      const { counts, metrics } = await stepper.replicateRows();
      out.estimates.push(counts as Uint32Array);
      out.metrics.push(metrics as Float32Array | Float64Array);
    }
  } finally {
    stepper.destroy();
  }
  return out;
}

const spec = (fields: Record<string, unknown>) => parseBigramSpec({ model: 'bigram', seed: 'bigram-test', ...fields });

function expectClose(gpu: number, twin: number, what: string) {
  expect(Math.abs(gpu - twin), `${what}: ${gpu} vs ${twin}`).toBeLessThanOrEqual(2e-4 * Math.abs(twin) + 2e-6);
}

/** A chain with zero transitions and a cycle, so rows go unvisited. */
const SPARSE = { kind: 'given', values: [[0, 1, 0], [0, 0, 1], [0.5, 0, 0.5]] };

describe.each(paths)('bigram kernels ≡ twin on %s', (path) => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: path }); });
  afterAll(() => gpu?.device.destroy());
  // SwiftShader is an order of magnitude slower than llvmpipe: fewer replicates there.
  const scale = path === 'swiftshader' ? 0.25 : 1;

  const CASES: [string, Record<string, unknown>][] = [
    ['mixture from Dirichlet rows',
      { probs: { kind: 'dirichlet', k: 5, alpha: 0.7 }, n0: 60, n: { kind: 'linear', start: 40, slope: 20 }, realFraction: 0.3, generations: 3, replicates: 300 }],
    ['α = 0 on a sparse chain with rows left unvisited',
      { probs: SPARSE, n0: 4, n: 3, generations: 12, replicates: 200 }],
    ['K = 256 (the largest), n = 3000',
      { probs: { kind: 'dirichlet', k: 256 }, n0: 3000, realFraction: 0.5, generations: 1, replicates: Math.round(16 * scale) }],
    // Long enough that llvmpipe's loop-iteration limit splits a generation into several dispatches.
    ['n = 20 000 tokens per generation (several token blocks under a loop limit)',
      { probs: { kind: 'dirichlet', k: 8 }, n0: 20_000, realFraction: 0.5, generations: 1, replicates: Math.round(16 * scale) }],
  ];

  it.each(CASES)('%s: estimates per replicate identical, metrics to f32 accuracy', async (_name, fields) => {
    const cell = spec(fields);
    const onGpu = await trajectory([cell], { kind: 'webgpu', gpu });
    const onTwin = await trajectory([cell], { kind: 'cpu' });
    for (let t = 0; t <= cell.generations; t++) {
      expect(onGpu.estimates[t].length).toBe(onTwin.estimates[t].length);
      expect(onGpu.estimates[t].findIndex((v, i) => v !== onTwin.estimates[t][i]), `first differing entry at generation ${t}`).toBe(-1);
      for (let i = 0; i < onTwin.metrics[t].length; i++) {
        expectClose(onGpu.metrics[t][i], onTwin.metrics[t][i], `generation ${t}, replicate ${Math.floor(i / 3)}, column ${i % 3}`);
      }
      for (const key of ['r', 'tv', 'kl'] as const) expectClose(onGpu.stats[t][0][key]!, onTwin.stats[t][0][key]!, `${key} at generation ${t}`);
    }
  });

  it('splits long generations into several dispatches where the adapter limits loops', async () => {
    const cell = spec(CASES.at(-1)![1]);
    const stepper = await BigramGpu.create(gpu, [cell], [buildBigramProblem(cell)]);
    const blocks = blockRanges(Math.ceil(cell.n0 / 4), stepper.tokenGroupsPerBlock).length;
    stepper.destroy();
    if (gpu.adapter.loopIterationLimit === null) expect(blocks).toBe(1);
    else expect(blocks).toBeGreaterThan(1);
  });

  it('a sweep\'s cells equal the same specs run alone, however the replicates are chunked', async () => {
    const base = { probs: { kind: 'dirichlet', k: 4, alpha: 1 }, n0: 30, n: 25, generations: 3, replicates: 300 };
    const cells = [
      spec({ ...base, realFraction: 0 }),
      spec({ ...base, realFraction: 0.4, n: 40 }),
      spec({ ...base, realFraction: 1, n0: 20, probs: { kind: 'dirichlet', k: 4, alpha: 0.3 } }),
    ];
    for (const backend of [{ kind: 'webgpu', gpu }, { kind: 'cpu' }] as Backend[]) {
      const together = await trajectory(cells, backend, { chunkReplicates: 300 });
      for (const [c, cell] of cells.entries()) {
        const alone = await trajectory([cell], backend);
        const size = cell.replicates * 16;
        for (let t = 0; t <= cell.generations; t++) {
          expect(together.stats[t][c], `${backend.kind}, cell ${c}, generation ${t}`).toEqual(alone.stats[t][0]);
          expect(together.estimates[t].subarray(c * size, (c + 1) * size).findIndex((v, i) => v !== alone.estimates[t][i])).toBe(-1);
        }
      }
    }
  });
});

describe(`fresh data against refitting on its own sequences, on ${paths[0]}`, () => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: paths[0] }); });
  afterAll(() => gpu?.device.destroy());
  const base = { probs: { kind: 'dirichlet', k: 6 }, n0: 400, n: 400, generations: 8, replicates: 4096 };

  it('α = 1 (fresh data every generation): r stays at its generation-0 value within standard errors', async () => {
    const { stats } = await trajectory([spec({ ...base, realFraction: 1 })], { kind: 'webgpu', gpu }, {}, false);
    const first = stats[0][0];
    for (const [t, [g]] of stats.entries()) {
      const se = Math.hypot(g.rSE!, first.rSE!);
      expect(Math.abs(g.r! - first.r!) / se, `t = ${t}: ${g.r} vs ${first.r}`).toBeLessThan(4);
    }
  });

  it('α = 0 (its own sequences only): r grows generation after generation', async () => {
    const { stats } = await trajectory([spec({ ...base, realFraction: 0 })], { kind: 'webgpu', gpu }, {}, false);
    for (let t = 1; t < stats.length; t++) {
      const [now, before] = [stats[t][0], stats[t - 1][0]];
      expect(now.r!, `t = ${t}`).toBeGreaterThan(before.r!);
    }
    const [last, first] = [stats.at(-1)![0], stats[0][0]];
    expect(last.r! - first.r!).toBeGreaterThan(4 * Math.hypot(last.rSE!, first.rSE!));
    expect(last.r!).toBeGreaterThan(3 * first.r!);
  });
});

describe('bigram spec', () => {
  const problems = (input: Record<string, unknown>): string[] =>
    specErrorOf(() => parseBigramSpec({ model: 'bigram', n0: 10, generations: 2, replicates: 8, probs: { kind: 'dirichlet', k: 4 }, ...input })).split('\n');

  it('fills every default of a minimal spec', () => {
    expect(parseBigramSpec({ model: 'bigram', probs: SPARSE, n0: 10, generations: 1, replicates: 8 })).toEqual({
      model: 'bigram', probs: SPARSE, n0: 10, n: 10, realFraction: 0, generations: 1, replicates: 8,
      seed: 1, backend: 'auto', schedule: { n: [10, 10], realFraction: [1, 0] },
    });
  });
  it.each([
    [{ probs: { kind: 'given', values: [[0.5, 0.5], [0.5]] } }, 'probs.values.1: must have K = 2 entries (one per next state), got 1'],
    [{ probs: { kind: 'given', values: [[0.5, 0.5], [0.7, 0.2]] } }, 'probs.values.1: must sum to 1 (within 1e-9), got a sum of 0.8999999999999999'],
    [{ probs: { kind: 'given', values: [[1.5, -0.5], [0.5, 0.5]] } }, 'probs.values.0.1: must be a number ≥ 0, got -0.5'],
    [{ probs: { kind: 'given', values: [0.5, 0.5] } }, 'probs.values.0: must be an array of numbers, got 0.5'],
    [{ probs: { kind: 'given', values: [[1]] } }, 'probs.values: must have between 2 and 256 rows (one per state), got 1'],
    [{ probs: { kind: 'dirichlet', k: 257 } }, 'probs.k: must be an integer between 2 and 256, got 257'],
    [{ n0: 1 }, 'n0: must be an integer between 2 and 16777216, got 1'],
    [{ n: 1 }, 'n: must round to an integer between 2 and 16777216, got 1'],
    [{ realFraction: -0.1 }, 'realFraction: must be between 0 and 1, got -0.1'],
  ])('rejects %j naming the field', (input, message) => {
    expect(problems(input)).toContain(message);
  });
  it('the bigram preset parses, and the metric columns name r, tv and kl with their standard errors', () => {
    const presets = Object.values(CATEGORICAL_PRESETS).filter((p) => p.spec.model === 'bigram');
    expect(presets.length).toBeGreaterThan(0);
    for (const preset of presets) parseBigramSpec(preset.spec);
    const columns = bigramModel.columns(spec({ probs: SPARSE, n0: 3, generations: 0, replicates: 1 }));
    expect(columns.map((c) => [c.key, c.se])).toEqual([['r', 'rSE'], ['tv', 'tvSE'], ['kl', 'klSE'], ['replicates', undefined]]);
    expect(Object.keys(BigramColumn)).toEqual(['r', 'tv', 'kl']);
  });
});
