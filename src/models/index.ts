/**
 * The registry: every model the engine runs, one line a model folder, and every preset. Importing
 * it registers the models with the core, so parseSpec and runExperiment know them. Adding a model
 * is a folder (src/models/<model>/ and shaders/<model>/) and a line in FOLDERS.
 */
import { registerModels } from '../core/engine/experiment.js';
import type { AnyModel } from '../core/engine/model.js';
import type { ModelFolder, Preset } from './preset.js';
import { linear } from './linear/index.js';
import { yiGrid } from './yi-grid/index.js';
import { gmmSelection } from './gmm-selection/index.js';
import { gaussian } from './gaussian/index.js';
import { aminErm } from './amin-erm/index.js';
import { curationGaussian } from './curation-gaussian/index.js';
import { tokens } from './categorical/index.js';
import { curation } from './curation/index.js';
import { mnistCvae } from './mnist-cvae/index.js';

const FOLDERS: readonly ModelFolder[] = [linear, yiGrid, gmmSelection, gaussian, aminErm, curation, curationGaussian, tokens, mnistCvae];

export const MODELS: Readonly<Record<string, AnyModel>> = Object.fromEntries(FOLDERS.flatMap((f) => f.models).map((m) => [m.model, m]));
export const PRESETS: Readonly<Record<string, Preset>> = Object.assign({}, ...FOLDERS.map((f) => f.presets));
export const DEFAULT_PRESET = 'dohmatob-replace';

registerModels(Object.values(MODELS));

// What looks models up, from here: importing any of it registers them.
export { parseSpec, experimentCells, modelOf, representativeCell } from '../core/engine/experiment.js';
export { runExperiment } from '../core/engine/run.js';
export { mergeShards } from '../core/engine/shard.js';
export type { Spec } from '../core/engine/experiment.js';
export type { Preset, PresetSpec } from './preset.js';
