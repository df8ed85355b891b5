// The gmm-selection model (docs/science.md §3): spec validation, the kernel against its float64 twin
// replicate by replicate on every working adapter, sweep cells against the same specs run one by
// one, and Monte Carlo against the exact and asymptotic theory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import { kernelSource, gramBatchConsts } from '../src/core/gpu/shader.js';
import { GMM_SELECTION_KERNEL } from '../src/models/gmm-selection/gpu.js';
import { bufferFrom, readBack } from '../src/core/gpu/dispatch.js';
import { parseGmmSelectionSpec, type ResolvedGmmSelectionSpec } from '../src/models/gmm-selection/spec.js';
import { GMM_SELECTION_PRESETS } from '../src/models/gmm-selection/presets.js';
import { SpecError } from '../src/core/spec/errors.js';
import { createGmmSelectionStepper, gmmSelectionModel, type GmmSelectionStats } from '../src/models/gmm-selection/model.js';
import { GMM_COLUMNS, GmmColumn } from '../src/models/gmm-selection/twin.js';
import { wgslConstTable } from '../src/core/engine/metrics.js';
import type { Backend } from '../src/core/engine/model.js';
import { experimentCells, parseSpec } from '../src/models/index.js';
import {
  accuracyAtBreakdown, bayesAccuracy, breakdownPoint, expectedKeptFraction, finiteSampleAccuracyGap, gmmSelectionClosedForm,
  limitAccuracy, normalCdf, selectorRates,
} from '../src/models/gmm-selection/theory.js';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();
const [fastest] = paths;

const spec = (overrides: Record<string, unknown>) => parseGmmSelectionSpec({
  model: 'gmm-selection', d: 4, meanNorm: 1, flipRate: 0.3, n: 500, generations: 0, replicates: 4096, seed: 'gmm', ...overrides,
});

/** Every generation's statistics of each cell, cells run together in one stepper. */
async function runCells(cells: ResolvedGmmSelectionSpec[], backend: Backend, chunkReplicates?: number): Promise<GmmSelectionStats[][]> {
  const stepper = await createGmmSelectionStepper(cells, backend, { chunkReplicates });
  const out: GmmSelectionStats[][] = cells.map(() => []);
  try {
    for (let t = 0; t <= cells[0].generations; t++) (await stepper.step(t)).forEach((stats, c) => out[c].push(stats));
  } finally {
    stepper.destroy();
  }
  return out;
}

const run = async (s: ResolvedGmmSelectionSpec, backend: Backend) => (await runCells([s], backend))[0];

/** Φ to ~1e-14 relative: the erf series for |x| < 4.2, a continued fraction for erfc beyond. */
function accurateNormalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  let erfc: number;
  if (z < 3) {
    let sum = 0;
    for (let n = 0, term = z; Math.abs(term) > 1e-30; n++, term *= (-z * z) / n) sum += term / (2 * n + 1);
    erfc = 1 - (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let fraction = 0;
    for (let k = 400; k >= 1; k--) fraction = k / 2 / (z + fraction);
    erfc = Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + fraction);
  }
  return x > 0 ? 1 - erfc / 2 : erfc / 2;
}

