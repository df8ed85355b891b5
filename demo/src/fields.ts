/**
 * The parameters the page's form edits, per model, as dotted paths into the spec as written.
 * Anything else (spectrum, θ*, a schedule's shape, …) is edited in the spec's JSON.
 */
export type FieldKind = 'int' | 'number' | 'select' | 'schedule' | 'json' | 'text';

export interface FieldDef {
  path: string;
  label: string;
  kind: FieldKind;
  /** What the control does, shown under it. */
  help: string;
  options?: readonly string[];
  /** Left blank, the field is omitted and the engine's default applies (shown as the placeholder). */
  optional?: string;
  /** Only shown when this returns true for the current spec. */
  when?: (spec: Record<string, unknown>) => boolean;
  step?: string;
}

/** Choosing a `kind` replaces the whole object with that kind's defaults (other kinds' fields would be errors). */
export const KIND_DEFAULTS: Record<string, Record<string, Record<string, unknown>>> = {
  verifier: {
    none: { kind: 'none' },
    ball: { kind: 'ball', bias: 0.1, radius: 0.1, direction: 'ones' },
  },
  selector: {
    none: { kind: 'none' },
    rates: { kind: 'rates', keepCorrect: 0.9, keepWrong: 0.3 },
    linear: { kind: 'linear', angle: Math.PI / 4 },
  },
};

const kindOf = (spec: Record<string, unknown>, field: string) => (spec[field] as { kind?: string } | undefined)?.kind ?? 'none';

const COMMON: FieldDef[] = [
  { path: 'generations', label: 'generations T', kind: 'int', help: 'retraining rounds after generation 0' },
  { path: 'replicates', label: 'replicates R', kind: 'int', help: 'independent runs of the whole loop; SE shrinks as 1/√R' },
  { path: 'seed', label: 'seed', kind: 'text', help: 'names the random streams: same seed, same numbers' },
  { path: 'backend', label: 'backend', kind: 'select', options: ['auto', 'webgpu', 'cpu'], optional: 'auto', help: 'auto: WebGPU, else the float64 CPU twin' },
];

const LINEAR: FieldDef[] = [
  { path: 'd', label: 'dimension d', kind: 'int', help: 'number of coefficients in θ' },
  { path: 'n0', label: 'real samples n₀', kind: 'int', help: 'real data fitting generation 0' },
  { path: 'n', label: 'samples per generation n', kind: 'schedule', optional: 'n₀', help: 'a number, or a schedule as JSON' },
  { path: 'sigma', label: 'label noise σ', kind: 'number', optional: '1', step: 'any', help: 'noise of real labels' },
  { path: 'syntheticSigma', label: 'synthetic noise σₛ', kind: 'number', optional: 'σ', step: 'any', help: 'noise the model adds to its own labels' },
  { path: 'mode', label: 'mode', kind: 'select', options: ['replace', 'accumulate', 'mixture'], optional: 'replace', help: 'train on new data only, on all data so far, or on a mix with fresh real data' },
  { path: 'realFraction', label: 'real fraction', kind: 'schedule', optional: '0.5', help: 'share of fresh real samples per generation', when: (s) => s.mode === 'mixture' },
  { path: 'design', label: 'design', kind: 'select', options: ['fresh', 'fixed'], optional: 'fresh', help: 'fixed: every generation relabels the same inputs' },
  { path: 'ridgeLambda', label: 'ridge λ', kind: 'schedule', optional: '0', help: '0 is ordinary least squares' },
  { path: 'verifier.kind', label: 'verifier', kind: 'select', options: ['none', 'ball'], optional: 'none', help: 'ball: keep a synthetic sample only if its label is near the verifier\'s own prediction' },
  { path: 'verifier.bias', label: 'verifier bias', kind: 'number', step: 'any', help: 'how far the verifier\'s centre θ_c sits from the truth θ*', when: (s) => kindOf(s, 'verifier') === 'ball' },
  { path: 'verifier.radius', label: 'verifier radius', kind: 'number', step: 'any', help: 'accept |ỹ − xᵀθ_c| ≤ radius·‖x‖ + slack', when: (s) => kindOf(s, 'verifier') === 'ball' },
  { path: 'verifier.slack', label: 'verifier slack', kind: 'number', optional: '√(2/π)·σ', step: 'any', help: 'constant added to the acceptance band', when: (s) => kindOf(s, 'verifier') === 'ball' },
  { path: 'verifier.direction', label: 'bias direction', kind: 'select', options: ['random', 'ones'], optional: 'random', help: 'direction u of the bias: seeded random or (1,…,1)/√d', when: (s) => kindOf(s, 'verifier') === 'ball' },
];

