/** Mean estimation from contaminated data (docs/science.md §7): what the registry (../index.ts) takes from this folder. */
import { anyModel } from '../../core/engine/model.js';
import type { ModelFolder } from '../preset.js';
import { aminErmModel } from './model.js';
import { AMIN_ERM_PRESETS } from './presets.js';

export const aminErm: ModelFolder = { models: [anyModel(aminErmModel)], presets: AMIN_ERM_PRESETS };
