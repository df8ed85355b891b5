/** Curated retraining on tokens (docs/science.md §8): what the registry (../index.ts) takes from this folder. */
import { anyModel } from '../../core/engine/model.js';
import type { ModelFolder } from '../preset.js';
import { curationModel } from './model.js';
import { CURATION_PRESETS } from './presets.js';

export const curation: ModelFolder = { models: [anyModel(curationModel)], presets: CURATION_PRESETS };