const YI_GRID: FieldDef[] = [
  { path: 'd', label: 'dimension d', kind: 'int', optional: '5', help: 'number of coefficients' },
  { path: 'n1', label: 'real samples n₁', kind: 'int', optional: '100', help: 'real data of θ̂₀ and θ̂₁' },
  { path: 'n2', label: 'synthetic samples n₂', kind: 'int', optional: '100', help: 'synthetic data of θ̂₂ and θ̂₃' },
  { path: 'sigma', label: 'label noise σ', kind: 'number', optional: '1', step: 'any', help: 'noise of real and synthetic labels' },
  { path: 'bias', label: 'verifier bias a', kind: 'number', optional: '0', step: 'any', help: 'θ_c = θ* + a·(1,…,1)' },
  { path: 'radius', label: 'verifier radius r', kind: 'number', optional: '0.1', step: 'any', help: 'accept |y − xᵀθ_c| ≤ r‖x‖ + slack' },
  { path: 'slack', label: 'verifier slack', kind: 'number', optional: '√(2/π)·σ', step: 'any', help: 'the authors\' choice is E|ε|' },
];

const GMM: FieldDef[] = [
  { path: 'd', label: 'dimension d', kind: 'int', help: 'input dimension' },
  { path: 'meanNorm', label: 'class separation ‖μ‖', kind: 'number', step: 'any', help: 'Bayes accuracy is Φ(‖μ‖)' },
  { path: 'flipRate', label: 'label flip rate p', kind: 'number', step: 'any', help: 'generation 0\'s share of wrong labels' },
  { path: 'n', label: 'samples per generation n', kind: 'int', help: 'pairs labelled before selection' },
  { path: 'selector.kind', label: 'selector', kind: 'select', options: ['none', 'rates', 'linear'], optional: 'none', help: 'keep all pairs, keep by rates ϕ/ψ, or keep what a linear verifier agrees with' },
  { path: 'selector.keepCorrect', label: 'keep correct ϕ', kind: 'number', step: 'any', help: 'probability a correctly labelled pair is kept', when: (s) => kindOf(s, 'selector') === 'rates' },
  { path: 'selector.keepWrong', label: 'keep wrong ψ', kind: 'number', step: 'any', help: 'probability a wrongly labelled pair is kept', when: (s) => kindOf(s, 'selector') === 'rates' },
  { path: 'selector.angle', label: 'verifier angle θ', kind: 'number', step: 'any', help: 'radians between the verifier and μ', when: (s) => kindOf(s, 'selector') === 'linear' },
  { path: 'ridgeLambda', label: 'ridge λ', kind: 'number', optional: '0', step: 'any', help: 'regularises the least-squares classifier' },
];

const GAUSSIAN: FieldDef[] = [
  { path: 'dim', label: 'dimension', kind: 'int', optional: '1', help: 'the fitted covariance is full' },
  { path: 'm', label: 'samples per generation M', kind: 'int', help: 'each generation fits M samples of the previous fit' },
  { path: 'estimator', label: 'estimator', kind: 'select', options: ['mle', 'unbiased'], optional: 'mle', help: 'divide the scatter by M or by M − 1' },
  { path: 'sigma', label: 'true σ', kind: 'number', optional: '1', step: 'any', help: 'Σ = σ²I' },
];

const AMIN_ERM: FieldDef[] = [
  { path: 'dim', label: 'dimension', kind: 'int', optional: '1', help: 'dimension of the mean' },
  { path: 'n', label: 'samples per generation n', kind: 'int', help: 'natural and synthetic together' },
  { path: 'alpha', label: 'contamination rate α', kind: 'number', step: 'any', help: 'synthetic share of every generation after the first; α·n must be whole' },
  { path: 'sigma', label: 'σ', kind: 'number', optional: '1', step: 'any', help: 'standard deviation of every sample' },
];

const TOKENS: FieldDef[] = [
  { path: 'probs', label: 'true distribution P*', kind: 'json', help: 'JSON: {"kind":"given","values":[…]} or {"kind":"dirichlet","k":K,"alpha":1}' },
  { path: 'n0', label: 'tokens n₀', kind: 'int', help: 'tokens of generation 0, all from P*' },
  { path: 'n', label: 'tokens per generation n', kind: 'schedule', optional: 'n₀', help: 'a number, or a schedule as JSON' },
  { path: 'realFraction', label: 'real share α', kind: 'schedule', optional: '0', help: 'P*\'s share of each generation\'s mixture' },
];

