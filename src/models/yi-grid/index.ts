/** Yi et al.'s one-round study (docs/science.md §2): what the registry (../index.ts) takes from this folder. */
import { anyModel } from '../../core/engine/model.js';
import type { ModelFolder } from '../preset.js';
import { yiGridModel } from './model.js';
import { YI_GRID_PRESETS } from './presets.js';

export const yiGrid: ModelFolder = { models: [anyModel(yiGridModel)], presets: YI_GRID_PRESETS };
