// `synthloop run`, the built command run as a user would: errors first, then real runs on the
// engine (no stand-ins), checked against docs/science.md §1's closed form.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../src/core/engine/result.js';
import { PRESETS } from '../src/models/index.js';
import { workingPaths } from './helpers/adapters.js';

function synthloop(...args: string[]) {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  return spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 120_000 });
}

const dir = mkdtempSync(join(tmpdir(), 'synthloop-run-'));

describe('synthloop run rejects bad input with exit code 2 and the problem on stderr', () => {
  function expectInvalid(args: string[], ...lines: string[]) {
    const result = synthloop('run', ...args);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    for (const line of lines) expect(result.stderr).toContain(line);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }
  it('an invalid --set, every problem at once', () => {
    expectInvalid(['--set', 'd=-3', '--set', 'verifer={"kind":"none"}'],
      'd: must be an integer between 1 and 64, got -3', 'verifer: unknown field (did you mean "verifier"?)');
  });
  it('invalid shorthands, validated like any field', () => {
    expectInvalid(['--replicates', '0', '--backend', 'cuda'],
      'replicates: must be an integer between 1 and 2147483647, got 0', 'backend: must be one of "auto", "webgpu", "cpu", got "cuda"');
  });
  it('shorthands applied after --set', () => {
    expectInvalid(['--set', 'generations=5', '--generations', '-1'], 'generations: must be an integer between 0 and 10000, got -1');
  });
  it('an infeasible combination, explained', () => {
    expectInvalid(['--set', 'n0=8', '--set', 'd=20'], 'n0: must be ≥ d = 20 without ridge (ridgeLambda = 0 at generation 0) at d > 16');
  });
  it('a --set without =', () => {
    expectInvalid(['--set', 'verifier'], '--set: must be path=value, got "verifier"');
  });
  it('an unknown preset, listing the presets', () => {
    expectInvalid(['dohmatob'], `dohmatob: not a preset or a spec file; presets: ${Object.keys(PRESETS).join(', ')}`);
  });
  it('a malformed JSON file, naming it', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"model": "linear", "d": }');
    expectInvalid([file], `${file}: malformed JSON: `);
  });
  it('a spec file with invalid fields', () => {
    const file = join(dir, 'invalid.json');
    writeFileSync(file, JSON.stringify({ model: 'linear', d: 4, n0: 10, generations: 2, replicates: 8, mode: 'mixture', realFraction: 2 }));
    expectInvalid([file], 'realFraction: must be between 0 and 1, got 2');
  });
});

// dohmatob-replace (d = 10, n0 = n = 100, σ = 1), shortened: risk_t = σ²d/(n−d−1)·(t + 1).
const SHORT = ['--replicates', '2048', '--generations', '4'];
const replaceRisk = (t: number) => (10 / 89) * (t + 1);

function runJson(...args: string[]): RunResult {
  const result = synthloop('run', 'dohmatob-replace', ...SHORT, '--format', 'json', ...args);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as RunResult;
}

function expectReplaceClosedForm(run: RunResult) {
  expect(run.generations.map((g) => g.t)).toEqual([0, 1, 2, 3, 4]);
  // The closed form reported alongside is the one these numbers are checked against.
  expect(run.closedForms.map((cf) => cf.metric)).toEqual(['risk', 'mse']);
  expect(run.closedForms[1].values).toEqual(run.closedForms[0].values); // Σ = I: the mse is the risk
  expect(run.closedForms[0].values.map((v, t) => v - replaceRisk(t)).every((e) => Math.abs(e) < 1e-12)).toBe(true);
  for (const g of run.generations) {
    expect(g.failed).toBe(0);
    expect(Math.abs(g.risk! - replaceRisk(g.t)) / g.riskSE!, `risk at t = ${g.t}: ${g.risk} ± ${g.riskSE}`).toBeLessThan(4);
  }
}