const CURATION: FieldDef[] = [
  { path: 'probs', label: 'true distribution P*', kind: 'json', help: 'JSON: {"kind":"given","values":[…]} or {"kind":"dirichlet","k":V,"alpha":1}' },
  { path: 'reward', label: 'reward r (one curator)', kind: 'json', optional: 'none', when: (spec) => spec.curators === undefined, help: 'JSON list of V numbers, |r| ≤ 30; clear it to use curators' },
  { path: 'curators', label: 'curators', kind: 'json', optional: 'none', when: (spec) => spec.reward === undefined, help: 'JSON: [{"weight":0.6,"reward":[…]}, …], weights summing to 1; clear it to use one reward' },
  { path: 'candidates', label: 'candidates K', kind: 'int', help: 'draws from p̂ shown to the curator, who keeps one (≥ 2)' },
  { path: 'n', label: 'tokens per generation n', kind: 'int', help: 'fresh and curated together' },
  { path: 'realFraction', label: 'real share λ', kind: 'schedule', optional: '0', help: 'the share of each generation drawn fresh from P*' },
];

const MNIST_CVAE: FieldDef[] = [
  { path: 'hidden', label: 'CVAE hidden width H', kind: 'int', optional: '64', help: 'encoder and decoder hidden layer' },
  { path: 'latent', label: 'latent dimension d_z', kind: 'int', optional: '8', help: 'the CVAE\'s latent code' },
  { path: 'n', label: 'kept images per round n', kind: 'schedule', help: 'images the next CVAE trains on (a multiple of 10), or a schedule as JSON' },
  { path: 'steps', label: 'training steps', kind: 'int', help: 'Adam steps per round, from scratch' },
  { path: 'chunk', label: 'verifier chunk', kind: 'int', help: 'candidates per class ranked at once; keepFraction × chunk are kept' },
  { path: 'verifier.steps', label: 'verifier steps', kind: 'int', optional: '200', help: 'training steps of the discriminator-verifier each round' },
];

const BY_MODEL: Record<string, FieldDef[]> = {
  linear: LINEAR,
  'yi-grid': YI_GRID,
  'gmm-selection': GMM,
  gaussian: GAUSSIAN,
  'amin-erm': AMIN_ERM,
  categorical: TOKENS,
  bigram: TOKENS,
  curation: CURATION,
  'mnist-cvae': MNIST_CVAE,
};

/** The form's fields for this model (yi-grid is one round: no generations field). */
export function fieldsFor(model: string): FieldDef[] {
  const common = model === 'yi-grid' ? COMMON.filter((f) => f.path !== 'generations') : COMMON;
  return [...(BY_MODEL[model] ?? []), ...common];
}

export function getPath(spec: unknown, path: string): unknown {
  let value = spec;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A copy of `spec` with `path` set to `value` (undefined: removed). */
export function withPath(spec: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(spec);
  const keys = path.split('.');
  let container = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) {
    if (container[key] === null || typeof container[key] !== 'object') container[key] = {};
    container = container[key] as Record<string, unknown>;
  }
  const last = keys.at(-1)!;
  if (value === undefined) delete container[last];
  else container[last] = value;
  return copy;
}

/** The text a control shows for a value. */
export function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The spec value a control's text stands for: numbers where they parse, JSON for schedules and
 * objects, undefined for a blank optional field. Text that does not parse is kept as text, so
 * the spec's validation names the field and what it expected.
 */
export function fieldValue(def: FieldDef, text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return def.optional !== undefined ? undefined : '';
  switch (def.kind) {
    case 'int':
    case 'number':
      return Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
    case 'schedule':
    case 'json':
      if (Number.isFinite(Number(trimmed))) return Number(trimmed);
      try {
        return JSON.parse(trimmed);
      } catch {
        return trimmed;
      }
    case 'text':
      // A seed that looks like a number is that number (42 and "42" name the same streams).
      return def.path === 'seed' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
    case 'select':
      return trimmed;
  }
}

/** Sets one control's value into the spec; a `kind` select replaces its object with that kind's defaults. */
export function applyField(spec: Record<string, unknown>, def: FieldDef, text: string): Record<string, unknown> {
  const kindMatch = /^(\w+)\.kind$/.exec(def.path);
  if (kindMatch && KIND_DEFAULTS[kindMatch[1]]) {
    const current = getPath(spec, def.path) ?? 'none';
    if (current === text) return spec;
    return withPath(spec, kindMatch[1], structuredClone(KIND_DEFAULTS[kindMatch[1]][text] ?? { kind: text }));
  }
  let next = withPath(spec, def.path, fieldValue(def, text));
  // Leaving mixture mode: a real fraction would be an error there.
  if (def.path === 'mode' && spec.model === 'linear' && text !== 'mixture') next = withPath(next, 'realFraction', undefined);
  return next;
}
