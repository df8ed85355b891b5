/**
 * Where a spec comes from (a preset or a JSON file) and `--set path=value` edits to it.
 * Problems are SpecErrors, so the CLI reports them like any invalid field.
 */
import { existsSync } from 'node:fs';
import { InputFileError, readJsonFile } from './input-file.js';
import { SpecError } from '../core/spec/errors.js';
import { PRESETS } from '../models/index.js';
import { didYouMean } from '../core/spec/suggest.js';

export { parseSetValue, setPath } from '../core/spec/path.js';

/** Largest spec file read: a spec with a long sweep list is a few kB. */
const MAX_SPEC_BYTES = 16 * 2 ** 20;

/** A preset's spec (a copy), or the parsed contents of a JSON file (read strictly: input-file.ts). */
export function loadSpecSource(nameOrPath: string): unknown {
  const preset = PRESETS[nameOrPath];
  if (preset) return structuredClone(preset.spec);
  if (!existsSync(nameOrPath) && !/[\\/]|\.json$/i.test(nameOrPath)) {
    const presets = Object.keys(PRESETS);
    throw new SpecError([{ path: nameOrPath, message: `not a preset or a spec file${didYouMean(nameOrPath, presets)}; presets: ${presets.join(', ')}` }]);
  }
  try {
    return readJsonFile(nameOrPath, 'spec file', MAX_SPEC_BYTES);
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    throw new SpecError([{ path: nameOrPath, message: error.message.slice(nameOrPath.length + 2) }]);
  }
}