describe('gmm-selection spec', () => {
  const base = { model: 'gmm-selection', d: 4, meanNorm: 1, flipRate: 0.3, n: 100, generations: 2, replicates: 10 };

  it('fills defaults: no selection, OLS, seed 1, backend auto', () => {
    expect(parseGmmSelectionSpec(base)).toEqual({ ...base, selector: { kind: 'none' }, ridgeLambda: 0, seed: 1, backend: 'auto' });
  });

  it('parses every preset; feng-breakdown has p* = 0.75 and sweeps the flip rate across it', () => {
    for (const preset of Object.values(GMM_SELECTION_PRESETS)) expect(() => parseSpec(preset.spec)).not.toThrow();
    const breakdown = parseSpec(GMM_SELECTION_PRESETS['feng-breakdown'].spec);
    const { keepCorrect, keepWrong } = selectorRates(experimentCells(breakdown).specs[0] as ResolvedGmmSelectionSpec);
    const p = breakdownPoint(keepCorrect, keepWrong);
    expect(p).toBeCloseTo(0.75, 12);
    expect(Math.min(...breakdown.sweep!.flipRate)).toBeLessThan(p!);
    expect(Math.max(...breakdown.sweep!.flipRate)).toBeGreaterThan(p!);
  });

  const messages = (input: Record<string, unknown>) => {
    try {
      parseGmmSelectionSpec({ ...base, ...input });
    } catch (error) {
      expect(error).toBeInstanceOf(SpecError);
      return (error as SpecError).message.split('\n');
    }
    throw new Error('accepted an invalid spec');
  };

  it.each([
    [{ d: 0 }, ['d: must be an integer between 1 and 64, got 0']],
    [{ meanNorm: 0 }, ['meanNorm: must be a number > 0 and ≤ 100, got 0']],
    [{ flipRate: 1.5 }, ['flipRate: must be a number between 0 and 1, got 1.5']],
    [{ n: 2.5 }, ['n: must be an integer between 1 and 16777216, got 2.5']],
    [{ ridgeLambda: -1 }, ['ridgeLambda: must be a number between 0 and 1e16, got -1']],
    [{ selector: { kind: 'oracle' } }, ['selector.kind: must be one of "none", "rates", "linear", got "oracle"']],
    [{ selector: { kind: 'rates', keepCorrect: 2 } }, ['selector.keepCorrect: must be a number between 0 and 1, got 2', 'selector.keepWrong: must be a number between 0 and 1, got nothing']],
    [{ selector: { kind: 'linear', angle: 4 } }, [`selector.angle: must be a number between 0 and π (${Math.PI}), got 4`]],
    [{ selector: { kind: 'rates', keepCorrect: 0, keepWrong: 0 } }, ['selector: keeps nothing: keepCorrect and keepWrong must not both be 0']],
    [{ d: 1, selector: { kind: 'linear', angle: 1 } }, [`selector.angle: must be 0 or π (${Math.PI}) when d = 1 (another direction needs d ≥ 2), got 1`]],
    [{ n: 3 }, ['n: least squares without ridge (ridgeLambda = 0) needs at least d = 4 samples, got 3; raise n or set ridgeLambda > 0']],
    [{ sweep: { flipRate: [0.1] } }, [expect.stringMatching(/^sweep: unknown field/)]],
    [{ model: 'linear' }, ['model: must be "gmm-selection", got "linear"']],
  ])('rejects %o, naming the field', (input, expected) => {
    expect(messages(input)).toEqual(expected);
  });

  it('accepts n < d with ridge, and angles 0 and π in one dimension', () => {
    expect(() => parseGmmSelectionSpec({ ...base, n: 2, ridgeLambda: 0.1 })).not.toThrow();
    for (const angle of [0, Math.PI]) expect(() => parseGmmSelectionSpec({ ...base, d: 1, selector: { kind: 'linear', angle } })).not.toThrow();
  });

  it('sweeps no field that specialises the kernel', () => {
    for (const field of ['d', 'generations', 'replicates', 'seed', 'selector.kind']) expect(gmmSelectionModel.sweepable).not.toContain(field);
  });
});

