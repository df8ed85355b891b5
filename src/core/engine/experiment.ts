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

/** The cells a spec runs: its sweep's grid (the first `limit` cells if given), or the spec itself. */
export function experimentCells(spec: Spec, limit?: number): ExperimentCells {
  if (!spec.sweep) return { params: [{}], specs: [spec] };
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
  return { params, specs };
}

/** A resolved spec that shows what a run is: the spec itself, or a sweep's first cell. */
export function representativeCell(spec: Spec): Spec {
  return experimentCells(spec, 1).specs[0] as Spec;
}
