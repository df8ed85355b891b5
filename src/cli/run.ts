// `synthloop run`: load a preset or spec file, apply edits, validate, run, print.
import { writeFileSync } from 'node:fs';
import type { AdapterChoice } from '../gpu/device.js';
import { runExperiment } from '../engine/run.js';
import { loadSpecSource, setPath } from '../spec/edit.js';
import { SpecError } from '../spec/errors.js';
import { parseSpec, type Spec } from '../engine/experiment.js';
import { formatRun, type OutputFormat } from './format-run.js';
import { createProgress } from './progress.js';

export interface RunCommandOptions {
  /** `path=value` edits, applied in order. */
  set: string[];
  replicates?: string;
  generations?: string;
  seed?: string;
  backend?: string;
  adapter?: AdapterChoice;
  format: OutputFormat;
  out?: string;
  /** No progress line and no notes on stderr; errors still print. */
  quiet?: boolean;
}

/** Exit status for a spec the user must fix (commander's own usage errors exit 1). */
export const INVALID_SPEC_EXIT = 2;

/** The options that are shorthands for `--set field=value`, applied after the --set edits. */
const SHORTHANDS = ['replicates', 'generations', 'seed', 'backend'] as const;

function splitAssignment(assignment: string): [path: string, value: string] {
  const at = assignment.indexOf('=');
  if (at < 0) throw new SpecError([{ path: '--set', message: `must be path=value, got ${JSON.stringify(assignment)}` }]);
  return [assignment.slice(0, at), assignment.slice(at + 1)];
}

/**
 * The spec `synthloop run SOURCE [--set …] [shorthands]` runs: the preset or file, each edit in
 * order, then validation. Every problem is a SpecError.
 */
export function loadSpec(source: string, options: Pick<RunCommandOptions, 'set' | (typeof SHORTHANDS)[number]>): Spec {
  const edits = options.set.map(splitAssignment);
  for (const field of SHORTHANDS) {
    const value = options[field];
    if (value !== undefined) edits.push([field, value]);
  }
  return parseSpec(edits.reduce((spec, [path, value]) => setPath(spec, path, value), loadSpecSource(source)));
}

export async function runCommand(source: string, options: RunCommandOptions): Promise<number> {
  let spec: Spec;
  try {
    spec = loadSpec(source, options);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return INVALID_SPEC_EXIT;
  }
  const quiet = options.quiet === true;
  // A bar with elapsed time and ETA where a person watches stderr (a terminal), else nothing.
  const progress = quiet ? null : createProgress({ generations: spec.generations });
  let result;
  try {
    result = await runExperiment(spec, { adapter: options.adapter, onGeneration: (g) => progress?.update(g.t) });
  } finally {
    progress?.clear();
  }
  if (!quiet) for (const notice of result.notices) process.stderr.write(`note: ${notice}\n`);
  const text = formatRun(result, options.format, source);
  if (options.out) {
    writeFileSync(options.out, text);
    if (!quiet) process.stderr.write(`wrote ${options.out}\n`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
