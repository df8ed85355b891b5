// Property-based tests (fast-check): whatever a user may write, the engine either runs it — on
// WebGPU and on the float64 twin alike, every statistic finite or null, never NaN or ±Infinity —
// or rejects it with a SpecError that names the field. fast-check draws a fresh seed every run and
// prints it, with the shrunk counterexample, when a property fails; replay that case with
// `fc.assert(…, { seed, path })` from the report. SYNTHLOOP_PROPERTY_RUNS=10 multiplies every
// property's number of cases (default ≈ 2 000 in all, ≈ 15 s) for a longer search.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import { type RunOutput } from '../src/core/engine/run.js';
import { runExperiment, MODELS, experimentCells, parseSpec, PRESETS } from '../src/models/index.js';
import type { Stats } from '../src/core/engine/result.js';
import { loadSpec } from '../src/cli/run.js';
import { SpecError } from '../src/core/spec/errors.js';
import { loadSpecSource, parseSetValue } from '../src/cli/spec-source.js';
import { MAX_RIDGE, MAX_SCALE } from '../src/core/spec/common.js';
import { MAX_MEAN_NORM } from '../src/models/gmm-selection/spec.js';
import { MAX_SPECTRUM_CONDITION } from '../src/models/linear/spec.js';
import { SIGMA_RANGE } from '../src/models/gaussian/spec.js';
import { SIGMA_RANGE as AMIN_SIGMA_RANGE } from '../src/models/amin-erm/spec.js';
import { MAX_TARGET_OFFSET, SIGMA_RANGE as CURATION_SIGMA_RANGE, TAU_RATIO_RANGE } from '../src/models/curation-gaussian/spec.js';
import { MAX_CANDIDATES, MAX_CURATORS, MAX_REWARD } from '../src/models/curation/spec.js';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();
// llvmpipe is the fast software adapter; elsewhere whichever works (hardware first).
const gpuPath = paths.includes('llvmpipe') ? 'llvmpipe' : paths[0];

/** Cases per property: `n`, times SYNTHLOOP_PROPERTY_RUNS where set. */
const runs = (n: number) => Math.round(n * Number(process.env.SYNTHLOOP_PROPERTY_RUNS ?? 1));

type Json = Record<string, unknown>;

/**
 * How far the arbitraries reach. `gpu`: sizes and parameters where f32 and float64 agree to a
 * stated tolerance (well-conditioned fits: n ≥ 2d + 2 or a ridge ≥ 0.1; the largest allowed
 * magnitudes, not the subnormal ones f32 flushes). `wide`: anything the spec accepts, to the edges
 * of every range (n = d, σ = 1e-300 and at its bound, Dirichlet α = 1e-300, …), on the twin.
 */
type Reach = 'gpu' | 'wide';

const between = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/**
 * Typical values, plus the edges of the allowed range: all of them (wide), or on the GPU those
 * where f32 still resolves the twin's float64 values (`gpuEdges`: large magnitudes, not 1e-300).
 */
function ranged(typical: [number, number], edges: number[], reach: Reach, gpuEdges: number[] = []) {
  const extremes = reach === 'wide' ? edges : gpuEdges;
  return extremes.length
    ? fc.oneof({ weight: 4, arbitrary: between(...typical) }, { weight: 1, arbitrary: fc.constantFrom(...extremes) })
    : between(...typical);
}

const seedArb = (reach: Reach) => fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.string({ maxLength: 6 }),
  reach === 'wide' ? fc.constantFrom(-0, 0.5, 1e300, -Number.MAX_VALUE, Number.MIN_VALUE, '', '𝛉 seed') : between(-1e6, 1e6),
);

const replicatesArb = (reach: Reach) => fc.integer({ min: reach === 'wide' ? 1 : 4, max: 64 });

/** A per-generation count schedule whose every value rounds into [least, most] (t = 1..T). */
function countSchedule(least: number, most: number, T: number) {
  const count = fc.integer({ min: least, max: most });
  return fc.oneof(
    count,
    count.map((value) => ({ kind: 'constant', value })),
    fc.tuple(count, between(0, 5)).map(([start, slope]) => ({ kind: 'linear', start, slope })),
    fc.tuple(count, between(1, 1.3)).map(([start, ratio]) => ({ kind: 'geometric', start, ratio })),
    count.map((v) => ({ kind: 'harmonic', c: v * (T + 1) })),
    fc.array(count, { minLength: T, maxLength: T }).map((values) => ({ kind: 'list', values })),
  );
}

/** A schedule of fractions in [0, 1] for t = 1..T. */
function fractionSchedule(T: number) {
  const fraction = between(0, 1);
  return fc.oneof(
    fraction,
    fraction.map((value) => ({ kind: 'constant', value })),
    fraction.map((c) => ({ kind: 'harmonic', c })),
    fc.array(fraction, { minLength: T, maxLength: T }).map((values) => ({ kind: 'list', values })),
  );
}

/** A ridge schedule > 0 at every generation t = 0..T. */
function ridgeSchedule(T: number, reach: Reach) {
  const value = ranged([0.1, 10], [1e-300, 1e-6, MAX_RIDGE], reach, [MAX_RIDGE]);
  return fc.oneof(
    value,
    value.map((c) => ({ kind: 'harmonic', c })),
    fc.tuple(value, between(0.5, 1)).map(([start, ratio]) => ({ kind: 'geometric', start, ratio })),
    fc.array(value, { minLength: T + 1, maxLength: T + 1 }).map((values) => ({ kind: 'list', values })),
  );
}

/**
 * Up to two axes over sweepable fields, each a short list or a start/stop/count range (for an
 * integer field, a range whose steps are whole numbers).
 */
function sweepOf(axes: Record<string, fc.Arbitrary<number>>, integers: readonly string[] = []) {
  const names = Object.keys(axes);
  const axis = (name: string) => fc.oneof(
    fc.array(axes[name], { minLength: 1, maxLength: 3 }),
    integers.includes(name)
      ? fc.tuple(axes[name], fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3 }))
        .map(([start, step, count]) => ({ start, stop: start + step * (count - 1), count }))
      : fc.record({ start: axes[name], stop: axes[name], count: fc.integer({ min: 1, max: 3 }) }),
  );
  return fc.option(
    fc.shuffledSubarray(names, { minLength: 1, maxLength: Math.min(2, names.length) })
      .chain((chosen) => fc.tuple(...chosen.map(axis)).map((values) => Object.fromEntries(chosen.map((name, i) => [name, values[i]])))),
    { nil: undefined, freq: 4 },
  );
}

/** The largest power-law exponent linear accepts in d dimensions (Σ's condition number d^exponent ≤ the bound). */
const maxExponent = (d: number) => (d === 1 ? 1e300 : (Math.log(MAX_SPECTRUM_CONDITION) / Math.log(d)) * (1 - 1e-12));

