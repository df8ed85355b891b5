/**
 * Sharding a run across machines. Shard i of N runs a contiguous range of every cell's
 * replicates on the random words those replicates draw in the whole run (each kernel and twin
 * adds the range's first replicate to its replicate index), and yields each cell's sufficient
 * statistics per generation (CellSums); merging adds the shards' sums and finishes them as the
 * whole run does, so the merged output is the whole run's.
 *
 * Ranges start on whole reduction blocks of SHARD_BLOCK replicates counted from each cell's
 * first replicate, as shaders/reduce.wgsl counts them: a shard's GPU partials (f32 sums of 256
 * replicates) are then the whole run's, bit for bit, and a merge differs from the whole run only
 * in the order of the float64 additions of those partials (the twin sums in float64 throughout).
 * A run of R replicates has ⌈R/256⌉ blocks and so at most that many shards.
 */
import type { AdapterDescription } from '../adapter.js';
import { experimentCells, modelOf, type Spec } from './experiment.js';
import { mergeCellSums, type CellSums } from './metrics.js';
import { runResult, type BackendName, type RunResult, type Stats } from './result.js';

/** Replicates per reduction block (shaders/reduce.wgsl's largest workgroup; smaller ones divide it): shards' default block. */
export const SHARD_BLOCK = 256;

/** Shard `index` (0 … count − 1) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** A contiguous range of every cell's replicates. */
export interface ReplicateRange {
  first: number;
  replicates: number;
}

/** What a shard run yields: everything a merge needs, and what a shard file holds. */
export interface ShardOutput {
  spec: Spec;
  shard: Shard & ReplicateRange;
  backend: BackendName;
  adapter: AdapterDescription | null;
  elapsedSeconds: number;
  notices: string[];
  /** Per cell, per generation: the cell's sufficient statistics over the shard's replicates. */
  sums: CellSums[][];
}

const describeShard = (shard: Shard) => `${shard.index}/${shard.count}`;
const describeRange = (range: ReplicateRange) => `[${range.first}, ${range.first + range.replicates})`;

/** `i/N` as a Shard; throws a RangeError naming the option. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const shard = match ? { index: Number(match[1]), count: Number(match[2]) } : null;
  if (!shard || shard.count < 1 || shard.index >= shard.count) {
    throw new RangeError(`--shard: must be i/N with 0 ≤ i < N (shard i of N, counted from 0), got ${JSON.stringify(text)}`);
  }
  return shard;
}

/**
 * The replicates of every cell that shard i of N runs: blocks ⌊iB/N⌋ … ⌊(i+1)B/N⌋ − 1 of
 * B = ⌈R/block⌉, where block is the model's `shardBlock` (SHARD_BLOCK where the GPU reduces per block).
 */
export function shardRange(spec: Spec, shard: Shard): ReplicateRange {
  const { replicates } = spec;
  const block = modelOf(spec).shardBlock ?? SHARD_BLOCK;
  const blocks = Math.ceil(replicates / block);
  if (shard.count > blocks) {
    throw new RangeError(`--shard ${describeShard(shard)}: shards split a run at whole blocks of ${block} replicates, and R = ${replicates} is ${blocks} block${blocks === 1 ? '' : 's'}; use at most ${blocks} shard${blocks === 1 ? '' : 's'}, or at least ${block * (shard.count - 1) + 1} replicates`);
  }
  const first = Math.floor((shard.index * blocks) / shard.count) * block;
  const end = Math.min(replicates, Math.floor(((shard.index + 1) * blocks) / shard.count) * block);
  return { first, replicates: end - first };
}

/** JSON with object keys sorted, to compare specs whatever order their fields were written in. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
}

/** The spec fields whose values differ between two specs. */
function differingFields(a: Spec, b: Spec): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((key) => canonical(a[key]) !== canonical(b[key]));
}

/**
 * The whole run from every one of its shards (each named, e.g. by its file): checks that they
 * are shards of the same spec (seed included), that they cover every replicate exactly once and
 * ran on one backend, then finishes each cell's merged sums as the whole run would.
 */
