/**
 * Editing a spec by dotted field path (`verifier.radius`, `theta.values.0`): `--set` on the
 * command line and the cells of a sweep. Problems are SpecErrors.
 */
import { SpecError, describeValue } from './errors.js';

type Container = Record<string, unknown> | unknown[];

const isContainer = (value: unknown): value is Container => value !== null && typeof value === 'object';
const isIndex = (key: string) => /^(0|[1-9]\d*)$/.test(key);

/** A --set value: JSON where it parses (`0.2`, `true`, `{"kind":"none"}`), else the text itself (`replace`). */
export function parseSetValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A deep copy of `spec` with the field at the dotted `path` set to `value` (parsed by
 * parseSetValue). Missing intermediate containers are created: arrays where the next key is an
 * index (`theta.values.0`), objects otherwise.
 */
export function setPath(spec: unknown, path: string, value: string): unknown {
  return setPathValue(spec, path, parseSetValue(value));
}

/** A deep copy of `spec` with the field at the dotted `path` set to `value` as it is. */
export function setPathValue(spec: unknown, path: string, value: unknown): unknown {
  const keys = path.split('.');
  // __proto__ and friends would edit Object.prototype instead of the spec.
  if (keys.some((key) => key === '' || key === '__proto__' || key === 'constructor' || key === 'prototype')) {
    throw new SpecError([{ path: path || '--set', message: 'is not a field path (use dotted names such as verifier.radius or theta.values.0)' }]);
  }
  const root: unknown = structuredClone(spec ?? {});
  let container = root;
  for (const [i, key] of keys.entries()) {
    if (!isContainer(container)) {
      throw new SpecError([{ path: keys.slice(0, i).join('.'), message: `cannot hold field "${key}", got ${describeValue(container)}` }]);
    }
    const slot = container as Record<string, unknown>;
    if (i === keys.length - 1) slot[key] = value;
    else container = slot[key] ??= isIndex(keys[i + 1]) ? [] : {};
  }
  return root;
}
