// Sharding (src/core/engine/shard.ts): a run split into shards of every cell's replicates, each on
// the random words its replicates draw in the whole run, merges into the whole run's statistics
// (within 1e-12 relative: only the order of float64 additions differs), on WebGPU and on the
// twin, for every model; and a merge refuses shards that are not every shard of one run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import { shardOutput } from '../src/core/engine/run.js';
import { runExperiment, parseSpec, type Spec, mergeShards } from '../src/models/index.js';
import { parseShard, shardRange, type ShardOutput } from '../src/core/engine/shard.js';
import type { RunResult, Stats } from '../src/core/engine/result.js';
import { workingPaths } from './helpers/adapters.js';
import { fixtureCases } from './helpers/fixtures.js';

const [fastest] = await workingPaths();

/** Every statistic of every cell and generation, keyed by where it is. */
function statistics(result: RunResult): Map<string, number | null> {
  const cells = result.cells ? result.cells.map((cell) => cell.generations) : [result.generations];
  const out = new Map<string, number | null>();
  cells.forEach((generations: Stats[], c) => generations.forEach((g) => {
    for (const [key, value] of Object.entries(g)) out.set(`cell ${c}, t = ${g.t}, ${key}`, value);
  }));
  return out;
}

/** The largest relative difference between two runs' statistics (null must match null). */
function largestRelativeDifference(a: RunResult, b: RunResult): number {
  const left = statistics(a), right = statistics(b);
  expect([...left.keys()]).toEqual([...right.keys()]);
  let largest = 0;
  for (const [where, x] of left) {
    const y = right.get(where)!;
    expect(x === null, where).toBe(y === null);
    if (x === null || y === null || x === y) continue;
    largest = Math.max(largest, Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y)));
  }
  return largest;
}

async function shards(spec: Spec, count: number, gpu?: GpuContext): Promise<{ name: string; output: ShardOutput }[]> {
  const out = [];
  for (let index = 0; index < count; index++) {
    out.push({ name: `shard${index}.json`, output: shardOutput(await runExperiment(spec, { gpu, shard: { index, count } })) });
  }
  return out;
}

// R = 1000: four reduction blocks, so three shards of 256, 256 and 488 replicates (a partial last block).
const SPECS = fixtureCases('shard');

const gaussianSpec = (replicates: number) => parseSpec({ model: 'gaussian', m: 10, generations: 1, replicates });

describe('shard ranges', () => {
  it('start on whole blocks of 256 counted from each cell\'s first replicate, and tile the replicates', () => {
    expect([0, 1, 2].map((index) => shardRange(gaussianSpec(1000), { index, count: 3 }))).toEqual([
      { first: 0, replicates: 256 }, { first: 256, replicates: 256 }, { first: 512, replicates: 488 },
    ]);
    expect(shardRange(gaussianSpec(4096), { index: 3, count: 4 })).toEqual({ first: 3072, replicates: 1024 });
  });
  it('refuse more shards than blocks, saying how many fit', () => {
    expect(() => shardRange(gaussianSpec(600), { index: 0, count: 4 })).toThrow(/R = 600 is 3 blocks; use at most 3 shards, or at least 769 replicates/);
  });
  it('start anywhere for a model that sums its replicates on the host (mnist-cvae: blocks of 1)', () => {
    const spec = parseSpec({ model: 'mnist-cvae', generations: 1, replicates: 5 });
    expect([0, 1, 2].map((index) => shardRange(spec, { index, count: 3 }))).toEqual([
      { first: 0, replicates: 1 }, { first: 1, replicates: 2 }, { first: 3, replicates: 2 },
    ]);
  });
  it('are named i/N, counted from 0', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['3/3', '1', '-1/3', '1/0', 'a/b']) expect(() => parseShard(bad), bad).toThrow(/--shard: must be i\/N with 0 ≤ i < N/);
  });
});

describe.each([['cpu'], ['webgpu']] as const)('three shards merged ≡ the whole run (%s)', (backend) => {
  let gpu: GpuContext | undefined;
  beforeAll(async () => { if (backend === 'webgpu') gpu = await acquireDevice({ adapter: fastest }); });
  afterAll(() => gpu?.device.destroy());

  it.each(SPECS)('%s: every statistic within 1e-12 relative', async (_name, fields) => {
    const spec = parseSpec({ ...fields, backend });
    const whole = await runExperiment(spec, { gpu });
    const merged = mergeShards(await shards(spec, 3, gpu));
    expect(merged.backend).toBe(backend);
    expect(merged.spec).toEqual(whole.spec);
    expect(merged.closedForms).toEqual(whole.closedForms);
    expect(largestRelativeDifference(merged, whole)).toBeLessThanOrEqual(1e-12);
  });
});

describe('merge refuses what is not every shard of one run, once', () => {
  const spec = parseSpec({ model: 'linear', d: 3, n0: 10, generations: 1, replicates: 600, backend: 'cpu' });
  let all: { name: string; output: ShardOutput }[];
  beforeAll(async () => { all = await shards(spec, 3); });

  it('a missing shard, naming it and its replicates', () => {
    expect(() => mergeShards([all[0], all[2]])).toThrow('missing shard 1/3 [256, 512): a merge needs every shard, each replicate exactly once');
  });
  it('a shard given twice (overlapping replicates)', () => {
    expect(() => mergeShards([all[0], all[1], { ...all[1], name: 'copy.json' }, all[2]]))
      .toThrow('shard 1/3 is given twice (shard1.json and copy.json): its replicates [256, 512) would count twice');
  });
  it('shards of another spec or seed', async () => {
    const other = await shards({ ...spec, seed: 'other' }, 3);
    expect(() => mergeShards([all[0], other[1], all[2]])).toThrow('shard1.json is not a shard of the same run as shard0.json: seed differs');
  });
  it('shards of another N', async () => {
    const halves = await shards(spec, 2);
    expect(() => mergeShards([all[0], halves[1]])).toThrow('shard1.json is shard 1/2 but shard0.json is shard 0/3: the shards of one run share N');
  });
  it('a shard whose replicates are not its range', () => {
    const moved = { name: 'moved.json', output: { ...all[1].output, shard: { ...all[1].output.shard, first: 300 } } };
    expect(() => mergeShards([all[0], moved, all[2]])).toThrow("moved.json: replicates [300, 556) are not shard 1/3's [256, 512)");
  });
  it('shards from different backends', () => {
    const gpuShard = { name: 'gpu.json', output: { ...all[2].output, backend: 'webgpu' as const } };
    expect(() => mergeShards([all[0], all[1], gpuShard])).toThrow('gpu.json ran on webgpu but shard0.json on cpu: merge shards of one backend (pin it with --backend)');
  });
});
