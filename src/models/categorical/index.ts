/** The next-token models, categorical and bigram (docs/science.md §4): what the registry (../index.ts) takes from this folder. */
import { anyModel } from '../../core/engine/model.js';
import type { ModelFolder } from '../preset.js';
import { categoricalModel, bigramModel } from './model.js';
import { CATEGORICAL_PRESETS } from './presets.js';

export const tokens: ModelFolder = { models: [anyModel(categoricalModel), anyModel(bigramModel)], presets: CATEGORICAL_PRESETS };