describe('normal CDF Φ', () => {
  const xs = Float32Array.from({ length: 4096 }, (_, i) => -7 + (14 * i) / 4095);

  it('float64 formula (the twin and theory): relative error < 1.2e-7', () => {
    for (const x of xs) expect(Math.abs(normalCdf(x) / accurateNormalCdf(x) - 1)).toBeLessThan(1.2e-7);
  });

  it.each(paths)('f32 kernel on %s: relative error < 1e-6 for |x| ≤ 5, < 1.5e-6 to |x| = 7', async (path) => {
    const { device } = await acquireDevice({ adapter: path });
    try {
      // The kernel's own normal_cdf, called from an entry point appended for this test.
      const code = `${kernelSource({ kernel: GMM_SELECTION_KERNEL, consts: { D: 1, Q: 1, P: 1, ...gramBatchConsts(1), COLUMNS: GMM_COLUMNS, ...wgslConstTable('COLUMN', GmmColumn) } })}
@group(0) @binding(0) var<storage, read> probe_in: array<f32>;
@group(0) @binding(1) var<storage, read_write> probe_out: array<f32>;
@compute @workgroup_size(64) fn probe(@builtin(global_invocation_id) gid: vec3u) { probe_out[gid.x] = normal_cdf(probe_in[gid.x]); }`;
      const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'probe' } });
      const input = bufferFrom(device, xs, GPUBufferUsage.STORAGE);
      const output = device.createBuffer({ size: xs.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [input, output].map((buffer, binding) => ({ binding, resource: { buffer } })) }));
      pass.dispatchWorkgroups(xs.length / 64);
      pass.end();
      device.queue.submit([encoder.finish()]);
      const phi = new Float32Array(await readBack(device, output, xs.byteLength));
      xs.forEach((x, i) => {
        expect(Math.abs(phi[i] / accurateNormalCdf(x) - 1), `Φ(${x})`).toBeLessThan(Math.abs(x) <= 5 ? 1e-6 : 1.5e-6);
      });
    } finally {
      device.destroy();
    }
  });
});

// Each case runs every generation on the GPU and the twin and compares every replicate: its
// decisions (alive, solved, kept count) and, where they agree, its accuracy and w.
// `exact`: every decision compares an exact uniform with an f32 threshold (rates, generation 0
// only), so the decisions agree everywhere; otherwise a sample whose score lies within f32
// rounding of 0 may be labelled or kept on one side only, and up to 1 % of replicates may differ.
// Numbers: the twin reproduces f32's transforms only to their precision (SwiftShader's sin/cos
// and log leave normals ~5e-5 apart from float64), and a solve on few samples amplifies that, so
// accuracy must agree within 1e-3 everywhere and w within 1e-3 relative in 99 % of replicates.
const TWIN_CASES: [string, Record<string, unknown>, boolean][] = [
  ['rates, generation 0', { d: 5, n: 300, selector: { kind: 'rates', keepCorrect: 0.9, keepWrong: 0.3 } }, true],
  ['rates, classifier-labelled generations 1–2', { d: 5, n: 300, generations: 2, selector: { kind: 'rates', keepCorrect: 0.9, keepWrong: 0.3 } }, false],
  ['linear verifier at 0.7 rad', { d: 3, n: 200, flipRate: 0.2, generations: 1, selector: { kind: 'linear', angle: 0.7 } }, false],
  ['no selection, d = 1, ridge', { d: 1, n: 100, flipRate: 0.15, ridgeLambda: 0.5, generations: 1 }, false],
  ['failed solves: fewer kept pairs than d', { d: 7, n: 9, selector: { kind: 'rates', keepCorrect: 0.6, keepWrong: 0.2 } }, true],
  ['ridge: nothing kept leaves w = 0', { d: 2, n: 10, ridgeLambda: 1, selector: { kind: 'rates', keepCorrect: 0.05, keepWrong: 0.05 } }, true],
];

