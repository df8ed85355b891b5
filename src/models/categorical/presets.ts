/** The categorical model's presets: each reproduces a paper's result (docs/science.md). */
import type { Preset } from '../preset.js';
import type { BigramSpecInput, CategoricalSpecInput } from './spec.js';

/** The presets' P*: a seeded Dirichlet(1) draw over K = 20 tokens (the same for every seed-1 run). */
const TOKENS = { kind: 'dirichlet', k: 20, alpha: 1 } as const;

export const CATEGORICAL_PRESETS: Record<string, Preset<CategoricalSpecInput | BigramSpecInput>> = {
  'bakshi-collapse': {
    spec: { model: 'categorical', probs: TOKENS, n0: 50, n: 50, realFraction: 0, generations: 300, replicates: 1024 },
    title: 'Tokens: absorbed at a point mass',
    papers: ['bakshi2026'],
    shows: 'collapse: refitting on its own samples only (α = 0), R_t = (1 − ‖P*‖²)(1 − (1 − 1/n)^{t+1}) → 1 − ‖P*‖² as every replicate is absorbed at a point mass',
  },
  'bakshi-plateau': {
    spec: { model: 'categorical', probs: TOKENS, n0: 50, n: 50, realFraction: 0.1, generations: 100, replicates: 2048 },
    title: 'Tokens: 10% real data, plateau',
    papers: ['bakshi2026'],
    shows: '10% fresh real tokens each generation (α = 0.1) bound the error: R_t rises from (1 − ‖P*‖²)/n to a plateau ≈ 5·R_0 instead of absorbing',
  },
  'bakshi-recovery': {
    spec: {
      model: 'categorical', probs: TOKENS, n0: 50, n: { kind: 'geometric', start: 50, ratio: 1.3 },
      realFraction: { kind: 'harmonic', c: 1 }, generations: 20, replicates: 2048,
    },
    title: 'Tokens: growing data, recovery',
    papers: ['bakshi2026'],
    shows: 'a decaying real share α_t = 1/(t+1) with n_t growing 30% per generation: R_t falls below R_0 (≈ 0.3·R_0 by t = 20), toward 0',
  },
  'bigram-collapse': {
    spec: { model: 'bigram', probs: { kind: 'dirichlet', k: 16, alpha: 1 }, n0: 1000, n: 1000, realFraction: 0, generations: 50, replicates: 1024 },
    title: 'Markov chain refit on itself',
    papers: ['bakshi2026'],
    shows: 'the same collapse for a Markov chain on 16 states refitted on its own 1000-token sequences: the rows\' error grows generation after generation',
  },
};