function linearArb(reach: Reach): fc.Arbitrary<Json> {
  const wide = reach === 'wide';
  const sigma = ranged([0.1, 3], [1e-300, Number.MIN_VALUE, MAX_SCALE], reach, [MAX_SCALE]);
  return fc.tuple(fc.integer({ min: 1, max: wide ? 8 : 6 }), fc.integer({ min: wide ? 0 : 1, max: 3 }), fc.boolean(), fc.boolean())
    .chain(([d, T, ridged, fewer]) => {
      // Without a ridge, fewer samples than d fit the minimum-norm solution (replace and mixture mode,
      // no verifier), else every fit needs n ≥ d; the GPU comparison keeps fits well conditioned
      // (n ≤ d − 2 or n ≥ 2d + 2).
      const mostFewer = wide ? d - 1 : d - 2;
      const minimumNorm = !ridged && fewer && mostFewer >= 1;
      const least = ridged || minimumNorm ? 1 : wide ? d : 2 * d + 2;
      const most = minimumNorm ? mostFewer : least + 40;
      const fewCount = fc.integer({ min: 1, max: Math.max(1, mostFewer) });
      const given = fc.array(ranged([-2, 2], [-MAX_SCALE, MAX_SCALE, 1e-300], reach, [-MAX_SCALE, MAX_SCALE]), { minLength: d, maxLength: d })
        .filter((v) => v.some((x) => x !== 0))
        .map((values) => ({ kind: 'given', values }));
      const ball = fc.record({
        kind: fc.constant('ball'),
        bias: ranged([0, 1], [0, MAX_SCALE], reach, [MAX_SCALE]),
        radius: ranged([0, 1], [0, 1e300], reach, [1e300]),
        slack: ranged([0, 2], [0, 1e300], reach, [1e300]),
        direction: fc.constantFrom('random', 'ones'),
      }, { requiredKeys: ['kind', 'bias', 'radius'] });
      return fc.record({
        model: fc.constant('linear'),
        d: fc.constant(d),
        generations: fc.constant(T),
        replicates: replicatesArb(reach),
        seed: seedArb(reach),
        n0: fc.integer({ min: least, max: most }),
        n: minimumNorm ? fc.oneof(fewCount, fc.array(fewCount, { minLength: T, maxLength: T }).map((values) => ({ kind: 'list', values }))) : countSchedule(least, most, T),
        mode: minimumNorm ? fc.constantFrom('replace', 'mixture') : fc.constantFrom('replace', 'accumulate', 'mixture'),
        design: fc.constantFrom('fresh', 'fixed'),
        sigma,
        syntheticSigma: fc.oneof(fc.constant(0), sigma),
        ridgeLambda: ridged ? ridgeSchedule(T, reach) : fc.constant(0),
        spectrum: fc.oneof(fc.constant({ kind: 'identity' }), fc.record({ kind: fc.constant('power'), exponent: ranged([0, 2], [0, maxExponent(d)], reach, [maxExponent(d)]) })),
        theta: fc.oneof(fc.constant({ kind: 'random' }), given),
        verifier: minimumNorm ? fc.constant({ kind: 'none' }) : fc.oneof(fc.constant({ kind: 'none' }), ball),
      }, { requiredKeys: ['model', 'd', 'generations', 'replicates', 'n0', ...(ridged ? ['ridgeLambda' as const] : [])] })
        .chain((s) => (s.mode === 'mixture'
          ? fc.option(fractionSchedule(T), { nil: undefined }).map((realFraction) => (realFraction === undefined ? s : { ...s, realFraction }))
          : fc.constant(s)));
    })
    .chain((s) => sweepOf({
      sigma,
      ...(s.verifier && (s.verifier as Json).kind === 'ball' ? { 'verifier.radius': between(0, 1) } : {}),
    }).map((sweep) => (sweep ? { ...s, sweep } : s)));
}

function yiGridArb(reach: Reach): fc.Arbitrary<Json> {
  return fc.integer({ min: 1, max: 4 }).chain((d) => fc.record({
    model: fc.constant('yi-grid'),
    d: fc.constant(d),
    sigma: ranged([0.1, 3], [1e-300, MAX_SCALE], reach, [MAX_SCALE]),
    n1: fc.integer({ min: reach === 'wide' ? d : 2 * d + 2, max: 40 }),
    n2: fc.integer({ min: 1, max: 40 }),
    bias: ranged([-0.5, 0.5], [-MAX_SCALE, MAX_SCALE], reach, [-MAX_SCALE, MAX_SCALE]),
    radius: ranged([0, 1], [0, 1e300], reach, [1e300]),
    slack: ranged([0, 2], [0, 1e300], reach, [1e300]),
    generations: fc.constant(0),
    replicates: replicatesArb(reach),
    seed: seedArb(reach),
  }, { requiredKeys: ['model', 'd', 'n1', 'replicates'] }))
    .chain((s) => sweepOf({ bias: between(-0.5, 0.5), radius: between(0, 1) }).map((sweep) => (sweep ? { ...s, sweep } : s)));
}

function gmmSelectionArb(reach: Reach): fc.Arbitrary<Json> {
  const probability = between(0, 1);
  return fc.tuple(fc.integer({ min: 1, max: 4 }), fc.boolean()).chain(([d, ridged]) => fc.record({
    model: fc.constant('gmm-selection'),
    d: fc.constant(d),
    meanNorm: ranged([0.05, 3], [1e-300, MAX_MEAN_NORM], reach, [MAX_MEAN_NORM]),
    flipRate: probability,
    selector: fc.oneof(
      fc.constant({ kind: 'none' }),
      fc.record({ kind: fc.constant('rates'), keepCorrect: probability, keepWrong: probability })
        .filter((s) => s.keepCorrect > 0 || s.keepWrong > 0),
      (d === 1 ? fc.constantFrom(0, Math.PI) : between(0, Math.PI)).map((angle) => ({ kind: 'linear', angle })),
    ),
    n: fc.integer({ min: ridged ? 1 : reach === 'wide' ? d : 2 * d + 2, max: 60 }),
    ridgeLambda: ridged ? ranged([0.1, 10], [1e-300, MAX_RIDGE], reach, [MAX_RIDGE]) : fc.constant(0),
    generations: fc.integer({ min: reach === 'wide' ? 0 : 1, max: 3 }),
    replicates: replicatesArb(reach),
    seed: seedArb(reach),
  }, { requiredKeys: ['model', 'd', 'meanNorm', 'flipRate', 'n', 'generations', 'replicates', ...(ridged ? ['ridgeLambda' as const] : [])] }))
    .chain((s) => sweepOf({ flipRate: probability }).map((sweep) => (sweep ? { ...s, sweep } : s)));
}

function gaussianArb(reach: Reach): fc.Arbitrary<Json> {
  const sigma = ranged([0.1, 10], [...SIGMA_RANGE], reach, [...SIGMA_RANGE]);
  return fc.integer({ min: 1, max: reach === 'wide' ? 6 : 3 }).chain((dim) => fc.record({
    model: fc.constant('gaussian'),
    dim: fc.constant(dim),
    // m = dim + 1 can lose full rank to rounding, on one backend only; the GPU comparison starts one higher.
    m: fc.integer({ min: dim + (reach === 'wide' ? 1 : 2), max: 40 }),
    estimator: fc.constantFrom('mle', 'unbiased'),
    mean: fc.oneof(ranged([-5, 5], [-1e300, 1e300], reach, [-1e300, 1e300]), fc.array(ranged([-5, 5], [-1e300, 1e300], reach, [1e300]), { minLength: dim, maxLength: dim })),
    sigma,
    generations: fc.integer({ min: reach === 'wide' ? 0 : 1, max: 3 }),
    replicates: replicatesArb(reach),
    seed: seedArb(reach),
  }, { requiredKeys: ['model', 'dim', 'm', 'generations', 'replicates'] })
    .chain((s) => sweepOf({ sigma, m: fc.integer({ min: dim + 2, max: 30 }) }, ['m']).map((sweep) => (sweep ? { ...s, sweep } : s))));
}

function aminErmArb(reach: Reach): fc.Arbitrary<Json> {
  const sigma = ranged([0.1, 10], [...AMIN_SIGMA_RANGE], reach, [...AMIN_SIGMA_RANGE]);
  // α = k/n with k < n synthetic samples, so α·n is whole.
  return fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: reach === 'wide' ? 16 : 4 })).chain(([n, dim]) => fc.record({
    model: fc.constant('amin-erm'),
    dim: fc.constant(dim),
    n: fc.constant(n),
    alpha: fc.integer({ min: 0, max: n - 1 }).map((k) => k / n),
    sigma,
    generations: fc.integer({ min: reach === 'wide' ? 0 : 1, max: 4 }),
    replicates: replicatesArb(reach),
    seed: seedArb(reach),
  }, { requiredKeys: ['model', 'n', 'alpha', 'generations', 'replicates'] })
    .chain((spec) => sweepOf({ sigma }).map((sweep) => (sweep ? { ...spec, sweep } : spec))));
}

