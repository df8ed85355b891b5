/** Curated retraining of a Gaussian (docs/science.md §9): what the registry (../index.ts) takes from this folder. */
import { anyModel } from '../../core/engine/model.js';
import type { ModelFolder } from '../preset.js';
import { curationGaussianModel } from './model.js';
import { CURATION_GAUSSIAN_PRESETS } from './presets.js';

export const curationGaussian: ModelFolder = { models: [anyModel(curationGaussianModel)], presets: CURATION_GAUSSIAN_PRESETS };
