/** The linear model (docs/science.md §1–2): what the registry (../index.ts) takes from this folder. */
import { anyModel } from '../../core/engine/model.js';
import type { ModelFolder } from '../preset.js';
import { linearModel } from './model.js';
import { LINEAR_PRESETS } from './presets.js';

export const linear: ModelFolder = { models: [anyModel(linearModel)], presets: LINEAR_PRESETS };
