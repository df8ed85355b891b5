/**
 * What a run produces, on either backend: each model's Stats per generation t = 0..T,
 * streamed as they finish, then a RunResult.
 */
import type { AdapterDescription } from '../adapter.js';
import type { ClosedForm } from './model.js';
import { experimentCells, modelOf, type Spec } from './experiment.js';

/** A statistic, or null where it is undefined (no replicate left, or fewer than two for an SE). */
export type Estimate = number | null;

/** Any model's statistics of one generation: t and its metrics (null where undefined). */
export type Stats = { t: number; [metric: string]: number | null };

export type BackendName = 'webgpu' | 'cpu';

/** One cell of a sweep: the values of the swept fields and that cell's generations. */
export interface CellResult {
  params: Record<string, number>;
  generations: Stats[];
  closedForms: ClosedForm[];
}

export interface RunResult {
  /** The resolved spec, including its resolved `sweep` if it has one. */
  spec: Spec;
  backend: BackendName;
  /** The WebGPU adapter used, or null on the CPU twin. */
  adapter: AdapterDescription | null;
  /** Generation after generation; empty for a sweep, whose results are in `cells`. */
  generations: Stats[];
  /** A sweep's cells, in grid order (first axis slowest); absent without a sweep. */
  cells?: CellResult[];
  elapsedSeconds: number;
  /** Things the user should know, e.g. that no WebGPU adapter worked and the twin ran instead. */
  notices: string[];
  /** The exact expectations docs/science.md gives for this spec, the headline first (never used to compute results); empty for a sweep (see `cells`) or where none applies. */
  closedForms: ClosedForm[];
}

/** Where and how long a run (or the shards merged into it) ran, and what the user should know. */
export type RunProvenance = Pick<RunResult, 'backend' | 'adapter' | 'elapsedSeconds' | 'notices'>;

/** A RunResult from each cell's statistics per generation (cell order; one cell without a sweep). */
export function runResult(spec: Spec, generations: Stats[][], provenance: RunProvenance): RunResult {
  const model = modelOf(spec);
  const cells = experimentCells(spec);
  const closedForms = cells.specs.map((cell) => model.closedForms?.(cell) ?? []);
  const sweepCells: CellResult[] | undefined = spec.sweep
    ? cells.params.map((params, c) => ({ params, generations: generations[c], closedForms: closedForms[c] }))
    : undefined;
  return {
    spec,
    backend: provenance.backend,
    adapter: provenance.adapter,
    generations: spec.sweep ? [] : generations[0],
    ...(sweepCells ? { cells: sweepCells } : {}),
    elapsedSeconds: provenance.elapsedSeconds,
    notices: provenance.notices,
    closedForms: spec.sweep ? [] : closedForms[0],
  };
}