function curationGaussianArb(reach: Reach): fc.Arbitrary<Json> {
  const wide = reach === 'wide';
  const sigma = ranged([0.1, 10], [...CURATION_SIGMA_RANGE], reach);
  // c and τ in units of s* (their ranges are relative to it): to the edges on the twin, moderate on the GPU.
  const offset = ranged([-3, 3], [-MAX_TARGET_OFFSET, MAX_TARGET_OFFSET], reach);
  const tauRatio = ranged([0.3, 3], [...TAU_RATIO_RANGE], reach);
  return fc.tuple(fc.integer({ min: 1, max: wide ? 8 : 4 }), fc.integer({ min: wide ? 0 : 1, max: 3 })).chain(([dim, T]) => fc.record({
    model: fc.constant('curation-gaussian'),
    dim: fc.constant(dim),
    n: fc.integer({ min: 2, max: 30 }),
    candidates: fc.integer({ min: 2, max: wide ? 16 : 8 }),
    realFraction: fractionSchedule(T),
    mean: ranged([-5, 5], [-1e3, 1e3], reach),
    sigma,
    target: fc.oneof(offset, fc.array(offset, { minLength: dim, maxLength: dim })),
    tau: tauRatio,
    generations: fc.constant(T),
    replicates: replicatesArb(reach),
    seed: seedArb(reach),
  }, { requiredKeys: ['model', 'dim', 'n', 'mean', 'sigma', 'target', 'tau', 'generations', 'replicates'] })
    // target and tau drawn in units of s*, made absolute.
    .map((s) => {
      const { mean, sigma: sd, target, tau } = s as { mean: number; sigma: number; target: number | number[]; tau: number };
      const at = (c: number) => mean + c * sd;
      return { ...s, target: Array.isArray(target) ? target.map(at) : at(target), tau: tau * sd };
    })
    // Rounding may carry a value at an edge just past it: the spec says so, and such a case is dropped.
    .filter((s) => { try { parseSpec(s); return true; } catch { return false; } })
    .chain((s) => sweepOf({ realFraction: between(0, 1), candidates: fc.integer({ min: 2, max: 8 }), n: fc.integer({ min: 2, max: 30 }) }, ['candidates', 'n'])
      .map((sweep) => (sweep ? { ...s, sweep } : s))));
}

/** K probabilities ≥ 0 summing to 1, some of them 0. */
const distribution = (K: number) => fc.array(fc.oneof(fc.constant(0), between(0.01, 1)), { minLength: K, maxLength: K })
  .filter((w) => w.some((x) => x > 0))
  .map((w) => {
    const sum = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / sum);
  });

function tokenArb(model: 'categorical' | 'bigram', reach: Reach): fc.Arbitrary<Json> {
  const least = model === 'bigram' ? 2 : 1;
  const maxK = model === 'bigram' ? (reach === 'wide' ? 8 : 5) : (reach === 'wide' ? 64 : 8);
  return fc.tuple(fc.integer({ min: 2, max: maxK }), fc.integer({ min: reach === 'wide' ? 0 : 1, max: 3 })).chain(([K, T]) => fc.record({
    model: fc.constant(model),
    probs: fc.oneof(
      (model === 'bigram' ? fc.array(distribution(K), { minLength: K, maxLength: K }) : distribution(K)).map((values) => ({ kind: 'given', values })),
      fc.record({ kind: fc.constant('dirichlet'), k: fc.constant(K), alpha: ranged([0.1, 5], [1e-300, 1e-3, 1e3, 1e300], reach, [1e-300, 1e-3, 1e3, 1e300]) }, { requiredKeys: ['kind', 'k'] }),
    ),
    n0: fc.integer({ min: least, max: 50 }),
    n: countSchedule(least, 50, T),
    realFraction: fractionSchedule(T),
    generations: fc.constant(T),
    replicates: replicatesArb(reach),
    seed: seedArb(reach),
  }, { requiredKeys: ['model', 'probs', 'n0', 'generations', 'replicates'] }))
    .chain((s) => sweepOf({ realFraction: between(0, 1) }).map((sweep) => (sweep ? { ...s, sweep } : s)));
}

/** Curated retraining: P* given or seeded, one to three curators (weights summing to 1), K candidates. */
function curationArb(reach: Reach): fc.Arbitrary<Json> {
  const reward = (V: number) => fc.array(ranged([-3, 3], [-MAX_REWARD, MAX_REWARD, 0], reach, [-MAX_REWARD, MAX_REWARD]), { minLength: V, maxLength: V });
  const maxV = reach === 'wide' ? 16 : 8;
  return fc.tuple(fc.integer({ min: 2, max: maxV }), fc.integer({ min: reach === 'wide' ? 0 : 1, max: 3 }), fc.integer({ min: 1, max: MAX_CURATORS })).chain(([V, T, C]) => fc.record({
    model: fc.constant('curation'),
    probs: fc.oneof(
      distribution(V).map((values) => ({ kind: 'given', values })),
      fc.record({ kind: fc.constant('dirichlet'), k: fc.constant(V), alpha: ranged([0.1, 5], [1e-300, 1e-3, 1e3], reach, [1e-3, 1e3]) }, { requiredKeys: ['kind', 'k'] }),
    ),
    curators: fc.tuple(fc.array(between(0.05, 1), { minLength: C, maxLength: C }), fc.array(reward(V), { minLength: C, maxLength: C }))
      .map(([weights, rewards]) => {
        const sum = weights.reduce((a, b) => a + b, 0);
        return rewards.map((r, i) => ({ weight: weights[i] / sum, reward: r }));
      }),
    candidates: fc.integer({ min: 2, max: reach === 'wide' ? MAX_CANDIDATES : 8 }),
    n: fc.integer({ min: 1, max: 50 }),
    realFraction: fractionSchedule(T),
    generations: fc.constant(T),
    replicates: replicatesArb(reach),
    seed: seedArb(reach),
  }, { requiredKeys: ['model', 'probs', 'curators', 'candidates', 'n', 'generations', 'replicates'] })
    // One curator is written as `reward`.
    .map(({ curators, ...rest }): Json => (C === 1 ? { ...rest, reward: curators[0].reward } : { ...rest, curators })))
    .chain((s) => sweepOf({ candidates: fc.integer({ min: 2, max: 8 }), n: fc.integer({ min: 1, max: 50 }) }, ['candidates', 'n']).map((sweep) => (sweep ? { ...s, sweep } : s)));
}

/** mnist-cvae at the twin's scale (a few units and steps: every case trains networks on both backends). */
function mnistCvaeArb(reach: Reach): fc.Arbitrary<Json> {
  const tens = (min: number, max: number) => fc.integer({ min: min / 10, max: max / 10 }).map((k) => 10 * k);
  return fc.integer({ min: reach === 'wide' ? 0 : 1, max: 2 }).chain((T) => fc.record({
    model: fc.constant('mnist-cvae'),
    hidden: fc.integer({ min: 1, max: 8 }),
    latent: fc.integer({ min: 1, max: 5 }),
    n: tens(10, 40),
    steps: fc.integer({ min: 1, max: 4 }),
    batch: fc.integer({ min: 1, max: 16 }),
    learningRate: between(1e-4, 1e-2),
    keepFraction: fc.constantFrom(0.1, 0.5, 1),
    chunk: fc.constant(10),
    realFraction: between(0, 1),
    accumulate: fc.boolean(),
    verifier: fc.record({
      hidden: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 2 }),
      steps: fc.integer({ min: 1, max: 3 }),
      batch: fc.integer({ min: 1, max: 8 }).map((half) => 2 * half),
      mode: fc.constantFrom('retrain', 'once'),
    }, { requiredKeys: ['hidden', 'steps', 'batch'] }),
    evaluation: fc.record({ images: tens(10, 40), samples: tens(10, 40), heldout: fc.integer({ min: 1, max: 10 }) }),
    generations: fc.constant(T),
    replicates: fc.integer({ min: 1, max: reach === 'wide' ? 3 : 2 }),
    seed: seedArb(reach),
  // Every size given: the defaults (300 steps, a 784-256-64-1 verifier, …) are a real run's, not a test's.
  }, { requiredKeys: ['model', 'hidden', 'latent', 'n', 'steps', 'batch', 'chunk', 'verifier', 'generations', 'replicates', 'evaluation'] }))
    // Its cells run one after another, each its own networks: at most two.
    .chain((s) => fc.option(fc.constantFrom({ keepFraction: [0.1, 1] }, { realFraction: [0, 0.5] }), { nil: undefined, freq: 4 })
      .map((sweep) => (sweep ? { ...s, sweep } : s)));
}

