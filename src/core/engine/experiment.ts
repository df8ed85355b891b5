/**
 * The entry point for any spec: dispatch on `model` over the registered models, validate,
 * resolve a sweep into its cells (each validated like a spec of its own).
 */
import { SpecError, describeValue, quotedList } from '../spec/errors.js';
import { setPathValue } from '../spec/path.js';
import { resolveSweep, sweepCells, type ResolvedSweep } from '../spec/sweep.js';
import type { AnyModel, CommonSpec } from './model.js';

/** The models a spec may name, as registered by src/models/index.ts (the core imports no model). */
const registry = new Map<string, AnyModel>();

export function registerModels(models: readonly AnyModel[]): void {
  for (const definition of models) registry.set(definition.model, definition);
}

/**
 * A validated spec of any model. Without a sweep: every default filled. With a sweep: the spec
 * as written (plus the common defaults) and the sweep's value lists — each cell resolves its own
 * defaults, so a default that follows a swept field (syntheticSigma follows sigma) follows it
 * in every cell, and the saved spec re-runs to the same cells.
 */
export type Spec = CommonSpec & { sweep?: ResolvedSweep } & Record<string, unknown>;

export function modelOf(spec: { model: string }): AnyModel {
  if (!registry.size) throw new Error('no model is registered: import the library (src/index.ts) or src/models/index.ts, which registers them');
  const definition = registry.get(spec.model);
  if (!definition) throw new SpecError([{ path: 'model', message: `must be one of ${quotedList([...registry.keys()])}, got ${describeValue(spec.model)}` }]);
  return definition;
}

function withoutSweep(input: Record<string, unknown>, derived: readonly string[] = []): Record<string, unknown> {
  const base = { ...input };
  delete base.sweep;
  for (const field of derived) delete base[field];
  return base;
}

/** Validates any spec; throws a SpecError listing every problem. */
export function parseSpec(input: unknown): Spec {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new SpecError([{ path: 'spec', message: `must be an object with a "model" field, got ${describeValue(input)}` }]);
  }
  const record = input as Record<string, unknown>;
  const definition = modelOf({ model: record.model as string });
  const base = definition.parse(withoutSweep(record)) as Spec;
  if (record.sweep === undefined) return base;
  const sweep = resolveSweep(record.sweep, definition.sweepable);
  const { model, generations, replicates, seed, backend } = base;
  const spec: Spec = { ...withoutSweep(record, definition.derivedFields), model, generations, replicates, seed, backend, sweep };
  // Every cell is a spec of its own: an invalid one fails here, before any work.
  experimentCells(spec);
  return spec;
}

export interface ExperimentCells {
  /** The values of the swept fields per cell ({} without a sweep). */
  params: Record<string, number>[];
  /** Each cell's resolved spec. */
  specs: CommonSpec[];
}

/**
 * Each parsed spec's cells, resolved once: parseSpec validates them, and the run, its result and
 * its shards reuse them (a 45 000-cell grid took ~0.3 s to resolve, three times a run). Specs are
 * not edited after parsing; an edit goes through parseSpec again, which makes a new spec.
 */
const resolvedCells = new WeakMap<Spec, ExperimentCells>();

/** The cells a spec runs: its sweep's grid (the first `limit` cells if given), or the spec itself. */
export function experimentCells(spec: Spec, limit?: number): ExperimentCells {
  if (!spec.sweep) return { params: [{}], specs: [spec] };
  const resolved = resolvedCells.get(spec);
  if (resolved) return limit === undefined ? resolved : { params: resolved.params, specs: resolved.specs.slice(0, limit) };
  const definition = modelOf(spec);
  const base = withoutSweep(spec, definition.derivedFields);
  const params = sweepCells(spec.sweep);
  const specs = params.slice(0, limit).map((cell) => {
    const edited = Object.entries(cell).reduce<unknown>((s, [path, value]) => setPathValue(s, path, value), base);
    try {
      return definition.parse(edited);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      const where = Object.entries(cell).map(([path, value]) => `${path} = ${value}`).join(', ');
      throw new SpecError(error.issues.map((issue) => ({ ...issue, message: `${issue.message} (in the sweep cell ${where})` })));
    }
  });
  if (limit === undefined) resolvedCells.set(spec, { params, specs });
  return { params, specs };
}

/** A resolved spec that shows what a run is: the spec itself, or a sweep's first cell. */
export function representativeCell(spec: Spec): Spec {
  return experimentCells(spec, 1).specs[0] as Spec;
}

/**
 * The one sweep-shape check: cells run together only if they differ in nothing but the model's
 * sweepable fields (and what is derived from them), since everything else specialises the kernels
 * or addresses the random words. Cells from experimentCells always pass; it guards direct calls.
 */
export function checkSweepCells(definition: Pick<AnyModel, 'model' | 'sweepable' | 'derivedFields'>, cells: readonly object[]): void {
  const fixed = (cell: object) => {
    const copy = structuredClone(cell) as Record<string, unknown>;
    for (const field of definition.derivedFields ?? []) delete copy[field];
    for (const path of definition.sweepable) {
      const keys = path.split('.');
      const parent = keys.slice(0, -1).reduce<Record<string, unknown> | undefined>((node, key) => node?.[key] as Record<string, unknown> | undefined, copy);
      if (parent) delete parent[keys.at(-1)!];
    }
    return copy;
  };
  const first = fixed(cells[0]);
  cells.forEach((cell, c) => {
    const other = fixed(cell);
    const differing = Object.keys({ ...first, ...other }).filter((key) => JSON.stringify(first[key]) !== JSON.stringify(other[key]));
    if (differing.length) {
      throw new RangeError(`${definition.model} sweep cells must share every field but the sweepable ones (${definition.sweepable.join(', ')}); cell ${c} differs in ${differing.join(', ')}`);
    }
  });
}
