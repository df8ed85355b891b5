/**
 * What every model (linear, gaussian, categorical, bigram, gmm-selection, yi-grid) provides
 * to the shared engine: its spec parser, its metric columns, and a stepper that runs one
 * generation of every sweep cell on a backend and returns each cell's statistics.
 *
 * Sweep cells run together: a stepper gets all cells at once (same shape: same pipeline
 * specialisation), puts them in the same dispatches as one more batch dimension
 * (thread → cell = ⌊thread / R⌋, replicate r = thread mod R), and addresses random words by
 * r only, so replicate r of every cell draws the same words (common random numbers) and a
 * cell equals the same spec run alone.
 */
import type { GpuContext } from '../adapter.js';
import type { CellSums } from './metrics.js';
import type { Snapshot } from './snapshot.js';
import type { ModelView } from './view.js';

export type Backend = { kind: 'webgpu'; gpu: GpuContext } | { kind: 'cpu' };

/** Fields every model's resolved spec has. */
export interface CommonSpec {
  model: string;
  generations: number;
  replicates: number;
  seed: string | number;
  backend: 'auto' | 'webgpu' | 'cpu';
}

/** One generation's statistics: t, then the model's metrics (null where undefined, never NaN). */
export interface GenerationRecord {
  t: number;
}

/** A metric column of the table and CSV; `se` names the column holding its standard error. */
export interface MetricColumn {
  key: string;
  label: string;
  se?: string;
}

/** The exact expectation docs/science.md gives for one metric, per generation t = 0..T. */
export interface ClosedForm {
  metric: string;
  /**
   * Set where the curve is a limit the Monte Carlo mean approaches rather than its exact
   * expectation: what goes to a limit, e.g. 'K → ∞, n → ∞'. Tables and legends say "limit", not "exact".
   */
  limit?: string;
  /** Which result of docs/science.md it is. */
  source: string;
  values: number[];
}

export interface StepperOptions {
  /** GPU replicates (cells × replicates) per chunk; by default the largest the device's limits allow. */
  chunkReplicates?: number;
  /**
   * The replicate index of each cell's first replicate (default 0): a shard runs replicates
   * [firstReplicate, firstReplicate + cell.replicates) of every cell, on the random words those
   * replicates draw in the whole run (src/core/engine/shard.ts).
   */
  firstReplicate?: number;
  /** Called with the images a model draws after a generation (only models that draw any call it). */
  onImage?: (image: GenerationImage) => void;
}

/** A grayscale image a model draws of one cell after generation t (mnist-cvae: decoder means of one replicate, 10 digits a class). */
export interface GenerationImage {
  cell: number;
  t: number;
  name: string;
  width: number;
  height: number;
  /** width × height, row-major, 0 (black) .. 255 (white ink on black: as MNIST). */
  gray: Uint8Array;
}

/**
 * Every replicate's state or metrics after the last step, by name (θ̂, a metric row, counts, …):
 * cell-major typed arrays with a fixed count of values per replicate. Only tests read it, to
 * compare the backends replicate by replicate.
 */
export type ReplicateRows = Record<string, Float32Array | Float64Array | Uint32Array | Uint8Array>;

export interface Stepper<G extends GenerationRecord> {
  /** Runs generation t for every cell; returns each cell's statistics, in cell order. */
  step(t: number): Promise<G[]>;
  /** Each cell's sufficient statistics behind the last step's statistics (what shards merge). */
  sums(): CellSums[];
  replicateRows(): Promise<ReplicateRows>;
  /** Every replicate's state at the end of the last completed generation (src/core/engine/snapshot.ts). */
  snapshot(): Promise<Snapshot>;
  /** Puts a snapshot taken after generation t into this fresh stepper; the next step is t + 1. */
  restore(snapshot: Snapshot, t: number): Promise<void>;
  destroy(): void;
}

export interface ModelDefinition<S extends CommonSpec = CommonSpec, G extends GenerationRecord = GenerationRecord> {
  model: S['model'];
  /** Validates and fills defaults; throws SpecError naming field, range and value. */
  parse(input: unknown): S;
  /** Numeric fields a sweep may vary (dotted paths); others are rejected with this list. */
  sweepable: readonly string[];
  /** Fields of the resolved spec computed from others (e.g. linear's `schedule`), dropped before a sweep edits a cell. */
  derivedFields?: readonly string[];
  columns(spec: S): MetricColumn[];
  /** One line naming the experiment for a table's header (mode, sizes, …). */
  describe?(spec: S): string;
  /** `cells` all come from one spec with different sweep values (one cell without a sweep). */
  createStepper(cells: S[], backend: Backend, options: StepperOptions): Promise<Stepper<G>>;
  /** A cell's statistics of generation t from its sufficient statistics over all its replicates. */
  finish(t: number, cell: S, sums: CellSums): G;
  /**
   * Every exact expectation docs/science.md gives for this spec (for comparison, never used to
   * compute results), the headline curve first; none where none applies.
   */
  closedForms?(spec: S): ClosedForm[];
  /** How the chart and the demo show it: figures, names, the form's fields (src/models/<model>/view.ts). */
  view: ModelView;
  /**
   * Bytes these cells' replicates hold at the run's peak on a backend (core/engine/memory.ts):
   * proportional to the replicates, checked against the memory budget before anything is allocated.
   */
  memoryBytes(cells: readonly S[], backend: 'webgpu' | 'cpu'): number;
  /**
   * Replicates a shard's range starts on a multiple of (default 256, the GPU reduction's block, so
   * a shard's partial sums are the whole run's); 1 where every replicate's metrics are summed on the host.
   */
  shardBlock?: number;
}

/** A definition as the registry holds it: any model's spec and statistics, types erased. */
export type AnyModel = ModelDefinition<CommonSpec, GenerationRecord>;

/**
 * Erases a definition's own spec and statistics types for the registry (its methods take only its
 * own spec, so TypeScript cannot widen it): the one place that cast is made.
 */
export function anyModel<S extends CommonSpec, G extends GenerationRecord>(definition: ModelDefinition<S, G>): AnyModel {
  return definition as unknown as AnyModel;
}
