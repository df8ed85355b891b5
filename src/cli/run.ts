// `synthloop run`: load a preset or spec file, apply edits, validate, run, print. Or run one
// shard of it (--shard, for `synthloop merge`), checkpoint it (--checkpoint), or finish a
// checkpointed run (--resume).
import type { AdapterChoice } from '../core/adapter.js';
import { shardOutput, type Checkpoint } from '../core/engine/run.js';
import { runExperiment, parseSpec, type Spec, DEFAULT_PRESET } from '../models/index.js';
import { parseShard, shardRange, type Shard } from '../core/engine/shard.js';
import { loadSpecSource, setPath } from './spec-source.js';
import { SpecError } from '../core/spec/errors.js';
import { formatRun, type OutputFormat } from './format-run.js';
import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import { checkFolder, checkWritable, readRunFile, runFileText, writeAtomically } from './run-files.js';
import { samplesWriter } from './samples.js';
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
  /** `i/N`: run shard i of N of every cell's replicates and print its sums for `synthloop merge`. */
  shard?: string;
  /** Write what --resume needs to this file after every generation. */
  checkpoint?: string;
  /** Finish the run checkpointed in this file (checkpointing on into it, unless --checkpoint names another). */
  resume?: string;
  /** false (--no-recover): no per-generation snapshot, so a lost device ends the run. */
  recover?: boolean;
  /** The memory budget, e.g. 8GiB (default: half the machine's memory). */
  maxMemory?: string;
  /** Write the images the model draws after each generation to this folder, as <cell>-round-<t>.png (created if missing). */
  samplesOut?: string;
}

/** Exit status for a spec the user must fix, as for commander's usage errors (main.ts). */
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

/** What to run: a spec (and shard) from the command line, or everything from a checkpoint. */
interface RunRequest {
  source: string;
  spec: Spec;
  shard?: Shard;
  resume?: Checkpoint;
}

/** The run the options ask for; every problem with them is a SpecError or a RangeError. */
function runRequest(source: string | undefined, options: RunCommandOptions): RunRequest {
  if (options.resume) {
    const given = [source !== undefined && 'SPEC', options.set.length > 0 && '--set', ...SHORTHANDS.map((field) => options[field] !== undefined && `--${field}`),
      options.shard && '--shard', options.adapter && '--adapter'].filter(Boolean);
    if (given.length) throw new RangeError(`--resume: the spec, shard, backend and adapter come from the checkpoint; drop ${given.join(', ')}`);
    const checkpoint = readRunFile(options.resume, 'checkpoint');
    // Validated exactly as `run` validates a spec: a checkpoint is input like any other.
    let spec: Spec;
    try {
      spec = parseSpec(checkpoint.spec);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      throw new SpecError(error.issues.map((issue) => ({ ...issue, path: `${options.resume}: spec.${issue.path}` })));
    }
    // Its shape against the spec is checked by runExperiment before any work (refusals name this file).
    return { source: checkpoint.source, spec, shard: checkpoint.shard, resume: { ...checkpoint, spec } };
  }
  const spec = loadSpec(source ?? DEFAULT_PRESET, options);
  if (spec.backend === 'cpu' && options.adapter) throw new RangeError(`--adapter: names a WebGPU adapter, but the backend is cpu; drop --adapter or choose --backend webgpu`);
  const shard = options.shard === undefined ? undefined : parseShard(options.shard);
  if (shard) shardRange(spec, shard);
  return { source: source ?? DEFAULT_PRESET, spec, shard };
}

const UNITS: Record<string, number> = { '': 1, B: 1, K: 2 ** 10, KIB: 2 ** 10, M: 2 ** 20, MIB: 2 ** 20, G: 2 ** 30, GIB: 2 ** 30, T: 2 ** 40, TIB: 2 ** 40 };

