// The experiment spec: defaults, schedules, presets, edits, and the messages of invalid specs.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpecError, quotedList } from '../src/core/spec/errors.js';
import { MODELS, parseSpec, DEFAULT_PRESET, PRESETS } from '../src/models/index.js';
import { generationPlan } from '../src/models/linear/plan.js';
import { parseLinearSpec } from '../src/models/linear/spec.js';
import { resolveSchedule, type ScheduleInput } from '../src/core/spec/schedule.js';
import { loadSpecSource, setPath } from '../src/cli/spec-source.js';
import { parseWithSchema } from '../src/core/spec/zod-issues.js';
import { z } from 'zod';

const base = { model: 'linear', d: 10, n0: 100, generations: 4, replicates: 64 };

/** The lines of the SpecError that `make` throws (fails the test if it throws anything else, or nothing). */
function problems(make: () => unknown): string[] {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    const lines = (error as SpecError).message.split('\n');
    expect(lines).toEqual((error as SpecError).issues.map((i) => `${i.path}: ${i.message}`));
    return lines;
  }
  throw new Error('expected a SpecError, got none');
}

describe('defaults', () => {
  it('fills every field of a minimal spec', () => {
    expect(parseSpec({ model: 'linear', d: 4, n0: 10, generations: 3, replicates: 8 })).toEqual({
      model: 'linear', d: 4, sigma: 1, syntheticSigma: 1, n0: 10, n: 10, mode: 'replace', realFraction: 0,
      design: 'fresh', ridgeLambda: 0, spectrum: { kind: 'identity' }, theta: { kind: 'random' },
      verifier: { kind: 'none' }, generations: 3, replicates: 8, seed: 1, backend: 'auto',
      schedule: { n: [10, 10, 10, 10], realFraction: [1, 0, 0, 0], ridgeLambda: [0, 0, 0, 0] },
    });
  });
  it('takes syntheticSigma from sigma, and the verifier slack √(2/π)·sigma', () => {
    const spec = parseSpec({ ...base, sigma: 2, verifier: { kind: 'ball', bias: 0.1, radius: 0.2 } });
    expect(spec.syntheticSigma).toBe(2);
    expect(spec.verifier).toEqual({ kind: 'ball', bias: 0.1, radius: 0.2, slack: Math.sqrt(2 / Math.PI) * 2, direction: 'random' });
  });
  it('keeps given values over defaults', () => {
    const spec = parseSpec({ ...base, sigma: 2, syntheticSigma: 0, verifier: { kind: 'ball', bias: 0, radius: 0, slack: 0, direction: 'ones' } });
    expect(spec.syntheticSigma).toBe(0);
    expect(spec.verifier).toEqual({ kind: 'ball', bias: 0, radius: 0, slack: 0, direction: 'ones' });
  });
  it('mixes half fresh real data by default in mixture mode; generation 0 is all real', () => {
    expect(parseLinearSpec({ ...base, mode: 'mixture' }).schedule.realFraction).toEqual([1, 0.5, 0.5, 0.5, 0.5]);
    expect(parseLinearSpec({ ...base, mode: 'mixture', realFraction: 0.2 }).schedule.realFraction).toEqual([1, 0.2, 0.2, 0.2, 0.2]);
  });
  it('rounds samples per generation to the nearest integer, and n[0] is n0', () => {
    expect(parseLinearSpec({ ...base, n0: 50, n: { kind: 'harmonic', c: 99 } }).schedule.n).toEqual([50, 50, 33, 25, 20]);
  });
});

