// The layering rules, executable: no import cycle (type imports too), the core imports no model,
// a float64 twin imports no GPU code, and no model imports another.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, importsBetween } from './helpers/imports.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { imports } = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8'));
const graph = importGraph(ROOT, 'src', imports);

const modelOf = (file: string) => /^src\/models\/([^/]+)\//.exec(file)?.[1];
const isCore = (file: string) => file.startsWith('src/core/');
const isTwin = (file: string) => /^src\/models\/[^/]+\/([\w-]+-)?twin\.ts$/.test(file) || file.startsWith('src/core/cpu/');
const isGpu = (file: string) => file.startsWith('src/core/gpu/') || /^src\/models\/[^/]+\/([\w-]+-)?gpu\.ts$/.test(file);

describe('layering', () => {
  it('reads the whole source tree', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(importsBetween(graph, (f) => f === 'src/index.ts', () => true).length).toBeGreaterThan(10);
  });

  it('has no import cycle', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('the core imports no model, chart or CLI', () => {
    expect(importsBetween(graph, isCore, (t) => !isCore(t))).toEqual([]);
  });

  it('a twin imports no GPU code, not even through another module', () => {
    const reached = (file: string, seen = new Set<string>()): Set<string> => {
      for (const next of graph.get(file) ?? []) if (!seen.has(next)) reached(next, seen.add(next));
      return seen;
    };
    const twins = [...graph.keys()].filter(isTwin);
    expect(twins.length).toBeGreaterThanOrEqual(7);
    expect(twins.flatMap((twin) => [...reached(twin)].filter(isGpu).map((gpu) => `${twin} ⇝ ${gpu}`))).toEqual([]);
  });

  it('no model imports another', () => {
    expect(importsBetween(graph, (f) => modelOf(f) !== undefined, (t, f) => modelOf(t) !== undefined && modelOf(t) !== modelOf(f))).toEqual([]);
  });
});
