/**
 * The parameters the page's form edits: each model's own (its view, src/models/<model>/view.ts) and
 * the run's, as dotted paths into the spec as written. Anything else (spectrum, θ*, a schedule's
 * shape, …) is edited in the spec's JSON.
 */
import type { FormField } from '../../src/core/engine/view.js';
import { MODELS } from '../../src/models/index.js';

export type FieldDef = FormField;

const COMMON: FieldDef[] = [
  { path: 'generations', label: 'generations T', kind: 'int', help: 'retraining rounds after generation 0' },
  { path: 'replicates', label: 'replicates R', kind: 'int', help: 'independent runs of the whole loop; SE shrinks as 1/√R' },
  { path: 'seed', label: 'seed', kind: 'text', help: 'names the random streams: same seed, same numbers' },
  { path: 'backend', label: 'backend', kind: 'select', options: ['auto', 'webgpu', 'cpu'], optional: 'auto', help: 'auto: WebGPU, else the float64 CPU twin' },
];

/** The form's fields for this model (a one-round model has no generations field). */
export function fieldsFor(model: string): FieldDef[] {
  const view = MODELS[model]?.view;
  const common = view?.oneRound ? COMMON.filter((f) => f.path !== 'generations') : COMMON;
  return [...(view?.form ?? []), ...common];
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

/**
 * Sets one control's value into the spec; a `kind` select replaces its object with that kind's
 * defaults. Fields the new spec hides (`when`) leave it: they would be errors there (linear's real
 * fraction outside mixture mode).
 */
export function applyField(spec: Record<string, unknown>, def: FieldDef, text: string): Record<string, unknown> {
  const model = String(spec.model);
  const kindMatch = /^(\w+)\.kind$/.exec(def.path);
  const kinds = kindMatch ? MODELS[model]?.view.kindDefaults?.[kindMatch[1]] : undefined;
  if (kindMatch && kinds) {
    const current = getPath(spec, def.path) ?? 'none';
    if (current === text) return spec;
    return withPath(spec, kindMatch[1], structuredClone(kinds[text] ?? { kind: text }));
  }
  let next = withPath(spec, def.path, fieldValue(def, text));
  for (const hidden of fieldsFor(model).filter((f) => f.when && !f.when(next) && getPath(next, f.path) !== undefined)) {
    next = withPath(next, hidden.path, undefined);
  }
  return next;
}