describe.each(paths)('gmm_selection kernel ≡ twin on %s', (path) => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: path }); });
  afterAll(() => gpu?.device.destroy());

  // Long enough that llvmpipe's loop-iteration limit ends the sample loop early unless it is split
  // into blocks (measured: without blocks it stops after ~43 700 of these samples); SwiftShader
  // has no such limit and runs ~15× slower, so it gets a shorter loop.
  const long: [string, Record<string, unknown>, boolean] = path === 'swiftshader'
    ? ['long sample loops (d = 8, n = 1500)', { d: 8, n: 1500, replicates: 64, selector: { kind: 'rates', keepCorrect: 0.8, keepWrong: 0.4 } }, true]
    : ['long sample loops (d = 8, n = 50000, in blocks)', { d: 8, n: 50_000, replicates: 32, selector: { kind: 'rates', keepCorrect: 0.8, keepWrong: 0.4 } }, true];

  it.each([...TWIN_CASES, long])('%s: every replicate', async (name, overrides, exact) => {
    const s = spec({ replicates: 300, seed: 'twin', ...overrides });
    const [onGpu, onTwin] = await Promise.all([createGmmSelectionStepper([s], { kind: 'webgpu', gpu }, {}), createGmmSelectionStepper([s], { kind: 'cpu' }, {})]);
    const allowed = Math.ceil(0.01 * s.replicates);
    let failures = 0;
    try {
      for (let t = 0; t <= s.generations; t++) {
        const [g] = await onGpu.step(t);
        const [c] = await onTwin.step(t);
        const [{ metrics: gRows, w: gW }, { metrics: cRows, w: cW }] = [await onGpu.replicateRows(), await onTwin.replicateRows()];
        let decisions = 0, wOutliers = 0, accuracyDifference = 0;
        for (let r = 0; r < s.replicates; r++) {
          const gpuRow = gRows.subarray(r * GMM_COLUMNS, (r + 1) * GMM_COLUMNS), twinRow = cRows.subarray(r * GMM_COLUMNS, (r + 1) * GMM_COLUMNS);
          if (gpuRow[GmmColumn.alive] !== twinRow[GmmColumn.alive] || gpuRow[GmmColumn.valid] !== twinRow[GmmColumn.valid]
            || Math.abs(gpuRow[GmmColumn.keptFraction] - twinRow[GmmColumn.keptFraction]) > 1e-6) {
            decisions++;
            continue;
          }
          if (!twinRow[GmmColumn.valid]) continue;
          accuracyDifference = Math.max(accuracyDifference, Math.abs(gpuRow[GmmColumn.accuracy] - twinRow[GmmColumn.accuracy]));
          let wDifference = 0, wNorm = 0;
          for (let j = 0; j < s.d; j++) {
            wDifference += (gW[r * s.d + j] - cW[r * s.d + j]) ** 2;
            wNorm += cW[r * s.d + j] ** 2;
          }
          if (Math.sqrt(wDifference) > 1e-3 * Math.sqrt(wNorm)) wOutliers++;
        }
        expect(decisions, `replicates deciding differently at generation ${t}`).toBeLessThanOrEqual(exact ? 0 : allowed);
        expect(wOutliers, `replicates with w apart at generation ${t}`).toBeLessThanOrEqual(allowed);
        expect(accuracyDifference).toBeLessThan(1e-3);
        failures += c.failed;
        expect(Math.abs(g.failed - c.failed)).toBeLessThanOrEqual(exact ? 0 : allowed);
        expect(g.accuracy === null).toBe(c.accuracy === null);
        if (c.accuracy !== null) expect(Math.abs(g.accuracy! - c.accuracy)).toBeLessThan(1e-4);
        expect(Math.abs(g.keptFraction! - c.keptFraction!)).toBeLessThan(exact ? 1e-6 : 1e-3);
      }
    } finally {
      onGpu.destroy();
    }
    // The failure cases must really exercise failures, the others none.
    if (/failed|nothing kept/.test(name)) expect(failures).toBeGreaterThan(0);
    else expect(failures).toBe(0);
  });
});

