// `synthloop run --checkpoint` / `--resume`, the built command run as a user would: a run killed
// (SIGKILL) once its checkpoint shows a completed generation, then resumed, prints the same
// statistics as a run never interrupted — on the twin and on WebGPU, for a whole run and a shard.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../src/core/engine/result.js';
import { readRunFile } from '../src/cli/run-files.js';
import { workingPaths } from './helpers/adapters.js';

const [fastest] = await workingPaths();
const dir = mkdtempSync(join(tmpdir(), 'synthloop-resume-'));

function synthloop(...args: string[]) {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js missing: run `npm run build` (npm test does)');
  return spawnSync(process.execPath, ['dist/cli.js', ...args], { encoding: 'utf8', timeout: 120_000 });
}

/** The last completed generation in a checkpoint file, or -1 before the first is written. */
function checkpointed(file: string): number {
  return existsSync(file) ? readRunFile(file, 'checkpoint').t : -1;
}

/** Starts `synthloop run ARGS --checkpoint FILE`, kills it with SIGKILL once FILE shows generation ≥ 1; the generation it showed. */
async function runAndKill(file: string, args: string[]): Promise<number> {
  const child = spawn(process.execPath, ['dist/cli.js', 'run', ...args, '--checkpoint', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let t = -1;
  while ((t = checkpointed(file)) < 1) {
    if (child.exitCode !== null) throw new Error(`the run ended before its checkpoint showed generation 1: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  child.kill('SIGKILL');
  expect(await exited, 'killed, not finished').toBe('SIGKILL');
  return t;
}

const CASES: [string, string[]][] = [
  ['the twin', ['gerstgrasser-accumulate', '--backend', 'cpu', '--replicates', '1024', '--generations', '12']],
  [`WebGPU (${fastest})`, ['gerstgrasser-accumulate', '--backend', 'webgpu', '--adapter', fastest, '--replicates', '2048', '--generations', '30']],
];

describe.each(CASES)('a run killed after a checkpoint and resumed, on %s', (_name, args) => {
  it('prints the statistics of an uninterrupted run', async () => {
    const file = join(dir, `${args[2]}.checkpoint.json`);
    const killedAt = await runAndKill(file, [...args, '--format', 'json']);
    const generations = Number(args.at(-1));
    // Interrupted for real: the checkpoint is of a generation before the last.
    expect(checkpointed(file)).toBeGreaterThanOrEqual(killedAt);
    expect(checkpointed(file)).toBeLessThan(generations);
    const resumed = synthloop('run', '--resume', file, '--format', 'json', '-q');
    expect(resumed.status, resumed.stderr).toBe(0);
    const whole = synthloop('run', ...args, '--format', 'json', '-q');
    expect(whole.status, whole.stderr).toBe(0);
    const [a, b] = [resumed, whole].map((r) => JSON.parse(r.stdout) as RunResult);
    expect(a.generations).toHaveLength(generations + 1);
    expect(a.generations).toEqual(b.generations);
    expect({ ...a, elapsedSeconds: 0 }).toEqual({ ...b, elapsedSeconds: 0 });
    // The resumed run checkpointed on into the same file, to its end.
    expect(checkpointed(file)).toBe(generations);
  });
});

describe('a shard killed after a checkpoint and resumed', () => {
  it('writes the shard an uninterrupted one writes, which merges into the whole run', async () => {
    const args = ['gerstgrasser-accumulate', '--backend', 'cpu', '--replicates', '1024', '--generations', '12'];
    const file = join(dir, 'shard.checkpoint.json');
    await runAndKill(file, [...args, '--shard', '1/2']);
    const resumedShard = join(dir, 'shard1.resumed.json');
    const resumed = synthloop('run', '--resume', file, '--out', resumedShard, '-q');
    expect(resumed.status, resumed.stderr).toBe(0);
    const first = join(dir, 'shard0.json');
    expect(synthloop('run', ...args, '--shard', '0/2', '--out', first, '-q').status).toBe(0);
    const merged = synthloop('merge', first, resumedShard, '--format', 'json', '-q');
    expect(merged.status, merged.stderr).toBe(0);
    const whole = synthloop('run', ...args, '--format', 'json', '-q');
    const [a, b] = [merged, whole].map((r) => JSON.parse(r.stdout) as RunResult);
    expect(a.generations.map((g) => g.mse)).toEqual(b.generations.map((g) => expect.closeTo(g.mse!, 12)));
    expect(JSON.parse(readFileSync(resumedShard, 'utf8')).shard).toEqual({ index: 1, count: 2, first: 512, replicates: 512 });
  });
});

describe('--resume refuses what the checkpoint decides', () => {
  it('a spec, edits or a shard beside it, with exit status 2', () => {
    const result = synthloop('run', 'yi-verified', '--resume', join(dir, 'none.json'), '--set', 'd=3', '--shard', '0/2', '--adapter', 'llvmpipe');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--resume: the spec, shard, backend and adapter come from the checkpoint; drop SPEC, --set, --shard, --adapter');
  });
  it('a file that is not a checkpoint', () => {
    const shard = join(dir, 'a-shard.json');
    expect(synthloop('run', 'yi-verified', '--backend', 'cpu', '--replicates', '300', '--generations', '1', '--shard', '0/1', '--out', shard).status).toBe(0);
    const result = synthloop('run', '--resume', shard);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${shard}: not a synthloop checkpoint file of version 2 (a shard file, version 2)`);
  });
});