describe('schedules', () => {
  const check = () => null;
  const cases: [ScheduleInput, number[]][] = [
    [7, [0, 7, 7, 7, 7]],
    [{ kind: 'constant', value: 7 }, [0, 7, 7, 7, 7]],
    [{ kind: 'linear', start: 10, slope: 2 }, [0, 12, 14, 16, 18]],
    [{ kind: 'geometric', start: 100, ratio: 0.5 }, [0, 50, 25, 12.5, 6.25]],
    [{ kind: 'harmonic', c: 12 }, [0, 6, 4, 3, 2.4]],
    [{ kind: 'list', values: [5, 6, 7, 8] }, [0, 5, 6, 7, 8]],
  ];
  it.each(cases)('%j over generations 1..4 (entries before the first are 0)', (input, expected) => {
    expect(resolveSchedule(input, 1, 4, 'n', check)).toEqual(expected);
  });
  it('evaluates from generation 0 when asked (ridgeLambda: c/(t+1) from c)', () => {
    expect(parseLinearSpec({ ...base, ridgeLambda: { kind: 'harmonic', c: 2 } }).schedule.ridgeLambda).toEqual([2, 1, 2 / 3, 0.5, 0.4]);
  });
  it('needs one list entry per generation', () => {
    expect(problems(() => resolveSchedule({ kind: 'list', values: [1, 2, 3] }, 1, 20, 'n', check)))
      .toEqual(['n: list must have 20 entries (generations 1..20), got 3']);
    expect(problems(() => parseSpec({ ...base, ridgeLambda: { kind: 'list', values: [1, 2] } })))
      .toEqual(['ridgeLambda: list must have 5 entries (generations 0..4), got 2']);
  });
  it('names the generation where a value goes out of range', () => {
    const values = [100, 100, 100, 100, 100, 100, 0.3, 100, 100, 100];
    expect(problems(() => parseSpec({ ...base, generations: 10, n: { kind: 'list', values } })))
      .toEqual(['n: must round to an integer between 1 and 16777216 at generation 7, got 0.3']);
    expect(problems(() => parseSpec({ ...base, n: { kind: 'geometric', start: 100, ratio: 1e200 } })))
      .toEqual(['n: must round to an integer between 1 and 16777216 at generation 1, got 1e+202']);
    expect(problems(() => parseSpec({ ...base, ridgeLambda: { kind: 'geometric', start: 1, ratio: 1e200 } })))
      .toEqual(['ridgeLambda: must be between 0 and 1e16 at generation 1, got 1e+200']);
  });
});

