/**
 * "Strategies side by side" for the linear model: the same problem run four ways — refit on
 * synthetic labels only, the same with a verifier, mixing in fresh real data, accumulating
 * all data — as four runs on the same seed (common random numbers across runs).
 */
export const STRATEGIES = ['replace', 'verifier', 'mixture', 'accumulate'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const STRATEGY_LABELS: Record<Strategy, string> = {
  replace: 'replace, no verifier',
  verifier: 'replace + verifier',
  mixture: 'mixture (fresh real data)',
  accumulate: 'accumulate',
};

/** The verifier a "verifier" strategy uses when the base spec has none (yi-verified's). */
export const DEFAULT_VERIFIER = { kind: 'ball', bias: 0.1, radius: 0.1, direction: 'ones' } as const;
/** Mixture's real fraction when the base spec gives none (the mixture preset's). */
export const DEFAULT_REAL_FRACTION = 0.2;

export function isStrategy(name: string): name is Strategy {
  return (STRATEGIES as readonly string[]).includes(name);
}

/** Parses `replace,verifier,…` (the element's `compare` attribute), keeping order and dropping repeats. */
export function parseStrategies(text: string | null | undefined): Strategy[] {
  if (!text) return [];
  const names = text.split(/[\s,]+/).filter(Boolean);
  const unknown = names.filter((n) => !isStrategy(n));
  if (unknown.length) throw new Error(`compare: unknown strategies ${unknown.join(', ')}; use ${STRATEGIES.join(', ')}`);
  return [...new Set(names as Strategy[])].slice(0, 4);
}

/** The base linear spec turned into one strategy (other fields as given). */
export function strategySpec(base: Record<string, unknown>, strategy: Strategy): Record<string, unknown> {
  const spec: Record<string, unknown> = structuredClone(base);
  const verifier = base.verifier as { kind?: string } | undefined;
  const realFraction = base.mode === 'mixture' ? base.realFraction : undefined;
  delete spec.realFraction;
  delete spec.schedule;
  spec.verifier = { kind: 'none' };
  switch (strategy) {
    case 'replace':
      spec.mode = 'replace';
      break;
    case 'verifier':
      spec.mode = 'replace';
      spec.verifier = verifier?.kind === 'ball' ? structuredClone(verifier) : { ...DEFAULT_VERIFIER };
      break;
    case 'mixture':
      spec.mode = 'mixture';
      spec.realFraction = realFraction ?? DEFAULT_REAL_FRACTION;
      break;
    case 'accumulate':
      spec.mode = 'accumulate';
      break;
  }
  return spec;
}

/**
 * Why a strategy cannot run a sweep (null if it can): a sweep over the verifier's fields needs a
 * verifier, one over realFraction needs mixture mode.
 */
export function strategySkipReason(spec: Record<string, unknown>, strategy: Strategy): string | null {
  const paths = Object.keys((spec.sweep as Record<string, unknown> | undefined) ?? {});
  const hasVerifier = (spec.verifier as { kind?: string } | undefined)?.kind === 'ball';
  const needsVerifier = paths.find((p) => p.startsWith('verifier.'));
  if (needsVerifier && !hasVerifier) return `${STRATEGY_LABELS[strategy]}: not run, it has no verifier to sweep ${needsVerifier} over`;
  if (paths.includes('realFraction') && spec.mode !== 'mixture') return `${STRATEGY_LABELS[strategy]}: not run, only mixture mode has a real fraction to sweep`;
  return null;
}
