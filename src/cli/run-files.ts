// The files `synthloop run` leaves for later — shard results (--shard, read by `merge`) and
// checkpoints (--checkpoint, read by --resume) — as JSON in which typed arrays (sums,
// snapshots) are stored exactly, as base64 of their bytes. Written atomically: a temporary
// file renamed over the target, so a run killed at any moment leaves the previous complete file.
import { renameSync, writeFileSync } from 'node:fs';
import { readJsonFile } from './input-file.js';
import type { Checkpoint } from '../core/engine/run.js';
import type { ShardOutput } from '../core/engine/shard.js';

const TYPED_ARRAYS = { Float32Array, Float64Array, Uint32Array, Uint8Array } as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

export const FILE_VERSION = 1;
/** Largest shard or checkpoint file read: about what one JavaScript string can hold. */
const MAX_RUN_FILE_BYTES = 512 * 2 ** 20;

/** What each kind of file holds, beside `source`: the preset or spec file the run was started from. */
export interface RunFiles {
  shard: ShardOutput;
  checkpoint: Checkpoint;
}
export type RunFile<K extends keyof RunFiles> = RunFiles[K] & { synthloop: K; version: number; source: string };

function encode(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && value.constructor.name in TYPED_ARRAYS) {
    return { $typed: value.constructor.name, base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  }
  return value;
}

function decode(_key: string, value: unknown): unknown {
  const typed = value as { $typed?: string; base64?: string } | null;
  if (typed && typeof typed.$typed === 'string' && typed.$typed in TYPED_ARRAYS && typeof typed.base64 === 'string') {
    const bytes = Uint8Array.from(Buffer.from(typed.base64, 'base64')); // a copy, aligned for any element size
    return new TYPED_ARRAYS[typed.$typed as TypedArrayName](bytes.buffer);
  }
  return value;
}

/** A shard or checkpoint file's text. */
export function runFileText<K extends keyof RunFiles>(kind: K, source: string, content: RunFiles[K]): string {
  return JSON.stringify({ synthloop: kind, version: FILE_VERSION, source, ...content }, encode) + '\n';
}

/** Writes a file as a whole or not at all: a temporary file beside it, renamed over it. */
export function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** Reads a file `runFileText` wrote; throws a RangeError naming the file when it is not one of `kind`. */
export function readRunFile<K extends keyof RunFiles>(file: string, kind: K): RunFile<K> {
  const content = readJsonFile(file, `synthloop ${kind} file`, MAX_RUN_FILE_BYTES, decode) as RunFile<K>;
  if (content?.synthloop !== kind || content.version !== FILE_VERSION) {
    const found = content?.synthloop ? `a ${content.synthloop} file, version ${content.version}` : 'not a synthloop file';
    throw new RangeError(`${file}: not a synthloop ${kind} file of version ${FILE_VERSION} (${found})`);
  }
  return content;
}
