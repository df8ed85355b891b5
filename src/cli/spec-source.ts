/**
 * Where a spec comes from (a preset or a JSON file) and `--set path=value` edits to it.
 * Problems are SpecErrors, so the CLI reports them like any invalid field.
 */
import { readFileSync } from 'node:fs';
import { SpecError } from '../core/spec/errors.js';
import { PRESETS } from '../models/index.js';
import { didYouMean } from '../core/spec/suggest.js';

export { parseSetValue, setPath } from '../core/spec/path.js';

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
