// `synthloop run --shard i/N` and `synthloop merge`, the built command run as a user would: the
// merged shards print what the whole run prints (the same formatter; only the timing line
// differs), and a merge of shards that are not every shard of one run exits 2, saying why.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workingPaths } from './helpers/adapters.js';

const [fastest] = await workingPaths();
const dir = mkdtempSync(join(tmpdir(), 'synthloop-shard-'));

function synthloop(...args: string[]) {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  return spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 120_000 });
}

/** Runs shards 0..N−1 of `args` into files; their names. */
function runShards(name: string, args: string[], count: number): string[] {
  return Array.from({ length: count }, (_, index) => {
    const file = join(dir, `${name}.${index}.json`);
    const result = synthloop('run', ...args, '--shard', `${index}/${count}`, '--out', file, '-q');
    expect(result.status, result.stderr).toBe(0);
    return file;
  });
}

/** Two CSV outputs: the same cells, numbers within 1e-12 relative (merges reorder float64 additions). */
function expectSameCsv(merged: string, whole: string) {
  const rows = (text: string) => text.trim().split('\n').map((line) => line.split(','));
  const [a, b] = [rows(merged), rows(whole)];
  expect(a.length).toBe(b.length);
  a.forEach((row, i) => row.forEach((cell, j) => {
    const x = Number(cell), y = Number(b[i][j]);
    if (cell === '' || Number.isNaN(x)) expect(cell).toBe(b[i][j]);
    else expect(Math.abs(x - y), `${b[0].join(',')}: ${b[i].join(',')}`).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(x), Math.abs(y)));
  }));
}

/** The table without its second line (backend, seconds, throughput). */
const withoutTiming = (table: string) => table.split('\n').filter((_, i) => i !== 1).join('\n');

const BACKENDS: [string, string[]][] = [['cpu', ['--backend', 'cpu']], ['webgpu', ['--backend', 'webgpu', '--adapter', fastest]]];

describe.each(BACKENDS)('three shards merged print what the whole run prints (%s)', (backend, pinned) => {
  const args = ['yi-verified', ...pinned, '--replicates', '1000', '--generations', '3', '--set', 'sweep={"verifier.radius":[0.1,0.3]}'];
  let files: string[];
  beforeAll(() => { files = runShards(`yi-verified-${backend}`, args, 3); });

  it('--format table: identical but for the timing line', () => {
    const merged = synthloop('merge', ...files);
    expect(merged.status, merged.stderr).toBe(0);
    const whole = synthloop('run', ...args, '-q');
    expect(withoutTiming(merged.stdout)).toBe(withoutTiming(whole.stdout));
    expect(merged.stdout.split('\n')[1]).toMatch(backend === 'cpu' ? /^cpu \(float64 twin\)/ : new RegExp(`^webgpu on ${fastest}`));
  });

  it('--format csv --out: every value within 1e-12 relative', () => {
    const out = join(dir, `merged-${backend}.csv`);
    const merged = synthloop('merge', ...[...files].reverse(), '--format', 'csv', '--out', out);
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stderr).toContain(`wrote ${out}`);
    expectSameCsv(readFileSync(out, 'utf8'), synthloop('run', ...args, '--format', 'csv', '-q').stdout);
  });
});

describe('merge refuses shards that are not every shard of one run, with exit status 2', () => {
  const args = ['dohmatob-replace', '--backend', 'cpu', '--replicates', '600', '--generations', '1'];
  let files: string[];
  beforeAll(() => { files = runShards('refused', args, 3); });

  function expectRefused(files: string[], message: string) {
    const result = synthloop('merge', ...files);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }
  it('a missing shard', () => expectRefused([files[0], files[2]], 'missing shard 1/3 [256, 512): a merge needs every shard, each replicate exactly once'));
  it('a shard twice', () => expectRefused([files[0], files[1], files[1], files[2]], `shard 1/3 is given twice (${files[1]} and ${files[1]})`));
  it('a shard of another seed', () => {
    const [other] = runShards('other-seed', [...args, '--seed', '7'], 1);
    expectRefused([files[0], other], `${other} is not a shard of the same run as ${files[0]}: seed differs`);
  });
  it('a file that is not a shard', () => expectRefused([join(dir, 'nothing.json')], `${join(dir, 'nothing.json')}: cannot read synthloop shard file: no such file`));
});

describe('synthloop run --shard refuses', () => {
  it('a shard outside 0..N−1', () => {
    const result = synthloop('run', 'dohmatob-replace', '--shard', '3/3');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--shard: must be i/N with 0 ≤ i < N (shard i of N, counted from 0), got "3/3"');
  });
  it('more shards than blocks of 256 replicates', () => {
    const result = synthloop('run', 'dohmatob-replace', '--replicates', '500', '--shard', '0/3');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--shard 0/3: shards split a run at whole blocks of 256 replicates, and R = 500 is 2 blocks; use at most 2 shards, or at least 513 replicates');
  });
});

describe('the job-array examples', () => {
  const spec = join(dir, 'small-spec.json');
  const shardsOf = (folder: string) => readdirSync(folder).filter((f) => /^shard-\d+\.json$/.test(f)).map((f) => join(folder, f));
  function expectMergedEqualsWhole(folder: string) {
    const merged = synthloop('merge', ...shardsOf(folder), '--format', 'csv');
    expect(merged.status, merged.stderr).toBe(0);
    expectSameCsv(merged.stdout, synthloop('run', spec, '--format', 'csv', '-q').stdout);
  }
  beforeAll(() => writeFileSync(spec, JSON.stringify({ model: 'categorical', probs: { kind: 'dirichlet', k: 6, alpha: 1 }, n0: 20, generations: 2, replicates: 700, backend: 'cpu' })));

  it('examples/slurm-array.sh: each array task runs its shard, checkpointed', () => {
    const results = join(dir, 'slurm');
    mkdirSync(results);
    for (const task of ['0', '1', '2']) {
      const run = spawnSync('sh', ['examples/slurm-array.sh'], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: task, SPEC: spec, SHARDS: '3', RESULTS: results } });
      expect(run.status, run.stderr).toBe(0);
    }
    expect(readdirSync(results).sort()).toEqual(['checkpoint-0.json', 'checkpoint-1.json', 'checkpoint-2.json', 'shard-0.json', 'shard-1.json', 'shard-2.json']);
    expectMergedEqualsWhole(results);
  });

  it('examples/k8s-indexed-job.yaml: each pod runs its shard, and a restarted pod resumes', () => {
    const yaml = readFileSync('examples/k8s-indexed-job.yaml', 'utf8');
    const script = /args:\n\s+- \|\n((?: {14}.*\n)+)/.exec(yaml)![1].replace(/^ {14}/gm, '');
    const results = join(dir, 'k8s');
    mkdirSync(results);
    const pod = (index: number) => spawnSync('sh', ['-c', script.replaceAll('/results', results)], {
      encoding: 'utf8', env: { ...process.env, JOB_COMPLETION_INDEX: String(index), SPEC: spec, SHARDS: '2' },
    });
    for (const index of [0, 1]) expect(pod(index).status).toBe(0);
    // A pod started again (evicted after its last checkpoint) resumes and writes the same shard.
    const before = readFileSync(join(results, 'shard-1.json'), 'utf8');
    const again = pod(1);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(results, 'shard-1.json'), 'utf8')).sums).toEqual(JSON.parse(before).sums);
    expectMergedEqualsWhole(results);
  });
});
