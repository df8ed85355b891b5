/**
 * Named experiments, each reproducing one paper's result (docs/science.md). The spec is kept
 * apart from its description so it stays exactly what `synthloop run` parses. Each model folder
 * has its own (`<model>/presets.ts`); the registry (index.ts) gathers them.
 */
import type { SweepInput } from '../core/spec/sweep.js';
import type { AnyModel } from '../core/engine/model.js';
import type { PaperId } from './papers.js';

/** Any model's spec as written, with an optional sweep. */
export type PresetSpec = { model: string; [field: string]: unknown } & { sweep?: SweepInput };

export interface Preset<Spec = PresetSpec> {
  spec: Spec;
  /** What the run shows, in a few words (one terminal line with the name). */
  title: string;
  /** Whose result it reproduces: keys of PAPERS (papers.ts). */
  papers: readonly PaperId[];
  /** What the run shows, with the closed form where there is one. */
  shows: string;
  /**
   * How the demo page shrinks it to run in seconds, where capping replicates is not the way: a
   * smaller count per sweep axis (the replicates per cell kept as written).
   */
  demoGrid?: Record<string, number>;
}


/** What a model folder gives the registry (index.ts): its definitions and its presets. */
export interface ModelFolder {
  models: readonly AnyModel[];
  presets: Readonly<Record<string, Preset>>;
}
