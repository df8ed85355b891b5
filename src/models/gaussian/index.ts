/** Gaussian refitting (docs/science.md §5): what the registry (../index.ts) takes from this folder. */
import { anyModel } from '../../core/engine/model.js';
import type { ModelFolder } from '../preset.js';
import { gaussianModel } from './model.js';
import { GAUSSIAN_PRESETS } from './presets.js';

export const gaussian: ModelFolder = { models: [anyModel(gaussianModel)], presets: GAUSSIAN_PRESETS };