export function mergeShards(shards: readonly { name: string; output: ShardOutput }[]): RunResult {
  if (shards.length === 0) throw new RangeError('merge: no shards given');
  const [first] = shards;
  const { spec } = first.output;
  const N = first.output.shard.count;
  const cells = experimentCells(spec);
  const byIndex = new Map<number, { name: string; output: ShardOutput }>();
  for (const shard of shards) {
    const { output, name } = shard;
    if (!(Number.isInteger(output.shard.index) && output.shard.index >= 0 && output.shard.index < output.shard.count)) {
      throw new RangeError(`${name}: shard ${describeShard(output.shard)} is not one of 0/N … (N−1)/N`);
    }
    const differing = differingFields(spec, output.spec);
    if (differing.length) {
      throw new RangeError(`${name} is not a shard of the same run as ${first.name}: ${differing.map((field) => `${field} differs`).join(', ')}`);
    }
    if (output.shard.count !== N) {
      throw new RangeError(`${name} is shard ${describeShard(output.shard)} but ${first.name} is shard ${describeShard(first.output.shard)}: the shards of one run share N`);
    }
    const expected = shardRange(spec, output.shard);
    if (output.shard.first !== expected.first || output.shard.replicates !== expected.replicates) {
      throw new RangeError(`${name}: replicates ${describeRange(output.shard)} are not shard ${describeShard(output.shard)}'s ${describeRange(expected)}`);
    }
    const twin = byIndex.get(output.shard.index);
    if (twin) {
      throw new RangeError(`shard ${describeShard(output.shard)} is given twice (${twin.name} and ${name}): its replicates ${describeRange(expected)} would count twice`);
    }
    if (output.backend !== first.output.backend) {
      throw new RangeError(`${name} ran on ${output.backend} but ${first.name} on ${first.output.backend}: merge shards of one backend (pin it with --backend)`);
    }
    const complete = output.sums.length === cells.specs.length && output.sums.every((cell) => cell.length === spec.generations + 1);
    if (!complete) throw new RangeError(`${name}: not the sums of ${cells.specs.length} cell(s) × ${spec.generations + 1} generations`);
    const columns = first.output.sums[0][0].sum.length;
    const uneven = output.sums.flatMap((cell, c) => cell.map((sums, t) => [c, t, sums] as const))
      .find(([, , sums]) => sums.sum.length !== columns || sums.sumSquares.length !== columns);
    if (uneven) throw new RangeError(`${name}: the sums of cell ${uneven[0]}, generation ${uneven[1]} have ${uneven[2].sum.length} and ${uneven[2].sumSquares.length} columns, not ${columns}`);
    byIndex.set(output.shard.index, shard);
  }
  const missing = Array.from({ length: N }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) {
    const ranges = missing.map((i) => `${i}/${N} ${describeRange(shardRange(spec, { index: i, count: N }))}`);
    throw new RangeError(`missing shard${missing.length > 1 ? 's' : ''} ${ranges.join(', ')}: a merge needs every shard, each replicate exactly once`);
  }
  const ordered = Array.from({ length: N }, (_, i) => byIndex.get(i)!);
  const model = modelOf(spec);
  const generations = cells.specs.map((cell, c) =>
    Array.from({ length: spec.generations + 1 }, (_, t) =>
      model.finish(t, cell, mergeCellSums(ordered.map((shard) => shard.output.sums[c][t]))) as Stats));
  return runResult(spec, generations, {
    backend: first.output.backend,
    adapter: first.output.adapter,
    // The machines' time together: what the whole run took, not how long anyone waited.
    elapsedSeconds: ordered.reduce((sum, shard) => sum + shard.output.elapsedSeconds, 0),
    notices: ordered.flatMap((shard) => shard.output.notices.map((notice) => `shard ${describeShard(shard.output.shard)}: ${notice}`)),
  });
}