/** A valid spec of any model in the registry. */
function validSpec(reach: Reach): fc.Arbitrary<Json> {
  const byModel: Record<string, fc.Arbitrary<Json>> = {
    linear: linearArb(reach),
    'yi-grid': yiGridArb(reach),
    'gmm-selection': gmmSelectionArb(reach),
    gaussian: gaussianArb(reach),
    'amin-erm': aminErmArb(reach),
    'curation-gaussian': curationGaussianArb(reach),
    categorical: tokenArb('categorical', reach),
    bigram: tokenArb('bigram', reach),
    curation: curationArb(reach),
    'mnist-cvae': mnistCvaeArb(reach),
  };
  // Every model of the registry has an arbitrary here: a new model must add one.
  expect(Object.keys(byModel).sort()).toEqual(Object.keys(MODELS).sort());
  // mnist-cvae trains networks and draws a round's candidates with a Threefry call per four pixels: a
  // case costs seconds where the others' cost milliseconds, so it comes up a twelfth as often as each
  // other model (its GPU ≡ twin, chunking and determinism checks are also in test/mnist-cvae.test.ts
  // and the fixtures).
  return fc.oneof(...Object.entries(byModel).map(([model, arbitrary]) => ({ arbitrary, weight: model === 'mnist-cvae' ? 1 : 12 })));
}

