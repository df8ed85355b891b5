/** Selection for classification (docs/science.md §3): what the registry (../index.ts) takes from this folder. */
import { anyModel } from '../../core/engine/model.js';
import type { ModelFolder } from '../preset.js';
import { gmmSelectionModel } from './model.js';
import { GMM_SELECTION_PRESETS } from './presets.js';

export const gmmSelection: ModelFolder = { models: [anyModel(gmmSelectionModel)], presets: GMM_SELECTION_PRESETS };