describe('sweep cells ≡ the same specs run one by one', () => {
  // R = 300 is no multiple of the reduction's 256, so cell boundaries fall inside a workgroup's span.
  const base = { d: 3, replicates: 300, generations: 1, seed: 'sweep', selector: { kind: 'rates', keepCorrect: 0.9, keepWrong: 0.3 } };
  const cells = [0.2, 0.75].flatMap((flipRate) => [150, 400].map((n) => spec({ ...base, flipRate, n })));

  it.each(['cpu', fastest] as const)('on %s, with any chunking', async (where) => {
    const gpu = where === 'cpu' ? undefined : await acquireDevice({ adapter: where });
    const backend: Backend = gpu ? { kind: 'webgpu', gpu } : { kind: 'cpu' };
    try {
      const together = await runCells(cells, backend);
      const alone = await Promise.all(cells.map((cell) => run(cell, backend)));
      expect(together).toEqual(alone);
      expect(new Set(together.map((c) => c[1].accuracy)).size).toBe(cells.length);
      if (gpu) {
        expect(await runCells(cells, backend, 300)).toEqual(alone);  // one cell per chunk
        const single = spec({ ...base, replicates: 600 });
        expect(await run(single, backend)).toEqual((await runCells([single], backend, 256))[0]);
      }
    } finally {
      gpu?.device.destroy();
    }
  });

  it('rejects cells of different shapes', async () => {
    await expect(createGmmSelectionStepper([spec({ d: 3 }), spec({ d: 4 })], { kind: 'cpu' }, {})).rejects.toThrow(/must share/);
  });
});

