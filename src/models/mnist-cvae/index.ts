/** The MNIST conditional-VAE loop (docs/science.md, "Verified retraining of a neural generator"): what the registry (../index.ts) takes from this folder. */
import { anyModel } from '../../core/engine/model.js';
import type { ModelFolder } from '../preset.js';
import { mnistCvaeModel } from './model.js';
import { MNIST_CVAE_PRESETS } from './presets.js';

export const mnistCvae: ModelFolder = { models: [anyModel(mnistCvaeModel)], presets: MNIST_CVAE_PRESETS };
