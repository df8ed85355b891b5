// The files `synthloop run` leaves for later — shard results (--shard, read by `merge`) and
// checkpoints (--checkpoint, read by --resume) — as JSON in which typed arrays (sums,
// snapshots) are stored exactly, as base64 of their bytes, with a SHA-256 digest of the rest so a
// damaged or edited file is refused. Written atomically: a temporary file renamed over the
// target, so a run killed at any moment leaves the previous complete file.
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseJsonText, readTextFile } from './input-file.js';
import type { Checkpoint } from '../core/engine/run.js';
import type { ShardOutput } from '../core/engine/shard.js';

const TYPED_ARRAYS = { Float32Array, Float64Array, Uint32Array, Uint8Array } as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

/** 2: files carry `digest`. */
export const FILE_VERSION = 2;
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

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A shard or checkpoint file's text: its content, then the SHA-256 of that content's JSON. */
export function runFileText<K extends keyof RunFiles>(kind: K, source: string, content: RunFiles[K]): string {
  const body = JSON.stringify({ synthloop: kind, version: FILE_VERSION, source, ...content }, encode);
  return `${body.slice(0, -1)},"digest":"${sha256(body)}"}\n`;
}

/**
 * Writes a file as a whole or not at all: a temporary file beside it (piece by piece, as they
 * come), renamed over it (removed if that fails).
 */
export function writeAtomically(file: string, text: string | Uint8Array | Iterable<string>): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    if (typeof text === 'string' || text instanceof Uint8Array) {
      writeFileSync(temporary, text);
    } else {
      const fd = openSync(temporary, 'w');
      try {
        for (const piece of text) writeSync(fd, piece);
      } finally {
        closeSync(fd);
      }
    }
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Refuses, before any work, an output path that cannot be written: `option` names the flag. */
export function checkWritable(file: string, option: string): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new RangeError(`${option}: ${file} is a directory; name a file`);
  const folder = dirname(resolve(file));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new RangeError(`${option}: ${file}: the folder ${folder} does not exist`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new RangeError(`${option}: ${file}: the folder ${folder} is not writable`);
  }
}

/**
 * Refuses, before any work, an output folder that cannot be written (`option` names the flag): a
 * path that exists and is not a folder, or one that cannot be created; a missing folder is created.
 */
export function checkFolder(dir: string, option: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new RangeError(`${option}: ${dir} exists and is not a directory; name a folder (created if missing)`);
  } else {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new RangeError(`${option}: ${dir}: the folder cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new RangeError(`${option}: the folder ${dir} is not writable`);
  }
}

/** Reads a file `runFileText` wrote; throws a RangeError naming the file when it is not one of `kind`. */
export function readRunFile<K extends keyof RunFiles>(file: string, kind: K): RunFile<K> {
  const text = readTextFile(file, `synthloop ${kind} file`, MAX_RUN_FILE_BYTES);
  const content = parseJsonText(file, text, decode) as RunFile<K> | null;
  if (content === null || typeof content !== 'object' || content.synthloop !== kind || content.version !== FILE_VERSION) {
    const found = content?.synthloop ? `a ${content.synthloop} file, version ${content.version}` : 'not a synthloop file';
    throw new RangeError(`${file}: not a synthloop ${kind} file of version ${FILE_VERSION} (${found})`);
  }
  // Checked on the text as written (runFileText): byte for byte, whatever JSON would also accept.
  const signed = /^(.*),"digest":"([0-9a-f]{64})"\}\n?$/s.exec(text);
  if (!signed || sha256(`${signed[1]}}`) !== signed[2]) {
    throw new RangeError(`${file}: its digest does not match its content: the file is damaged or was edited`);
  }
  delete (content as { digest?: string }).digest;
  return content;
}