describe(`Monte Carlo vs theory on ${fastest}`, () => {
  let backend: Backend;
  let gpu: GpuContext;
  // SwiftShader is ~15× slower than llvmpipe; standard errors then simply double.
  const R = fastest === 'swiftshader' ? 1024 : 4096;
  beforeAll(async () => {
    gpu = await acquireDevice({ adapter: fastest });
    backend = { kind: 'webgpu', gpu };
  });
  afterAll(() => gpu?.device.destroy());

  const within = (value: number | null, se: number | null, expected: number, slack = 0) => {
    expect(value).not.toBeNull();
    expect(Math.abs(value! - expected), `${value} ± ${se} vs ${expected}`).toBeLessThanOrEqual(4 * se! + slack);
  };

  it.each([
    { flipRate: 0.3, selector: { kind: 'rates', keepCorrect: 0.9, keepWrong: 0.3 } },
    { flipRate: 0.8, selector: { kind: 'rates', keepCorrect: 0.6, keepWrong: 0.1 } },
    { flipRate: 0.2, meanNorm: 1.5, selector: { kind: 'linear', angle: 0.6 } },
    { flipRate: 0.4, selector: { kind: 'linear', angle: 2 } },
  ])('kept fraction is exactly (1 − p)ϕ + pψ, ϕ = Φ(‖μ‖cos θ) and ψ = 1 − ϕ for a verifier (%o)', async (overrides) => {
    const s = spec({ ...overrides, replicates: R });
    const [g] = await run(s, backend);
    within(g.keptFraction, g.keptFractionSE, expectedKeptFraction(s));
    expect(gmmSelectionClosedForm(s)!.values).toEqual([expectedKeptFraction(s)]);
  });

  it('without selection every pair is kept', async () => {
    const [g] = await run(spec({ replicates: 256 }), backend);
    expect(g.keptFraction).toBe(1);
  });

  it.each([
    { flipRate: 0.75, selector: { kind: 'rates', keepCorrect: 0.75, keepWrong: 0.25 } },
    { flipRate: 0.5 },
  ])('E[accuracy] = 1/2 exactly at p = p*, at any n (%o)', async (overrides) => {
    const s = spec({ ...overrides, d: 3, n: 100, replicates: 2 * R });
    expect(accuracyAtBreakdown(s)).toBe(0.5);
    const [g] = await run(s, backend);
    within(g.accuracy, g.accuracySE, 0.5);
  });

  it.each([0.3, 0.9])('d = 1: every classifier has accuracy Φ(‖μ‖) below p* = 0.75, 1 − Φ(‖μ‖) above (p = %s)', async (flipRate) => {
    const s = spec({ d: 1, n: 2000, flipRate, replicates: R, selector: { kind: 'rates', keepCorrect: 0.9, keepWrong: 0.3 } });
    const [g] = await run(s, backend);
    const expected = flipRate < 0.75 ? bayesAccuracy(1) : 1 - bayesAccuracy(1);
    expect(limitAccuracy(s)).toBeCloseTo(expected, 12);
    expect(g.failed).toBe(0);
    // w points along ±μ in every replicate (the sign is ~20 standard deviations from flipping),
    // so only Φ's f32 rounding separates the replicates from the limit.
    expect(Math.abs(g.accuracy! - expected)).toBeLessThan(1e-6);
  });

  // With n = 20000 the Monte Carlo resolves the 1/n approach to the limit (the SE is ~1e-6), so the
  // check is against limit + the leading-order gap of finiteSampleAccuracyGap, whose neglected
  // relative corrections O(d/(κn), 1/(κn·w*₁²)) are below 0.1 %; 5 % of the gap is allowed.
  it.each([
    { flipRate: 0.3, selector: { kind: 'rates', keepCorrect: 0.9, keepWrong: 0.3 } },
    { flipRate: 0.9, selector: { kind: 'rates', keepCorrect: 0.9, keepWrong: 0.3 } },
    { flipRate: 0.3, selector: { kind: 'linear', angle: 0 } },
  ])('large n: accuracy → Φ(‖μ‖) below p*, 1 − Φ(‖μ‖) above, at the predicted 1/n rate (%o)', async (overrides) => {
    const s = spec({ ...overrides, d: 4, n: 20_000, replicates: R });
    const [g] = await run(s, backend);
    const limit = limitAccuracy(s)!, gap = finiteSampleAccuracyGap(s)!;
    const { keepCorrect, keepWrong } = selectorRates(s);
    expect(limit).toBeCloseTo(s.flipRate < breakdownPoint(keepCorrect, keepWrong)! ? bayesAccuracy(1) : 1 - bayesAccuracy(1), 12);
    within(g.accuracy, g.accuracySE, limit + gap, 0.05 * Math.abs(gap));
    // The gap itself is resolved: without it the check would fail.
    expect(Math.abs(g.accuracy! - limit)).toBeGreaterThan(4 * g.accuracySE!);
  });

  // A verifier off μ also steers w towards w_v: the limit is the population least-squares
  // classifier's accuracy (populationClassifier). In d = 2 nothing lies outside the (μ, w_v)
  // plane; the remaining O(1/n) bias measured below 1 SE at n = 20000 and at n = 80000.
  it.each([0.3, 0.8])('linear verifier at 0.8 rad, d = 2: accuracy → its population limit (p = %s)', async (flipRate) => {
    const s = spec({ d: 2, n: 20_000, flipRate, replicates: R, selector: { kind: 'linear', angle: 0.8 } });
    const [g] = await run(s, backend);
    within(g.accuracy, g.accuracySE, limitAccuracy(s)!);
    // Past its p* = ϕ the verifier keeps accuracy above 1/2 rather than breaking down.
    expect(limitAccuracy(s)!).toBeGreaterThan(0.7);
  });

  it('classifier as generator: kept fraction at t ≥ 1 is ψ + (ϕ − ψ)·accuracy of w_{t−1}', async () => {
    const s = spec({ d: 4, n: 500, generations: 3, replicates: R, selector: { kind: 'rates', keepCorrect: 0.9, keepWrong: 0.3 } });
    const generations = await run(s, backend);
    for (let t = 1; t <= s.generations; t++) {
      const g = generations[t];
      within(g.keptFraction, g.keptFractionSE, 0.3 + 0.6 * generations[t - 1].accuracy!);
    }
  });
});

describe('Monte Carlo vs theory on the CPU twin', () => {
  it('kept fraction and E[accuracy] = 1/2 at p*', async () => {
    const s = spec({ d: 2, n: 200, flipRate: 0.75, replicates: 2000, selector: { kind: 'rates', keepCorrect: 0.75, keepWrong: 0.25 }, backend: 'cpu' });
    const [g] = await run(s, { kind: 'cpu' });
    expect(Math.abs(g.keptFraction! - expectedKeptFraction(s))).toBeLessThanOrEqual(4 * g.keptFractionSE!);
    expect(Math.abs(g.accuracy! - 0.5)).toBeLessThanOrEqual(4 * g.accuracySE!);
  });
});
