/** The entry point for any experiment spec: dispatches on `model`. */
import { SpecError, describeValue, quotedList } from './errors.js';
import { parseLinearSpec, type ResolvedLinearSpec } from './linear.js';

/** A validated spec with every default filled (one model so far). */
export type Spec = ResolvedLinearSpec;

const PARSERS: Record<string, (input: unknown) => Spec> = { linear: parseLinearSpec };
export const MODELS = Object.keys(PARSERS);

/** Validates any spec; throws a SpecError listing every problem. */
export function parseSpec(input: unknown): Spec {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new SpecError([{ path: 'spec', message: `must be an object with a "model" field, got ${describeValue(input)}` }]);
  }
  const model = (input as { model?: unknown }).model;
  if (typeof model !== 'string' || !Object.hasOwn(PARSERS, model)) {
    throw new SpecError([{ path: 'model', message: `must be one of ${quotedList(MODELS)}, got ${describeValue(model)}` }]);
  }
  return PARSERS[model](input);
}