describe('synthloop run on the CPU twin', () => {
  it('--format json: the RunResult, matching the closed form', () => {
    const run = runJson('--backend', 'cpu');
    expect(run.backend).toBe('cpu');
    expect(run.adapter).toBeNull();
    expect(run.spec).toMatchObject({ mode: 'replace', d: 10, n0: 100, replicates: 2048, generations: 4, backend: 'cpu' });
    expect(run.elapsedSeconds).toBeGreaterThan(0);
    expectReplaceClosedForm(run);
  });
  it('re-running the saved resolved spec gives the same numbers', () => {
    const first = runJson('--backend', 'cpu', '--seed', 'again');
    const file = join(dir, 'resolved.json');
    writeFileSync(file, JSON.stringify(first.spec));
    const again = synthloop('run', file, '--format', 'json');
    expect(again.status, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as RunResult).generations).toEqual(first.generations);
  });
  it('--format csv: every LinearStats field, one row per generation', () => {
    const result = synthloop('run', 'yi-verified', '--backend', 'cpu', '--replicates', '256', '--generations', '3', '--format', 'csv');
    expect(result.status, result.stderr).toBe(0);
    const [header, ...rows] = result.stdout.trim().split('\n');
    expect(header).toBe('t,mse,mseSE,bias2,variance,risk,riskSE,centerDist2,centerDist2SE,acceptRate,failed,replicates');
    expect(rows.map((r) => r.split(',')[0])).toEqual(['0', '1', '2', '3']);
    for (const row of rows) {
      const cells = Object.fromEntries(header.split(',').map((name, i) => [name, row.split(',')[i]]));
      // Numbers throughout; an empty cell only where the engine has no estimate (null).
      for (const cell of Object.values(cells)) expect(cell === '' || Number.isFinite(Number(cell)), row).toBe(true);
      for (const name of ['mse', 'risk', 'centerDist2', 'failed', 'replicates']) expect(cells[name], name).not.toBe('');
    }
  });
  it('--format table with --out: the summary and the table in the file, where on stderr', () => {
    const file = join(dir, 'table.txt');
    const result = synthloop('run', 'yi-verified', '--backend', 'cpu', '--replicates', '256', '--generations', '2', '--out', file);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`wrote ${file}`);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('yi-verified: replace, fresh design · d = 5, n0 = 100, n = 100, T = 2, R = 256 · verifier ball (bias 0.1, radius 0.1, slack 0.7979, direction ones)');
    expect(text).toContain('cpu (float64 twin)');
    expect(text).toMatch(/│ t +│ mse ± SE +│ bias² +│ variance +│ risk ± SE +│ centerDist² ± SE +│ accept +│ failed +│/);
    expect(text.match(/^│ \d+ /gm)).toHaveLength(3);
    expect(text).not.toContain('\x1b['); // no colour codes in files
  });
  it('output through a slow pipe shared with stderr (`2>&1 | …`) arrives whole', () => {
    // Node makes a pipe on fd 2 non-blocking; with 2>&1 that is our stdout's pipe too, so writes
    // past the 64 KiB pipe buffer used to be cut short while the reader lagged.
    const args = 'run bakshi-collapse --backend cpu --replicates 16 --generations 3000 --format csv -q';
    const file = join(dir, 'piped.csv');
    expect(synthloop(...args.split(' '), '--out', file).status).toBe(0);
    const piped = spawnSync('bash', ['-c', `${process.execPath} dist/cli.js ${args} 2>&1 | (sleep 1; cat)`], { encoding: 'utf8', timeout: 120_000 });
    const expected = readFileSync(file, 'utf8');
    expect(expected.length).toBeGreaterThan(4 * 65536);
    expect(piped.stdout.length).toBe(expected.length);
    expect(piped.stdout).toBe(expected);
  });
  it('--format table: the closed form named by its section of docs/science.md, and that document\'s link', () => {
    const result = synthloop('run', 'dohmatob-replace', '--backend', 'cpu', '--replicates', '16', '--generations', '1');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('[in brackets] closed forms, for comparison, never used to compute results:\n'
      + '  risk, exact: docs/science.md §1: replace, fresh design, Σ = I, OLS (Dohmatob et al.)\n'
      + '  mse, exact: docs/science.md §1: replace, fresh design, Σ = I, OLS (Dohmatob et al.), ‖θ̂ − θ*‖² = the risk for Σ = I\n'
      + 'docs/science.md: https://github.com/synthloop/synthloop/blob/main/docs/science.md\n');
    // The risk column carries its exact value in brackets.
    expect(result.stdout).toMatch(/risk ± SE \[exact\]/);
    expect(result.stdout).toMatch(/│ 1 +│ .*\d ± [\d.e-]+ \[[\d.]+\]/);
  });
});

const paths = await workingPaths();

describe.each(paths)('synthloop run on WebGPU (%s)', (path) => {
  it('--format json matches the closed form and names the adapter', () => {
    const run = runJson('--backend', 'webgpu', '--adapter', path);
    expect(run.backend).toBe('webgpu');
    expect(run.adapter?.path).toBe(path);
    expectReplaceClosedForm(run);
  });
});

describe('synthloop run --no-recover', () => {
  it('keeps no per-generation snapshot and gives the same statistics', () => {
    const args = ['--backend', 'webgpu', '--adapter', 'llvmpipe', '--replicates', '256', '--generations', '2'];  // the last of a repeated option counts
    const recovering = runJson(...args), plain = runJson(...args, '--no-recover');
    expect(plain.generations).toEqual(recovering.generations);
  });
});

describe('synthloop run with a sweep', () => {
  const args = ['run', 'dohmatob-replace', '--backend', 'cpu', '--replicates', '256', '--generations', '2', '--set', 'sweep={"sigma":[0.5,1],"n":[50,80]}'];
  it('--format csv is long: one row per cell × generation × metric', () => {
    const result = synthloop(...args, '--format', 'csv');
    expect(result.status, result.stderr).toBe(0);
    const [header, ...rows] = result.stdout.trim().split('\n');
    expect(header).toBe('sigma,n,t,metric,value');
    const metrics = new Set(rows.map((r) => r.split(',')[3]));
    expect(metrics).toContain('mse');
    expect(rows).toHaveLength(4 * 3 * metrics.size);
    expect(rows[0]).toMatch(/^0\.5,50,0,t?\w+,/);
  });
  it('--format table summarises each cell at its last generation', () => {
    const result = synthloop(...args);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/│ sigma +│ n +│ t +│ mse ± SE/);
    expect(result.stdout.match(/^│ (0\.5|1) +│ (50|80) +│ 2 +│/gm)).toHaveLength(4);
    expect(result.stdout).toContain('4 cells, each at its last generation');
  });
  it('--format json has the cells with their parameters', () => {
    const run = JSON.parse(synthloop(...args, '--format', 'json').stdout) as RunResult;
    expect(run.cells!.map((c) => c.params)).toEqual([{ sigma: 0.5, n: 50 }, { sigma: 0.5, n: 80 }, { sigma: 1, n: 50 }, { sigma: 1, n: 80 }]);
    expect(run.spec.sweep).toEqual({ sigma: [0.5, 1], n: [50, 80] });
    expect(run.cells![3].closedForms[0].values[0]).toBeCloseTo(10 / 89, 12);
  });
});
