// The layering rules, executable: no import cycle (type imports too), the core imports no model,
// a float64 twin imports no GPU code, and no model imports another; and the registry holds every
// model folder whole.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MODELS, PRESETS } from '../src/models/index.js';
import { modelsCovered } from './helpers/fixtures.js';
import { importCycles, importGraph, importsBetween } from './helpers/imports.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { imports } = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8'));
const graph = importGraph(ROOT, 'src', imports);

const modelOf = (file: string) => /^src\/models\/([^/]+)\//.exec(file)?.[1];
const isCore = (file: string) => file.startsWith('src/core/');
// Tensor programs: src/core/nn/twin.ts and a model's ops.ts (custom ops' float64 twins) are twins; src/core/nn/gpu.ts is a GPU host.
const isTwin = (file: string) => /^src\/models\/[^/]+\/(([\w-]+-)?twin|ops)\.ts$/.test(file) || file.startsWith('src/core/cpu/') || file === 'src/core/nn/twin.ts';
const isGpu = (file: string) => file.startsWith('src/core/gpu/') || file === 'src/core/nn/gpu.ts' || /^src\/models\/[^/]+\/([\w-]+-)?gpu\.ts$/.test(file);

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

describe('the registry', () => {
  const folders = readdirSync(`${ROOT}/src/models`, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

  it('lists every model folder, each with its parts and its shaders/<model>/', () => {
    const registry = readFileSync(`${ROOT}/src/models/index.ts`, 'utf8');
    expect(folders.length).toBeGreaterThanOrEqual(5);
    for (const folder of folders) {
      expect(registry, `src/models/index.ts imports ${folder}`).toContain(`from './${folder}/index.js'`);
      const files = readdirSync(`${ROOT}/src/models/${folder}`);
      for (const part of ['index.ts', 'spec.ts', 'model.ts', 'presets.ts', 'fixtures.ts']) expect(files, `${folder}/${part}`).toContain(part);
      // A GPU host and a twin, or (models written as tensor programs, src/core/nn) custom ops with their float64 twins in ops.ts.
      const hostAndTwin = files.some((f) => /gpu\.ts$/.test(f)) && files.some((f) => /twin\.ts$/.test(f));
      expect(hostAndTwin || files.includes('ops.ts'), `${folder}: a GPU host and a twin, or tensor-program ops`).toBe(true);
      expect(readdirSync(`${ROOT}/shaders/${folder}`).some((f) => f.endsWith('.wgsl')), `shaders/${folder}/`).toBe(true);
    }
  });

  it('every registered model has presets and the cross-cutting tests\' fixtures', () => {
    const models = Object.keys(MODELS);
    expect(models.length).toBeGreaterThanOrEqual(6);
    for (const check of ['snapshot', 'shard'] as const) expect(models.filter((m) => !modelsCovered(check).has(m)), `models without ${check} fixtures`).toEqual([]);
    const withPresets = new Set(Object.values(PRESETS).map((p) => p.spec.model));
    expect(models.filter((m) => !withPresets.has(m))).toEqual([]);
  });
});
