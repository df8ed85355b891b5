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

// Three curators: 17 metrics, each with its closed form in brackets — far wider than a terminal.
const wide = await runExperiment(parseSpec({
  model: 'curation', probs: { kind: 'given', values: [0.2, 0.2, 0.2, 0.2, 0.2] }, candidates: 4, n: 50, generations: 3, replicates: 16, seed: 'wide', backend: 'cpu',
  curators: [{ weight: 0.5, reward: [1, 0, 0, 0, 0] }, { weight: 0.3, reward: [0, 0, 0, 0, 1] }, { weight: 0.2, reward: [0, 0, 1, 0, 0] }],
}));

describe('the table in a terminal', () => {
  const lines = (width?: number) => [...formatRun(wide, 'table', 'test', width)].join('').split('\n');
  const width = (line: string) => [...line.normalize('NFC')].filter((ch) => !/\p{M}/u.test(ch)).length;

  it('splits a table wider than the terminal into tables that fit, each with t, every metric in one of them', () => {
    const whole = lines();
    expect(Math.max(...whole.map(width))).toBeGreaterThan(200);
    const split = lines(100);
    const tableLines = split.filter((l) => l.startsWith('│') || l.startsWith('┌') || l.startsWith('└'));
    expect(Math.max(...tableLines.map(width))).toBeLessThanOrEqual(100);
    const heads = split.filter((l) => /^│ t +│/.test(l));
    expect(heads.length).toBeGreaterThan(2);
    // Each generation's row appears once per table, and every column of the whole table is in some table.
    expect(split.filter((l) => /^│ 3 +│/.test(l))).toHaveLength(heads.length);
    const cellsOf = (l: string) => l.split('│').map((c) => c.trim()).filter(Boolean);
    const wholeHead = cellsOf(whole.find((l) => /^│ t +│/.test(l))!);
    expect(new Set(heads.flatMap(cellsOf))).toEqual(new Set(wholeHead));
  });
  it('keeps one table without a width (a file or a pipe)', () => {
    expect(lines().filter((l) => /^│ t +│/.test(l))).toHaveLength(1);
  });
});
