/**
 * Where a spec comes from (a preset or a JSON file) and `--set path=value` edits to it.
 * Problems are SpecErrors, so the CLI reports them like any invalid field.
 */
import { readFileSync } from 'node:fs';
import { SpecError, describeValue } from './errors.js';
import { PRESETS } from './presets.js';
import { didYouMean } from './suggest.js';

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
    if (i === keys.length - 1) slot[key] = parseSetValue(value);
    else container = slot[key] ??= isIndex(keys[i + 1]) ? [] : {};
  }
  return root;
}

/** A preset's spec (a copy), or the parsed contents of a JSON file. */
export function loadSpecSource(nameOrPath: string): unknown {
  const preset = PRESETS[nameOrPath];
  if (preset) return structuredClone(preset.spec);
  let text: string;
  try {
    text = readFileSync(nameOrPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !/[\\/]|\.json$/i.test(nameOrPath)) {
      const presets = Object.keys(PRESETS);
      throw new SpecError([{ path: nameOrPath, message: `not a preset or a spec file${didYouMean(nameOrPath, presets)}; presets: ${presets.join(', ')}` }]);
    }
    throw new SpecError([{ path: nameOrPath, message: `cannot read spec file: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}` }]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SpecError([{ path: nameOrPath, message: `malformed JSON: ${(error as Error).message}` }]);
  }
}