/** The memory budget in bytes: `--max-memory` (a number with an optional unit, 8GiB), else half the machine's memory. */
export function memoryBudget(text: string | undefined): number {
  if (text === undefined) return Math.floor(totalmem() / 2);
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2].toUpperCase()] : undefined;
  if (!match || unit === undefined || Number(match[1]) * unit < 1) {
    throw new SpecError([{ path: '--max-memory', message: `must be a size such as 512MiB or 8GiB (a number of bytes, or with B, KiB, MiB, GiB or TiB), got ${JSON.stringify(text)}` }]);
  }
  return Math.floor(Number(match[1]) * unit);
}

/** Output paths checked before any work: writable, not a folder, and not one file for two purposes. */
function checkOutputs(options: RunCommandOptions): void {
  const checkpointFile = options.checkpoint ?? options.resume;
  if (options.out) checkWritable(options.out, '--out');
  if (options.checkpoint) checkWritable(options.checkpoint, '--checkpoint');
  if (options.samplesOut) checkFolder(options.samplesOut, '--samples-out');
  if (options.out && checkpointFile && resolve(options.out) === resolve(checkpointFile)) {
    throw new RangeError(`--out: ${options.out} is also the checkpoint file; the output would overwrite it`);
  }
}

/** The columns of the terminal the output goes to, if it goes to one (into a file or a pipe: no limit). */
export function terminalWidth(out: string | undefined): number | undefined {
  return !out && process.stdout.isTTY ? (process.stdout as { columns?: number }).columns : undefined;
}

/** The output, piece by piece: into `out` (whole, atomically: a killed run never leaves half of it, or not at all), else to stdout. */
export function writeOutput(text: string | Iterable<string>, out: string | undefined, quiet: boolean): void {
  if (out) {
    writeAtomically(out, text);
    if (!quiet) process.stderr.write(`wrote ${out}\n`);
  } else {
    for (const piece of typeof text === 'string' ? [text] : text) process.stdout.write(piece);
  }
}

export async function runCommand(sourceArgument: string | undefined, options: RunCommandOptions): Promise<number> {
  let request: RunRequest, budget: number;
  try {
    budget = memoryBudget(options.maxMemory);
    checkOutputs(options);
    request = runRequest(sourceArgument, options);
  } catch (error) {
    if (!(error instanceof SpecError) && !(error instanceof RangeError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return INVALID_SPEC_EXIT;
  }
  const { source, spec, shard, resume } = request;
  const checkpointFile = options.checkpoint ?? options.resume;
  const quiet = options.quiet === true;
  // A bar with elapsed time and ETA where a person watches stderr (a terminal), else nothing.
  const progress = quiet ? null : createProgress({ generations: spec.generations });
  const samples = options.samplesOut ? samplesWriter(options.samplesOut, spec) : undefined;
  let result;
  try {
    result = await runExperiment(spec, {
      memoryBudget: budget,
      adapter: options.adapter, onGeneration: (g) => progress?.update(g.t), shard, resume, recover: options.recover, onImage: samples?.onImage,
      onCheckpoint: checkpointFile ? (checkpoint) => writeAtomically(checkpointFile, runFileText('checkpoint', source, checkpoint)) : undefined,
    });
  } catch (error) {
    // Input the run refuses before its work: the memory plan (a SpecError), or a checkpoint that
    // does not fit its spec (a RangeError: its generations, or its snapshot when restored).
    if (!(error instanceof SpecError) && !(error instanceof RangeError)) throw error;
    process.stderr.write(`${resume ? `${options.resume}: ` : ''}${error.message}\n`);
    return INVALID_SPEC_EXIT;
  } finally {
    progress?.clear();
  }
  if (!quiet) for (const notice of result.notices) process.stderr.write(`note: ${notice}\n`);
  if (samples && !quiet) {
    process.stderr.write(samples.written()
      ? `wrote ${samples.written()} image(s) to ${options.samplesOut}\n`
      : `note: --samples-out: the ${spec.model} model draws no images; nothing was written to ${options.samplesOut}\n`);
  }
  const text = shard ? runFileText('shard', source, shardOutput(result)) : formatRun(result, options.format, source, terminalWidth(options.out));
  writeOutput(text, options.out, quiet);
  return 0;
}
