// `synthloop run` output is written piece by piece (a 45 000-cell sweep is 43 MB of JSON): the
// pieces join to exactly the text of the whole result stringified at once.
import { describe, expect, it } from 'vitest';
import { formatRun } from '../src/cli/format-run.js';
import { parseSpec, runExperiment } from '../src/models/index.js';

const sweep = await runExperiment(parseSpec({
  model: 'gaussian', m: 20, generations: 2, replicates: 8, seed: 'pieces', backend: 'cpu',
  sweep: { m: Array.from({ length: 300 }, (_, i) => 10 + i), sigma: [1, 2] },
}));
const single = await runExperiment(parseSpec({ model: 'gaussian', m: 20, generations: 2, replicates: 8, seed: 'pieces', backend: 'cpu' }));

describe('formatRun in pieces', () => {
  it('a sweep\'s JSON joins to JSON.stringify of the result (cells one by one, in several pieces)', () => {
    const pieces = [...formatRun(sweep, 'json', 'test')];
    expect(pieces.length).toBeGreaterThan(2);
    const { generations: _, ...rest } = sweep;
    expect(pieces.join('')).toBe(JSON.stringify(rest, null, 2) + '\n');
  });
  it('a single run\'s JSON is the result with its generations (last)', () => {
    const { generations, ...rest } = single;
    expect([...formatRun(single, 'json', 'test')].join('')).toBe(JSON.stringify({ ...rest, generations }, null, 2) + '\n');
  });
  it('a sweep\'s long CSV: one line per cell × generation × metric, in several pieces', () => {
    const pieces = [...formatRun(sweep, 'csv', 'test')];
    expect(pieces.length).toBeGreaterThan(1);
    const lines = pieces.join('').trimEnd().split('\n');
    const metrics = Object.keys(sweep.cells![0].generations[0]).filter((k) => k !== 't').length;
    expect(lines).toHaveLength(1 + sweep.cells!.length * 3 * metrics);
    expect(lines[0]).toBe('m,sigma,t,metric,value');
    const last = sweep.cells!.at(-1)!;
    expect(lines.at(-1)).toBe(`309,2,2,${Object.keys(last.generations[2]).at(-1)},${Object.values(last.generations[2]).at(-1) ?? ''}`);
  });
});