/** Paths of every number in `value` that is NaN or ±Infinity. */
function nonFinite(value: unknown, path = 'result'): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${path} = ${value}`];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => nonFinite(inner, `${path}.${key}`));
}

/** What a run produced, cell by cell (one cell without a sweep). */
const cellsOf = (run: RunOutput): Stats[][] => (run.cells ? run.cells.map((cell) => cell.generations) : [run.generations]);

/**
 * How closely a model's f32 GPU run must follow the float64 twin on the same random words.
 *
 * Each replicate's value carries a relative f32 error of at most `rho` (at generation t) of its
 * own scale: the per-model tests measure it replicate by replicate (linear θ̂ and yi-grid losses
 * 1e-3, gaussian 4·2⁻¹¹ per generation from WGSL's sin/cos, categorical and bigram 2e-4,
 * gmm-selection accuracy 1e-4). A statistic is a mean over replicates, so it may move by rho
 * times the replicates' root-mean-square scale, plus the f32 reduction's rounding (256 terms of
 * 2⁻²⁴: 1.5e-5 of the sum); its SE² by the matching first-order bound.
 *
 * Where the model makes discrete decisions on f32 values (a verifier or selector, labels by a
 * trained classifier), a sample within rounding of the boundary may be decided differently on
 * the two backends; then up to `flips` replicates may follow another path. One replicate of n
 * moves a mean by at most SE_gpu + SE_twin (each of its two values lies within its own sample,
 * at most s·(n − 1)/√n from that sample's mean: Samuelson's inequality), a fraction of samples
 * (acceptance, kept) by 1/R more, a count of replicates by 1.
 */
interface Agreement {
  rho: (t: number) => number;
  flips: number;
  /** Metrics that follow the discrete decisions (all of them, by default, when flips > 0). */
  decided?: (key: string) => boolean;
  /** Scale of one replicate's value of `key` (default: the metric's root mean square). */
  scale?: (key: string, stats: Stats, rms: number) => number;
}

/** Replicates counted in a statistic; the best lower bound each model reports. */
const counted = (stats: Stats, R: number) => Math.max(2, typeof stats.replicates === 'number' ? stats.replicates : R);

/** Counts of replicates and fractions of all R replicates. */
const COUNTS = new Set(['failed', 'replicates']);
const REPLICATE_FRACTIONS = new Set(['absorbed', 'collapsed']);
/** Metrics in [0, 1]: a value's scale is 1, a flipped replicate moves them by 1/R. */
const UNIT_METRICS = new Set(['accuracy', 'keptFraction', 'acceptRate', 'acceptReal', 'acceptFromVerified', 'acceptFromReal', 'tv']);
/** Metrics without an SE of their own, and the metric whose SE bounds what one flipped replicate does to them. */
const PARTNER_SE: Record<string, string> = { bias2: 'mseSE', variance: 'mseSE' };
/** f32 sums of 256 terms. */
const REDUCTION = 256 * 2 ** -24;
/**
 * f32's smallest normal number: a mean below it may be 0 on the GPU, and an SE whose squared
 * values fall below it (values under 1e-18) is 0 there.
 */
const F32_TINY = 2 ** -126;

function agreement(model: string, cell: Json, generations: number): Agreement {
  const R = cell.replicates as number;
  const someFlips = 1 + Math.ceil(R / 100);
  switch (model) {
    case 'linear': {
      const theta = cell.theta as { kind: string; values?: number[] };
      const thetaNorm = theta.kind === 'given' ? Math.hypot(...theta.values!) : 1;
      // θ̂ is within rho·‖θ̂‖ of the twin's; ‖θ̂‖ ≤ ‖θ*‖ + √mse. A squared distance D = ‖θ̂ − a‖²
      // then moves by ≤ 2√D·rho·‖θ̂‖ + (rho‖θ̂‖)².
      const scale = (key: string, stats: Stats, rms: number) => {
        const estimate = thetaNorm + Math.sqrt(Math.abs(stats.mse ?? 0) + (stats.mseSE ?? 0) ** 2 * counted(stats, R));
        const distance = (d: number) => 2 * Math.sqrt(Math.abs(d)) * estimate + 1e-3 * estimate ** 2;
        if (key === 'variance') return distance(rms) + distance(stats.bias2 ?? 0);
        return distance(key === 'bias2' ? (stats.bias2 ?? 0) : rms);
      };
      return { rho: () => 1e-3, flips: (cell.verifier as Json).kind === 'ball' ? someFlips : 0, scale };
    }
    case 'yi-grid': {
      // Only θ̂₀ (all real samples) is free of the verifier's decisions; a fit on the few samples
      // it accepts can also be ill-conditioned enough to differ by more than rho (the per-model
      // test allows 5 % of replicates). θ* ~ N(0, I_d): ‖θ̂‖ ≲ √d + 3 + √loss.
      const d = (cell.d as number | undefined) ?? 5;
      const scale = (_key: string, _stats: Stats, rms: number): number => 2 * Math.sqrt(Math.abs(rms)) * (Math.sqrt(d) + 3 + Math.sqrt(Math.abs(rms)));
      return { rho: () => 1e-3, flips: someFlips, decided: (key) => !key.startsWith('loss0') && key !== 'replicates', scale };
    }
    case 'gmm-selection': {
      // Generation 0 labels by the true y and keeps by exact uniforms (rates) or keeps all: no
      // f32 decision. A linear verifier, and labels by a trained classifier (t ≥ 1), decide on signs.
      const selector = (cell.selector as Json | undefined)?.kind;
      const decides = selector === 'linear' || generations >= 1;
      return { rho: () => 1e-4, flips: decides ? someFlips : 0, scale: () => 1 };
    }
    case 'gaussian': {
      // Per generation 4·2⁻¹¹ relative on σ̂² and on μ̂ − μ in units of σ; logs move by that absolutely.
      const sigma = cell.sigma as number, dim = cell.dim as number;
      const scale = (key: string, _stats: Stats, rms: number) => {
        if (key.startsWith('logVar')) return 1;
        if (key === 'meanErr2') return 2 * Math.sqrt(Math.abs(rms) * dim) * sigma + 1e-3 * dim * sigma ** 2;
        return rms;
      };
      return { rho: (t) => 4 * 2 ** -11 * (t + 1), flips: 0, scale };
    }
    case 'amin-erm': {
      // Each estimate is within 8·2⁻¹¹·σ/√n per coordinate of the twin's (test/amin-erm.test.ts): a squared
      // error ‖e‖² moves by ≤ 2‖e‖·√dim·that, plus its square.
      const s = (cell.sigma as number) / Math.sqrt(cell.n as number), dim = cell.dim as number;
      return { rho: () => 8 * 2 ** -11, flips: 0, scale: (_key, _stats, rms) => 2 * Math.sqrt(Math.abs(rms) * dim) * s + 1e-2 * dim * s * s };
    }
    case 'curation-gaussian': {
      // The fit is within a few 2⁻¹¹ of s* (mean) and of v + s*² (variance) of the twin's per generation
      // (test/curation-gaussian.test.ts); each metric's scale follows from its formula. The curator's
      // argmax decides on f32 scores: with any curated sample, a replicate may take another path.
      const s = cell.sigma as number, dim = cell.dim as number, tau = cell.tau as number;
      const counts = cell.realCounts as number[], n = cell.n as number;
      const curates = counts.some((fresh, t) => t > 0 && fresh < n);
      const gapScale = (gap: number) => 2 * Math.sqrt(Math.abs(gap) * dim) * s + dim * s * s;
      const scale = (key: string, stats: Stats, rms: number) => {
        switch (key) {
          case 'targetGap': return gapScale(rms);
          case 'variance': return rms + s * s;
          case 'reward': return (gapScale(stats.targetGap ?? 0) + dim * (Math.abs(stats.variance ?? 0) + s * s)) / (2 * tau * tau);
          case 'klModel': return dim * (1 + rms) + Math.sqrt(2 * Math.abs(rms));
          default: return dim;
        }
      };
      return { rho: (t) => 8 * 2 ** -11 * (t + 1), flips: curates ? someFlips : 0, scale };
    }
    case 'curation': {
      // Counts are identical (integer draws); a metric sums V terms in f32, each up to max |r| (rewards, the
      // Nash objective's max r + log …), so it may be off by a few 2⁻²⁴·max |r| even where the twin's is 0.
      const rewards = (cell.curators as { reward: number[] }[]).flatMap((c) => c.reward);
      const largest = Math.max(1, ...rewards.map(Math.abs));
      return { rho: () => 2e-4, flips: 0, scale: (_key, _stats, rms) => rms + largest * 1e-2 };
    }
    case 'mnist-cvae':
      // f32 training drifts from float64's (2 % on the fixtures), and a Bernoulli pixel or a top-k
      // rank within rounding decides differently: any replicate may then take another path.
      return { rho: () => 0.02, flips: R, scale: (_key, _stats, rms) => rms };
    default:
      // categorical, bigram: counts are identical (integer draws), metrics within 2e-4 relative + 2e-6.
      return { rho: () => 2e-4, flips: 0, scale: (key, _stats, rms) => (key === 'tv' ? 1 : rms + 1e-2) };
  }
}

/** Where the GPU's statistics of one generation stray from the twin's beyond `a`; empty if they agree. */
function disagreements(g: Stats, c: Stats, R: number, a: Agreement): string[] {
  const problems: string[] = [];
  const rho = a.rho(c.t);
  const n = counted(c, R);
  for (const key of Object.keys(c)) {
    if (key === 't' || (key.endsWith('SE') && key.slice(0, -2) in c)) continue;
    const flips = a.flips > 0 && (a.decided?.(key) ?? true) ? a.flips : 0;
    const gv = g[key], cv = c[key];
    const say = (what: string) => problems.push(`t = ${c.t}, ${key}: GPU ${gv} vs twin ${cv} (${what})`);
    if (COUNTS.has(key) || REPLICATE_FRACTIONS.has(key)) {
      const unit = REPLICATE_FRACTIONS.has(key) ? 1 / R : 1;
      if (Math.abs(gv! - cv!) > flips * unit + 1e-9) say(`may differ by ${flips} replicates`);
      continue;
    }
    if (key === 'best') {
      // The argmin of the four losses: the GPU's choice must be as good as the twin's, to tolerance.
      if (gv !== cv && !(gv !== null && cv !== null && Math.abs((g[`loss${gv}`] as number) - (g[`loss${cv}`] as number))
        <= rho * Math.abs(g[`loss${cv}`] as number) + flips * ((g[`loss${cv}SE`] ?? 0) + (g[`loss${gv}SE`] ?? 0)))) say('a different best estimator');
      continue;
    }
    if (gv === null || cv === null) {
      if (gv !== cv && !flips) say('null on one backend only');
      continue;
    }
    const seKey = `${key}SE` in c ? `${key}SE` : PARTNER_SE[key];
    const se = seKey ? c[seKey] : null, gse = seKey ? g[seKey] : null;
    const sd = (se ?? 0) * Math.sqrt(n);
    const rms = Math.hypot(cv, sd);
    const scale = UNIT_METRICS.has(key) ? 1 : a.scale ? a.scale(key, c, rms) : rms;
    const flipAllowance = flips * ((UNIT_METRICS.has(key) ? 1 / R : 0) + (se ?? 0) + (gse ?? 0));
    const tolerance = rho * scale + REDUCTION * rms + flipAllowance + F32_TINY;
    if (!(Math.abs(gv - cv) <= tolerance)) say(`tolerance ${tolerance.toPrecision(3)}`);
    if (`${key}SE` in c && !flips && rms ** 2 > F32_TINY) {
      // SE² = var/n; var moves by ≤ 2.5·sd·rho·scale (first order) + (rho·scale)² (second order: all of it where
      // the twin's values are equal, sd = 0) + 4·(256·2⁻²⁴)·rms² (f32 sums of squares).
      if ((gse === null) !== (se === null)) say(`SE ${gse} vs ${se}, null on one backend only`);
      else if (se !== null && gse !== null) {
        const seTolerance = (2.5 * sd * rho * scale + (rho * scale) ** 2 + 4 * REDUCTION * rms * rms) / n;
        if (!(Math.abs(gse ** 2 - se ** 2) <= seTolerance)) say(`SE ${gse} vs ${se}, SE² tolerance ${seTolerance.toPrecision(3)}`);
      }
    }
  }
  return problems;
}

describe('random valid specs on the CPU twin', () => {
  it('run deterministically per seed, every statistic finite or null', async () => {
    await fc.assert(fc.asyncProperty(validSpec('wide'), async (input) => {
      const spec = parseSpec({ ...input, backend: 'cpu' });
      const [first, second] = [await runExperiment(spec), await runExperiment(spec)];
      expect(first.backend).toBe('cpu');
      expect(nonFinite({ cells: first.cells, generations: first.generations, closedForms: first.closedForms })).toEqual([]);
      expect(cellsOf(first).every((generations) => generations.length === spec.generations + 1)).toBe(true);
      expect(cellsOf(second)).toEqual(cellsOf(first));
    }), { numRuns: runs(300) });
  }, 600_000);
});

describe('random valid specs on WebGPU and on the twin', () => {
  // One device for every case.
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: gpuPath }); });
  afterAll(() => gpu?.device.destroy());

  it(`agree generation by generation on ${gpuPath}, every statistic finite or null`, async () => {
    await fc.assert(fc.asyncProperty(validSpec('gpu'), async (input) => {
      const spec = parseSpec(input);
      const onGpu = await runExperiment({ ...spec, backend: 'webgpu' }, { gpu });
      const onTwin = await runExperiment({ ...spec, backend: 'cpu' });
      expect(onGpu.backend).toBe('webgpu');
      expect(nonFinite({ cells: onGpu.cells, generations: onGpu.generations, closedForms: onGpu.closedForms })).toEqual([]);
      expect(nonFinite({ cells: onTwin.cells, generations: onTwin.generations, closedForms: onTwin.closedForms })).toEqual([]);
      const cells = experimentCells(spec).specs as unknown as Json[];
      const [gpuCells, twinCells] = [cellsOf(onGpu), cellsOf(onTwin)];
      const problems = cells.flatMap((cell, i) => {
        const a = agreement(spec.model, cell, spec.generations);
        return twinCells[i].flatMap((c, t) => disagreements(gpuCells[i][t], c, spec.replicates, a)).map((p) => (cells.length > 1 ? `cell ${i}: ${p}` : p));
      });
      expect(problems).toEqual([]);
    }), { numRuns: runs(150) });
  }, 600_000);

  // The tolerances above must still tell different runs apart: the same spec agrees, another
  // seed or a parameter 5 % off does not.
  it.each<[string, Json, Json]>([
    ['linear', { model: 'linear', d: 3, n0: 20, generations: 2, replicates: 64 }, { sigma: 1.05 }],
    ['yi-grid', { model: 'yi-grid', d: 2, n1: 20, n2: 20, replicates: 64 }, { sigma: 1.05 }],
    ['gmm-selection', { model: 'gmm-selection', d: 2, meanNorm: 1, flipRate: 0.2, n: 40, selector: { kind: 'rates', keepCorrect: 0.9, keepWrong: 0.3 }, generations: 0, replicates: 64 }, { meanNorm: 1.05 }],
    ['gaussian', { model: 'gaussian', dim: 2, m: 10, generations: 2, replicates: 64 }, { sigma: 1.05 }],
    ['amin-erm', { model: 'amin-erm', dim: 2, n: 10, alpha: 0.5, generations: 3, replicates: 64 }, { sigma: 1.05 }],
    // All fresh: no curator's decision, so no replicate may take another path.
    ['curation-gaussian', { model: 'curation-gaussian', dim: 2, n: 10, realFraction: 1, target: 1, generations: 3, replicates: 64 }, { sigma: 1.05 }],
    ['categorical', { model: 'categorical', probs: { kind: 'dirichlet', k: 5 }, n0: 20, generations: 2, replicates: 64 }, { n0: 21 }],
    ['bigram', { model: 'bigram', probs: { kind: 'dirichlet', k: 3 }, n0: 20, generations: 2, replicates: 64 }, { n0: 21 }],
    ['curation', { model: 'curation', probs: { kind: 'dirichlet', k: 5 }, reward: [0, 1, 2, 0, 1], candidates: 3, n: 20, generations: 2, replicates: 64 }, { n: 21 }],
  ])('%s: the comparison tells another seed and a parameter 5 %% off apart', async (model, fields, nudge) => {
    const problems = async (twinFields: Json) => {
      const [onGpu, onTwin] = [await runExperiment(parseSpec({ ...fields, backend: 'webgpu' }), { gpu }), await runExperiment(parseSpec({ ...fields, ...twinFields, backend: 'cpu' }))];
      const a = agreement(model, experimentCells(parseSpec(fields)).specs[0] as unknown as Json, fields.generations as number ?? 0);
      return onTwin.generations.flatMap((c, t) => disagreements(onGpu.generations[t], c, fields.replicates as number, a));
    };
    expect(await problems({})).toEqual([]);
    expect((await problems({ seed: 2 })).length).toBeGreaterThan(0);
    expect((await problems(nudge)).length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Invalid input: every way in (a spec object, a JSON file, --set edits and shorthands) ends in
// the spec or a SpecError whose every line is `path: message` — never another exception.

/** The SpecError `make` throws (failing on any other exception), or null where the input is valid. */
function specErrorOf(make: () => unknown): SpecError | null {
  try {
    make();
    return null;
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    // One line per issue, each naming a field path (dotted, or `spec` for the whole input) and
    // saying what is wrong in synthloop's words, never zod's.
    expect(error.message).toBe(error.issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n'));
    for (const issue of error.issues) {
      expect(issue.path.length).toBeGreaterThan(0);
      expect(issue.message.length).toBeGreaterThan(0);
      expect(issue.message).not.toMatch(/^(Invalid|Expected|Required|Unrecognized)|received /);
    }
    return error;
  }
}

/** An issue at `path` or inside it (`verifier` → `verifier.bias`). */
const at = (error: SpecError | null, path: string) =>
  error !== null && error.issues.some((issue) => issue.path === path || issue.path.startsWith(`${path}.`));

/** Never a number a numeric field accepts. */
const NOT_NUMBERS = [NaN, Infinity, -Infinity, null, true, false, '1', '', 'NaN', 'Infinity', {}, [], [1]];
/** Never an integer count ≥ 1 up to `max`. */
const badCount = (max: number) => [...NOT_NUMBERS, 0, -1, -0, 1.5, max + 1, 2 ** 53, 1e300, -1e300];
/** Never a number of generations (0..10 000). */
const BAD_GENERATIONS = [...NOT_NUMBERS, -1, -1e-300, 0.5, 10_001, 2 ** 53, 1e300];
/** Never a word of a fixed list. */
const NOT_WORDS = ['', 'Replace', 'none ', 1, null, true, {}, [], ['replace']];
/** Never a schedule, whatever the generations. */
const BAD_SCHEDULES = [...NOT_NUMBERS, -3, 2 ** 25, {}, { kind: 'harmonic' }, { kind: 'bogus', value: 1 }, { kind: 'constant', value: 1, extra: 1 }, { kind: 'constant', value: -1 }];
const BAD_FRACTIONS = [...NOT_NUMBERS, -0.1, 1.5, { kind: 'constant', value: 2 }, { kind: 'list' }];

const COMMON_FIELDS: Record<string, unknown[]> = {
  replicates: badCount(2 ** 31 - 1),
  seed: [NaN, Infinity, -Infinity, null, true, {}, [], ['a']],
  backend: [...NOT_WORDS, 'gpu', 'CPU'],
};

/** Per model: fields and values that are invalid whatever the rest of the spec says. */
const INVALID_FIELDS: Record<string, Record<string, unknown[]>> = {
  linear: {
    d: badCount(64),
    generations: BAD_GENERATIONS,
    sigma: [...NOT_NUMBERS, 0, -1, -Number.MIN_VALUE, MAX_SCALE * 1.001, 1e20, 1e300],
    syntheticSigma: [...NOT_NUMBERS, -1e-300, -1, MAX_SCALE * 2, 1e300],
    n0: badCount(2 ** 24),
    n: BAD_SCHEDULES,
    mode: [...NOT_WORDS, 'fit'],
    design: [...NOT_WORDS, 'random'],
    realFraction: BAD_FRACTIONS,
    ridgeLambda: [...NOT_NUMBERS, -1, MAX_RIDGE * 2, 1e300, { kind: 'harmonic', c: -1 }, { kind: 'list', values: [] }],
    spectrum: [null, 'identity', {}, { kind: 'power' }, { kind: 'power', exponent: -1 }, { kind: 'power', exponent: NaN }, { kind: 'identity', exponent: 1 }, { kind: 'diagonal' }],
    theta: [null, 'random', {}, { kind: 'given' }, { kind: 'given', values: [] }, { kind: 'given', values: 'x' }, { kind: 'random', values: [1] }, { kind: 'given', values: [1e300] }],
    verifier: [null, 'ball', {}, { kind: 'ball' }, { kind: 'ball', bias: -1, radius: 0 }, { kind: 'ball', bias: 0, radius: -1 }, { kind: 'ball', bias: MAX_SCALE * 2, radius: 0 },
      { kind: 'ball', bias: 0, radius: 0, slack: -1 }, { kind: 'ball', bias: 0, radius: 0, direction: 'up' }, { kind: 'none', bias: 0 }, { kind: 'cube' }],
    schedule: [null, 1, 'x', {}, { n: [1] }],
  },
  'yi-grid': {
    d: badCount(64),
    sigma: [...NOT_NUMBERS, 0, -1, MAX_SCALE * 2, 1e300],
    n1: badCount(2 ** 24),
    n2: badCount(2 ** 24),
    bias: [...NOT_NUMBERS, MAX_SCALE * 2, -MAX_SCALE * 2, 1e300],
    radius: [...NOT_NUMBERS, -1, -1e-300],
    slack: [...NOT_NUMBERS, -1],
    generations: [...NOT_NUMBERS, 1, -1, 0.5],
  },
  'gmm-selection': {
    d: badCount(64),
    generations: BAD_GENERATIONS,
    meanNorm: [...NOT_NUMBERS, 0, -1, MAX_MEAN_NORM + 1e-9, 1e300],
    flipRate: [...NOT_NUMBERS, -0.1, 1.1],
    selector: [null, 'none', {}, { kind: 'rates', keepCorrect: 0, keepWrong: 0 }, { kind: 'rates', keepCorrect: 2, keepWrong: 0.5 }, { kind: 'rates', keepCorrect: 0.5 },
      { kind: 'linear' }, { kind: 'linear', angle: 4 }, { kind: 'linear', angle: -1 }, { kind: 'none', angle: 1 }, { kind: 'oracle' }],
    n: badCount(2 ** 24),
    ridgeLambda: [...NOT_NUMBERS, -1, MAX_RIDGE * 2],
  },
  gaussian: {
    dim: [...badCount(16), 17],
    generations: BAD_GENERATIONS,
    m: [...badCount(2 ** 24), 1],
    estimator: [...NOT_WORDS, 'MLE', 'biased'],
    mean: [NaN, Infinity, null, true, 'x', {}, [1, 'a'], [NaN]],
    sigma: [...NOT_NUMBERS, 0, -1, SIGMA_RANGE[0] / 2, SIGMA_RANGE[1] * 2],
  },
  'amin-erm': {
    dim: [...badCount(16), 17],
    generations: BAD_GENERATIONS,
    n: badCount(2 ** 24),
    alpha: [...NOT_NUMBERS, -0.1, 1, 1.5],
    sigma: [...NOT_NUMBERS, 0, -1, AMIN_SIGMA_RANGE[0] / 2, AMIN_SIGMA_RANGE[1] * 2],
  },
  'curation-gaussian': {
    dim: [...badCount(8), 9],
    generations: BAD_GENERATIONS,
    n: [...badCount(2 ** 24), 1],
    candidates: [...badCount(1024), 1],
    realFraction: BAD_FRACTIONS,
    mean: [NaN, Infinity, null, true, 'x', {}, [1, 'a'], [NaN]],
    sigma: [...NOT_NUMBERS, 0, -1, CURATION_SIGMA_RANGE[0] / 2, CURATION_SIGMA_RANGE[1] * 2],
    target: [NaN, Infinity, null, true, 'x', {}, [1, 'a'], [NaN], 1e300, -1e300],
    tau: [...NOT_NUMBERS, 0, -1, 1e300, 1e-300],
  },
  categorical: {
    probs: [null, [0.5, 0.5], {}, { kind: 'given' }, { kind: 'given', values: [1] }, { kind: 'given', values: [0.5, 0.6] }, { kind: 'given', values: [1.5, -0.5] },
      { kind: 'given', values: [NaN, 1] }, { kind: 'dirichlet' }, { kind: 'dirichlet', k: 1 }, { kind: 'dirichlet', k: 4097 }, { kind: 'dirichlet', k: 4, alpha: 0 }, { kind: 'uniform', k: 4 }],
    n0: badCount(2 ** 24),
    n: BAD_SCHEDULES,
    realFraction: BAD_FRACTIONS,
    generations: BAD_GENERATIONS,
  },
  curation: {
    probs: [null, {}, { kind: 'given', values: [1] }, { kind: 'given', values: [0.5, 0.6] }, { kind: 'dirichlet', k: 1 }, { kind: 'dirichlet', k: 257 }, { kind: 'dirichlet', k: 4, alpha: 0 }],
    reward: [null, 1, 'x', [NaN], [MAX_REWARD * 2], [1, 'a'], {}],
    curators: [null, 1, [], [{}], [{ weight: 1 }], [{ weight: -1, reward: [] }], [{ weight: 0.5, reward: [] }], Array(4).fill({ weight: 0.25, reward: [0] })],
    candidates: [...badCount(MAX_CANDIDATES), 1],
    n: badCount(2 ** 24),
    realFraction: BAD_FRACTIONS,
    generations: BAD_GENERATIONS,
    realCounts: [null, 1, [-1], 'x'],
  },
  'mnist-cvae': {
    hidden: badCount(4096),
    latent: badCount(256),
    n: [...BAD_SCHEDULES, 15, 5],
    steps: badCount(100_000),
    batch: badCount(1024),
    learningRate: [...NOT_NUMBERS, 0, -1e-3, 2],
    keepFraction: [...NOT_NUMBERS, 0, -0.1, 1.5, 0.013],
    chunk: badCount(1000),
    realFraction: [...NOT_NUMBERS, -0.1, 1.5],
    accumulate: [null, 1, 'yes'],
    verifier: [null, 5, { hidden: [] }, { hidden: [0] }, { mode: 'always' }, { batch: 3 }, { steps: 0 }, { depth: 2 }],
    evaluation: [null, { images: 15 }, { images: 2010 }, { samples: 0 }, { heldout: 0 }],
    generations: BAD_GENERATIONS,
  },
  bigram: {
    probs: [null, {}, { kind: 'given', values: [0.5, 0.5] }, { kind: 'given', values: [[1]] }, { kind: 'given', values: [[0.5, 0.5], [0.5]] },
      { kind: 'given', values: [[0.5, 0.6], [0.5, 0.5]] }, { kind: 'dirichlet', k: 257 }, { kind: 'dirichlet', k: 1 }],
    n0: [...badCount(2 ** 24), 1],
    n: [...BAD_SCHEDULES, 1],
    realFraction: BAD_FRACTIONS,
    generations: BAD_GENERATIONS,
  },
};

/** Keys no model has: anything with a character outside [A-Za-z0-9], and near misses of real fields. */
const unknownKey = fc.oneof(
  fc.string({ maxLength: 8 }).map((s) => `${s}~`),
  fc.constantFrom('verifer', 'Sigma', 'n_0', 'seeds', 'replicate', 'model ', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '0', ''),
);

/** Sweeps that are wrong in themselves (named `sweep…`) or give a cell a wrong value (named by the field). */
function badSweep(model: string) {
  const [axis, other] = MODELS[model].sweepable;
  return fc.constantFrom<[unknown, string]>(
    [null, 'sweep'], [[], 'sweep'], [5, 'sweep'], ['x', 'sweep'], [{}, 'sweep'],
    [{ replicates: [1, 2] }, 'sweep'], [{ [axis]: [] }, 'sweep'], [{ [axis]: [NaN] }, 'sweep'], [{ [axis]: [1, 'a'] }, 'sweep'],
    [{ [axis]: { start: 0, stop: 1 } }, 'sweep'], [{ [axis]: { start: 0, stop: 1, count: 0 } }, 'sweep'],
    [{ [axis]: { start: 0, stop: 1, count: 1.5 } }, 'sweep'], [{ [axis]: { start: 0, stop: 1, count: 2, step: 1 } }, 'sweep'],
    [{ [axis]: { start: 1, stop: 2, count: 1_000_000 }, [other ?? axis]: { start: 1, stop: 2, count: 1_000_000 } }, 'sweep'],
    [{ [axis]: [-1e300] }, axis],
  );
}

type Mutation = { input: unknown; path: string | null };

/** Fields without a default. */
const REQUIRED: Record<string, string[]> = {
  linear: ['d', 'n0', 'generations', 'replicates'],
  'yi-grid': ['replicates'],
  'gmm-selection': ['d', 'meanNorm', 'flipRate', 'n', 'generations', 'replicates'],
  gaussian: ['m', 'generations', 'replicates'],
  'amin-erm': ['n', 'alpha', 'generations', 'replicates'],
  'curation-gaussian': ['n', 'target', 'generations', 'replicates'],
  categorical: ['probs', 'n0', 'generations', 'replicates'],
  bigram: ['probs', 'n0', 'generations', 'replicates'],
  curation: ['probs', 'candidates', 'n', 'generations', 'replicates'],
  'mnist-cvae': ['generations', 'replicates'],
};

/** A valid spec made invalid in one way, with the path its error must name (null: any path). */
const invalidSpec: fc.Arbitrary<Mutation> = validSpec('wide').chain((spec) => {
  const model = spec.model as string;
  const fieldTable = { ...COMMON_FIELDS, ...INVALID_FIELDS[model] };
  const without = (key: string) => Object.fromEntries(Object.entries(spec).filter(([k]) => k !== key));
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...Object.keys(fieldTable)).chain((field) => fc.constantFrom(...fieldTable[field])
      .map((value): Mutation => ({ input: { ...without('sweep'), [field]: value }, path: field }))) },
    { weight: 1, arbitrary: fc.tuple(unknownKey, fc.jsonValue()).map(([key, value]): Mutation => {
      const input = { ...spec };
      Object.defineProperty(input, key, { value, enumerable: true, configurable: true, writable: true });
      return { input, path: key === '' || key.includes('.') ? JSON.stringify(key) : key };
    }) },
    { weight: 1, arbitrary: fc.constantFrom(null, undefined, 1, 'linear', [], [spec], true).map((input): Mutation => ({ input, path: 'spec' })) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, 'Linear', '', 1, null, 'gmm', {}).map((value): Mutation => ({ input: { ...without('model'), ...(value === undefined ? {} : { model: value }) }, path: 'model' })) },
    { weight: 1, arbitrary: fc.constantFrom(...REQUIRED[model]).map((field): Mutation => ({ input: without(field), path: field })) },
    { weight: 2, arbitrary: badSweep(model).map(([sweep, path]): Mutation => ({ input: { ...spec, sweep }, path })) },
  );
});

/** Any path inside a spec (objects and arrays), to put anything at. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([key, inner]) => pathsOf(inner, [...prefix, key]))];
}

function setDeep(value: unknown, path: string[], replacement: unknown): unknown {
  if (!path.length) return replacement;
  const copy: Record<string, unknown> = Array.isArray(value) ? [...value] as unknown as Record<string, unknown> : { ...(value as Json) };
  copy[path[0]] = setDeep(copy[path[0]], path.slice(1), replacement);
  return copy;
}

/** Values that break things: non-finite numbers, huge and tiny ones, wrong types, deep and long structures. */
const nasty = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, -1, 1e300, -1e300, Number.MIN_VALUE, 2 ** 31, 2 ** 32, 2 ** 53 + 2, null, undefined, true, '', 'NaN', '1', [], {}),
  fc.anything({ maxDepth: 3 }),
  fc.integer({ min: 0, max: 10 }).map((n) => new Array(n * 1000).fill(0.5)),
);

describe('random invalid specs', () => {
  it('fail with a SpecError naming the field, never another exception', () => {
    fc.assert(fc.property(invalidSpec, ({ input, path }) => {
      const error = specErrorOf(() => parseSpec(input));
      expect(error, `no error for ${JSON.stringify(input)}`).not.toBeNull();
      if (path !== null) expect(at(error, path), `${error?.message} should name ${path}`).toBe(true);
    }), { numRuns: runs(700) });
  }, 600_000);

  it('anything anywhere in a valid spec: the spec or a SpecError, never another exception', () => {
    fc.assert(fc.property(validSpec('wide').chain((spec) => fc.tuple(fc.constant(spec), fc.constantFrom(...pathsOf(spec)), nasty)), ([spec, path, value]) => {
      specErrorOf(() => parseSpec(setDeep(spec, path, value)));
    }), { numRuns: runs(300) });
  }, 600_000);
});

describe('what the CLI reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synthloop-property-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const file = (text: string) => {
    const name = join(dir, `spec-${files++}.json`);
    writeFileSync(name, text);
    return name;
  };

  /** JSON text of a valid spec, damaged: cut short, a character inserted or dropped, numbers as JSON cannot write them. */
  const damagedJson = validSpec('wide').chain((spec) => {
    const text = JSON.stringify(spec);
    const position = fc.integer({ min: 0, max: text.length });
    return fc.oneof(
      position.map((i) => text.slice(0, i)),
      fc.tuple(position, fc.string({ minLength: 1, maxLength: 2, unit: 'binary' })).map(([i, s]) => text.slice(0, i) + s + text.slice(i)),
      position.map((i) => text.slice(0, i) + text.slice(i + 1)),
      fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '0x10', '01', '.5', '+1', 'undefined', '"1"', 'null')
        .map((token) => text.replace(/(?<=:)-?\d+(\.\d+)?(e[+-]?\d+)?/, token)),
      fc.constantFrom('', ' ', '\uFEFF', '{', '}', '[]', '{}', 'null', '"linear"', '{"model": "linear",}', `\uFEFF${text}`),
      fc.json({ maxDepth: 3 }),
    );
  });

  it('a damaged JSON file: the spec or a SpecError naming the file or the field', () => {
    fc.assert(fc.property(damagedJson, (text) => {
      const name = file(text);
      const error = specErrorOf(() => loadSpec(name, { set: [] }));
      let parsed: unknown;
      try {
        // A leading byte-order mark is accepted, as editors on Windows write one.
        parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
      } catch {
        // Not JSON at all: the error names the file and says so.
        expect(error?.issues).toEqual([{ path: name, message: expect.stringMatching(/^malformed JSON: /) }]);
        return;
      }
      // JSON: exactly what parseSpec says of the same value.
      expect(specErrorOf(() => loadSpecSource(name))).toBeNull();
      expect(error?.message).toBe(specErrorOf(() => parseSpec(parsed))?.message);
    }), { numRuns: runs(300) });
  }, 600_000);

  /** `--set` assignments: real field paths or made-up ones, values as a shell passes them. */
  const assignment = fc.tuple(
    fc.oneof(
      fc.constantFrom('d', 'n0', 'n', 'sigma', 'seed', 'generations', 'replicates', 'verifier.radius', 'verifier.bias', 'theta.values.0', 'probs.values.1', 'probs.values.0.1',
        'selector.kind', 'sweep.sigma', 'sweep.sigma.count', 'n.kind', 'mode', 'model', 'spectrum.exponent', 'mean.0', '__proto__.x', 'constructor', 'a..b', '.d', 'd.', 'd.x', 'sweep', ''),
      fc.string({ maxLength: 10 }),
    ),
    fc.oneof(
      fc.constantFrom('', 'NaN', 'Infinity', '-Infinity', '1e999', '-0', '0', '-1', '1.5', '1e300', 'null', 'true', '[]', '{}', '{"kind":"none"}', '{"kind":"x"}', '[1,2', '"4"', 'replace', '2147483648', '64', '65'),
      fc.string({ maxLength: 12 }),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null'),
    ),
  ).map(([path, value]) => `${path}=${value}`);

  it('--set edits and shorthands on a preset or file: the spec or a SpecError, never another exception', () => {
    const presets = Object.keys(PRESETS);
    fc.assert(fc.property(
      fc.oneof(fc.constantFrom(...presets), validSpec('wide').map((spec) => file(JSON.stringify(spec)))),
      fc.array(fc.oneof({ weight: 9, arbitrary: assignment }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), { maxLength: 4 }),
      fc.record({ replicates: fc.string({ maxLength: 6 }), generations: fc.string({ maxLength: 6 }), seed: fc.string({ maxLength: 6 }), backend: fc.string({ maxLength: 6 }) }, { requiredKeys: [] }),
      (source, set, shorthands) => {
        const error = specErrorOf(() => loadSpec(source, { set, ...shorthands }));
        // Without edits that fail first, a bad shorthand is named as its field.
        const replicates = shorthands.replicates === undefined ? 1 : parseSetValue(shorthands.replicates);
        if (!set.length && !(Number.isInteger(replicates) && (replicates as number) >= 1 && (replicates as number) < 2 ** 31)) expect(at(error, 'replicates')).toBe(true);
      },
    ), { numRuns: runs(300) });
  }, 600_000);
});