describe('presets', () => {
  it.each(Object.keys(PRESETS))('%s parses, and re-parses from its JSON to itself', (name) => {
    const spec = parseSpec(PRESETS[name].spec);
    expect(parseSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
    expect(PRESETS[name].papers.length).toBeGreaterThan(0);
    expect(PRESETS[name].title.length).toBeGreaterThan(0);
    expect(PRESETS[name].shows.length).toBeGreaterThan(0);
  });
  it('has the four experiments the README documents, and a default among them', () => {
    expect(Object.keys(PRESETS)).toEqual(expect.arrayContaining(['dohmatob-replace', 'gerstgrasser-accumulate', 'yi-verified', 'mixture', 'yi-grid']));
    expect(PRESETS).toHaveProperty(DEFAULT_PRESET);
  });
  it('round-trips a spec using every field', () => {
    const spec = parseSpec({
      ...base, d: 3, sigma: 0.5, syntheticSigma: 0.7, n: { kind: 'linear', start: 20, slope: 5 }, mode: 'mixture',
      realFraction: { kind: 'list', values: [0.1, 0.2, 0.3, 0.4] }, design: 'fixed', ridgeLambda: { kind: 'geometric', start: 1, ratio: 0.5 },
      spectrum: { kind: 'power', exponent: 1.5 }, theta: { kind: 'given', values: [1, -2, 0.5] },
      verifier: { kind: 'ball', bias: 0.3, radius: 0.1 }, seed: 'abc', backend: 'cpu',
    });
    expect(parseSpec(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
  });
  it('rejects an edited derived schedule instead of ignoring it', () => {
    const spec = parseSpec(PRESETS[DEFAULT_PRESET].spec);
    const edited = setPath(spec, 'schedule.n.3', '5');
    expect(problems(() => parseSpec(edited))).toEqual([
      'schedule: is derived from n, realFraction and ridgeLambda and cannot be edited; change those fields or remove schedule',
    ]);
  });
});

describe('invalid specs name the field, the allowed range and the value', () => {
  const cases: [string, unknown, string][] = [
    ['negative d', { ...base, d: -3 }, 'd: must be an integer between 1 and 64, got -3'],
    ['d above the maximum', { ...base, d: 65 }, 'd: must be an integer between 1 and 64, got 65'],
    ['fractional d', { ...base, d: 2.5 }, 'd: must be an integer between 1 and 64, got 2.5'],
    ['negative fractional d (one line though two checks fail)', { ...base, d: -2.5 }, 'd: must be an integer between 1 and 64, got -2.5'],
    ['d as a string', { ...base, d: '10' }, 'd: must be an integer between 1 and 64, got "10"'],
    ['zero sigma', { ...base, sigma: 0 }, 'sigma: must be a number > 0 and ≤ 1000, got 0'],
    ['missing n0', { ...base, n0: undefined }, 'n0: must be an integer between 1 and 16777216, got nothing'],
    ['too many samples per generation', { ...base, n0: 2 ** 24 + 1 }, 'n0: must be an integer between 1 and 16777216, got 16777217'],
    ['too many replicates', { ...base, replicates: 2 ** 31 }, 'replicates: must be an integer between 1 and 2147483647, got 2147483648'],
    ['too many generations', { ...base, generations: 10_001 }, 'generations: must be an integer between 0 and 10000, got 10001'],
    // n < d without ridge fits the minimum-norm solution, except where that fit is not available.
    ['n0 < d without ridge at d > 16', { ...base, d: 20, n0: 8 },
      'n0: must be ≥ d = 20 without ridge (ridgeLambda = 0 at generation 0) at d > 16 (the minimum-norm fit of fewer samples is available in replace and mixture mode, without a verifier, for d ≤ 16), got 8; raise n0 or set ridgeLambda > 0'],
    ['n < d without ridge, with a verifier', { ...base, n: { kind: 'linear', start: 20, slope: -4 }, verifier: { kind: 'ball', bias: 0, radius: 1 } },
      'n: must be ≥ d = 10 per fit without ridge (ridgeLambda = 0 at generation 3) with a verifier (the minimum-norm fit of fewer samples is available in replace and mixture mode, without a verifier, for d ≤ 16), got 8 at generation 3; raise n or set ridgeLambda > 0'],
    ['n0 < d without ridge in accumulate mode', { ...base, mode: 'accumulate', n0: 5 },
      'n0: must be ≥ d = 10 without ridge (ridgeLambda = 0 at generation 0) in accumulate mode (the minimum-norm fit of fewer samples is available in replace and mixture mode, without a verifier, for d ≤ 16), got 5; raise n0 or set ridgeLambda > 0'],
    ['accumulated inputs < d without ridge', { ...base, mode: 'accumulate', n0: 5, n: 2, ridgeLambda: { kind: 'list', values: [1, 1, 0, 0, 0] } },
      'n: must be ≥ d = 10 per fit without ridge (ridgeLambda = 0 at generation 2) in accumulate mode (the minimum-norm fit of fewer samples is available in replace and mixture mode, without a verifier, for d ≤ 16), got 9 distinct inputs accumulated by generation 2; raise n or set ridgeLambda > 0'],
    ['fixed design: accumulating the same inputs adds none', { ...base, mode: 'accumulate', design: 'fixed', n0: 5, n: 8, ridgeLambda: { kind: 'list', values: [1, 0, 0, 0, 0] } },
      'n: must be ≥ d = 10 per fit without ridge (ridgeLambda = 0 at generation 1) in accumulate mode (the minimum-norm fit of fewer samples is available in replace and mixture mode, without a verifier, for d ≤ 16), got 8 distinct inputs accumulated by generation 1; raise n or set ridgeLambda > 0'],
    ['misspelt field', { ...base, verifer: { kind: 'none' } }, 'verifer: unknown field (did you mean "verifier"?)'],
    ['misspelt nested field', { ...base, verifier: { kind: 'ball', bias: 0, radious: 0.1 } }, 'verifier.radious: unknown field (did you mean "radius"?)'],
    ['unknown field far from any', { ...base, xyzzy: 1 }, 'xyzzy: unknown field; fields here: model, d, sigma, syntheticSigma, n0, n, mode, realFraction, design, ridgeLambda, spectrum, theta, verifier, generations, replicates, seed, backend, schedule'],
    ['radius as a word', { ...base, verifier: { kind: 'ball', bias: 0, radius: 'wide' } }, 'verifier.radius: must be a number ≥ 0, got "wide"'],
    ['unknown verifier kind', { ...base, verifier: { kind: 'bal' } }, 'verifier.kind: must be one of "none", "ball", got "bal"'],
    ['verifier not an object', { ...base, verifier: 'ball' }, 'verifier: must be an object with "kind": one of "none", "ball", got "ball"'],
    ['unknown mode', { ...base, mode: 'replac' }, 'mode: must be one of "replace", "accumulate", "mixture", got "replac"'],
    ['seed as an object', { ...base, seed: {} }, 'seed: must be a string or a finite number, got {}'],
    ['schedule missing a parameter', { ...base, n: { kind: 'linear', start: 100 } }, 'n.slope: must be a finite number, got nothing'],
    ['schedule of unknown kind', { ...base, n: { kind: 'cosine' } }, 'n.kind: must be one of "constant", "linear", "geometric", "harmonic", "list", got "cosine"'],
    ['schedule as a word', { ...base, n: 'many' },
      'n: must be a number or a schedule object with "kind": one of "constant", "linear", "geometric", "harmonic", "list", got "many"'],
    ['realFraction above 1', { ...base, mode: 'mixture', realFraction: 1.5 }, 'realFraction: must be between 0 and 1, got 1.5'],
    ['realFraction below 0 at a generation', { ...base, mode: 'mixture', realFraction: { kind: 'list', values: [0.5, 0.5, -0.1, 0.5] } },
      'realFraction: must be between 0 and 1 at generation 3, got -0.1'],
    ['realFraction without mixture', { ...base, realFraction: 0.3 }, 'realFraction: only used with mode "mixture", got mode "replace"'],
    ['negative ridge', { ...base, ridgeLambda: -1 }, 'ridgeLambda: must be between 0 and 1e16, got -1'],
    ['negative spectrum exponent', { ...base, spectrum: { kind: 'power', exponent: -1 } }, 'spectrum.exponent: must be a number ≥ 0, got -1'],
    ['theta of the wrong length', { ...base, theta: { kind: 'given', values: [1, 2] } }, 'theta.values: must have d = 10 entries, got 2'],
    ['theta all zero', { ...base, d: 2, theta: { kind: 'given', values: [0, 0] } }, 'theta.values: must not be all zero, got [0,0]'],
    ['theta with a non-number', { ...base, d: 2, theta: { kind: 'given', values: [1, 'x'] } }, 'theta.values.1: must be a number between -1000 and 1000, got "x"'],
    ['unknown backend', { ...base, backend: 'cuda' }, 'backend: must be one of "auto", "webgpu", "cpu", got "cuda"'],
    ['unknown model', { ...base, model: 'foo' }, `model: must be one of ${quotedList(Object.keys(MODELS))}, got "foo"`],
    ['missing model', { d: 3 }, `model: must be one of ${quotedList(Object.keys(MODELS))}, got nothing`],
    ['not an object', [1], 'spec: must be an object with a "model" field, got [1]'],
  ];
  it.each(cases)('%s', (_, input, expected) => {
    const lines = problems(() => parseSpec(input));
    expect(lines).toContain(expected);
    // One line per field, in our words only.
    expect(new Set(lines.map((l) => l.split(':')[0])).size).toBe(lines.length);
    for (const line of lines) expect(line).not.toMatch(/Invalid input|expected .*, received|Unrecognized key/);
  });
  it('reports every problem at once', () => {
    expect(problems(() => parseSpec({ model: 'linear', d: 0, sigma: -1, n0: 'x', generations: 3, replicates: 1, verifer: 1 }))).toEqual([
      'd: must be an integer between 1 and 64, got 0',
      'sigma: must be a number > 0 and ≤ 1000, got -1',
      'n0: must be an integer between 1 and 16777216, got "x"',
      'verifer: unknown field (did you mean "verifier"?)',
    ]);
  });
  it('accepts OLS-infeasible sizes once ridge regularises them', () => {
    expect(parseLinearSpec({ ...base, d: 20, n0: 8, n: 8, ridgeLambda: 0.1 }).schedule.n).toEqual([8, 8, 8, 8, 8]);
  });
  it('fits n < d without ridge by the minimum norm in replace and mixture mode (d ≤ 16), and only there', () => {
    const spec = parseLinearSpec({ ...base, d: 16, n0: 8, n: { kind: 'list', values: [20, 16, 15, 4] } });
    expect([0, 1, 2, 3, 4].map((t) => generationPlan(spec, t).minimumNorm)).toEqual([true, false, false, true, true]);
    expect(generationPlan(parseLinearSpec({ ...base, n0: 4, n: 6, mode: 'mixture' }), 1).minimumNorm).toBe(true);
    expect(generationPlan(parseLinearSpec({ ...base, n0: 4, n: 6, ridgeLambda: 0.5 }), 1).minimumNorm).toBe(false);
    // Accumulate mode: the second generation refits n0 + n ≥ d inputs by OLS.
    expect(generationPlan(parseLinearSpec({ ...base, mode: 'accumulate', n0: 6, n: 6, ridgeLambda: { kind: 'list', values: [1, 0, 0, 0, 0] } }), 1).minimumNorm).toBe(false);
  });
});

it('words problems of a schema built without messages in our style, never zod\'s', () => {
  expect(problems(() => parseWithSchema(z.object({ a: z.string(), b: z.number().min(3) }), { a: 1, b: 2 }))).toEqual([
    'a: must be of type string, got 1',
    'b: is not allowed here, got 2',
  ]);
});

describe('setPath', () => {
  it('sets numbers, leaving the original untouched', () => {
    const original = { verifier: { kind: 'ball', radius: 0.1 } };
    expect(setPath(original, 'verifier.radius', '0.2')).toEqual({ verifier: { kind: 'ball', radius: 0.2 } });
    expect(original.verifier.radius).toBe(0.1);
  });
  it('keeps text that is not JSON as a string, and JSON strings as strings', () => {
    expect(setPath({}, 'mode', 'accumulate')).toEqual({ mode: 'accumulate' });
    expect(setPath({}, 'seed', '"42"')).toEqual({ seed: '42' });
    expect(setPath({}, 'seed', '42')).toEqual({ seed: 42 });
  });
  it('sets JSON objects', () => {
    expect(setPath({ n: 100 }, 'n', '{"kind":"harmonic","c":500}')).toEqual({ n: { kind: 'harmonic', c: 500 } });
  });
  it('creates missing objects and arrays along the path', () => {
    expect(setPath({}, 'verifier.radius', '0.2')).toEqual({ verifier: { radius: 0.2 } });
    expect(setPath({}, 'theta.values.0', '1')).toEqual({ theta: { values: [1] } });
  });
  it('edits array entries by index', () => {
    expect(setPath({ theta: { kind: 'given', values: [1, 2, 3] } }, 'theta.values.1', '5')).toEqual({ theta: { kind: 'given', values: [1, 5, 3] } });
  });
  it('refuses paths through values and prototype keys', () => {
    expect(problems(() => setPath({ d: 3 }, 'd.x', '1'))).toEqual(['d: cannot hold field "x", got 3']);
    expect(problems(() => setPath({}, 'a..b', '1'))[0]).toMatch(/^a\.\.b: is not a field path/);
    expect(problems(() => setPath({}, '__proto__.polluted', '1'))[0]).toMatch(/is not a field path/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('loadSpecSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synthloop-spec-'));
  it('returns a copy of a preset', () => {
    const spec = loadSpecSource('yi-verified') as { verifier: { bias: number } };
    expect(spec).toEqual(PRESETS['yi-verified'].spec);
    spec.verifier.bias = 99;
    expect(PRESETS['yi-verified'].spec).toMatchObject({ verifier: { bias: 0.1 } });
  });
  it('reads a JSON file', () => {
    const file = join(dir, 'good.json');
    writeFileSync(file, JSON.stringify(base));
    expect(loadSpecSource(file)).toEqual(base);
  });
  it('names the file and the JSON error of a malformed file', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"model": "linear",');
    const [line] = problems(() => loadSpecSource(file));
    expect(line.startsWith(`${file}: malformed JSON: `)).toBe(true);
    expect(line.length).toBeGreaterThan(`${file}: malformed JSON: `.length);
  });
  it('names a missing file', () => {
    expect(problems(() => loadSpecSource(join(dir, 'missing.json')))).toEqual([`${join(dir, 'missing.json')}: cannot read spec file: no such file`]);
  });
  it('lists the presets for an unknown name, suggesting the closest', () => {
    expect(problems(() => loadSpecSource('dohmatob'))).toEqual([
      `dohmatob: not a preset or a spec file; presets: ${Object.keys(PRESETS).join(', ')}`,
    ]);
    expect(problems(() => loadSpecSource('yi-verifed'))[0]).toMatch(/^yi-verifed: not a preset or a spec file \(did you mean "yi-verified"\?\); presets: /);
  });
});
