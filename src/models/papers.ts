/**
 * The papers whose results the presets reproduce: one entry each, cited the same way by the
 * presets, the README, `synthloop presets` and the demo. docs/science.md says what the engine
 * takes from each.
 */
export interface Paper {
  /** Authors, year and venue, as cited in text. */
  cite: string;
  title: string;
  /** The paper's arXiv abstract page or DOI. */
  url: string;
}

export const PAPERS = {
  dohmatob2024: {
    cite: 'Dohmatob, Feng & Kempe 2024',
    title: 'Model Collapse Demystified: The Case of Regression',
    url: 'https://arxiv.org/abs/2402.07712',
  },
  gerstgrasser2024: {
    cite: 'Gerstgrasser et al. 2024',
    title: 'Is Model Collapse Inevitable? Breaking the Curse of Recursion by Accumulating Real and Synthetic Data',
    url: 'https://arxiv.org/abs/2404.01413',
  },
  yi2026: {
    cite: 'Yi, Liu, Cheng & Xu, ICLR 2026',
    title: 'Escaping Model Collapse via Synthetic Data Verification: Near-term Improvements and Long-term Convergence',
    url: 'https://arxiv.org/abs/2510.16657',
  },
  feng2024: {
    cite: 'Feng, Dohmatob, Yang, Charton & Kempe 2024',
    title: 'Beyond Model Collapse: Scaling Up with Synthesized Data Requires Verification',
    url: 'https://arxiv.org/abs/2406.07515',
  },
  bakshi2026: {
    cite: 'Bakshi & Chakraborty 2026',
    title: 'From Collapse to Improvement: Statistical Perspectives on the Evolutionary Dynamics of Iterative Training on Contaminated Sources',
    url: 'https://arxiv.org/abs/2602.10531',
  },
  shumailov2024: {
    cite: 'Shumailov et al., Nature 2024',
    title: 'AI models collapse when trained on recursively generated data',
    url: 'https://doi.org/10.1038/s41586-024-07566-y',
  },
  amin2026: {
    cite: 'Amin, Bie, Kong, Syed & Vassilvitskii 2026',
    title: 'Learning from Synthetic Data: Limitations of ERM',
    url: 'https://arxiv.org/abs/2601.15468',
  },
  ferbach2024: {
    cite: 'Ferbach, Bertrand, Bose & Gidel, NeurIPS 2024',
    title: 'Self-Consuming Generative Models with Curated Data Provably Optimize Human Preferences',
    url: 'https://arxiv.org/abs/2407.09499',
  },
  bertrand2024: {
    cite: 'Bertrand et al., ICLR 2024',
    title: 'On the Stability of Iterative Retraining of Generative Models on their own Data',
    url: 'https://arxiv.org/abs/2310.00429',
  },
  falahati2026: {
    cite: 'Falahati, Mohammadi Amiri, Larson & Golab 2026',
    title: "Curated Synthetic Data Doesn't Have to Collapse: A Theoretical Study of Generative Retraining with Pluralistic Preferences",
    url: 'https://arxiv.org/abs/2605.07724',
  },
  zhao2025: {
    cite: 'Zhao, Fu & Pham 2025',
    title: 'Convergence and Stability Analysis of Self-Consuming Generative Models with Heterogeneous Human Curation',
    url: 'https://arxiv.org/abs/2511.09002',
  },
} as const satisfies Record<string, Paper>;

export type PaperId = keyof typeof PAPERS;
