/**
 * Reading the JSON files a user hands the CLI (spec, shard and checkpoint files) strictly, before
 * anything trusts them: bounded size, valid UTF-8 (a Latin-1 file would otherwise decode to
 * U+FFFD and silently change a seed), bounded nesting (a deeply nested file would otherwise end
 * in a stack overflow). Each problem names the file and what is wrong.
 */
import { readFileSync, statSync } from 'node:fs';

/** Deepest nesting of arrays and objects accepted; specs need 4, run files 6. */
export const MAX_JSON_DEPTH = 64;

export class InputFileError extends RangeError {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'InputFileError';
  }
}

/** The deepest nesting of `text`'s arrays and objects, outside strings, stopping past `limit`. */
function nestingDepth(text: string, limit: number): number {
  let depth = 0, deepest = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      deepest = Math.max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** A JSON file's value, read strictly; `what` names the kind of file in messages, `maxBytes` bounds its size. */
export function readJsonFile(file: string, what: string, maxBytes: number, reviver?: (key: string, value: unknown) => unknown): unknown {
  return parseJsonText(file, readTextFile(file, what, maxBytes), reviver);
}

/** A text file's text: at most `maxBytes`, valid UTF-8. */
export function readTextFile(file: string, what: string, maxBytes: number): string {
  let size: number;
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) throw new InputFileError(file, 'is a directory, not a file');
    size = stats.size;
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputFileError(file, `cannot read ${what}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  if (size > maxBytes) throw new InputFileError(file, `is ${size} bytes, more than the ${maxBytes} a ${what} may have`);
  const bytes = readFileSync(file);
  const invalid = firstInvalidUtf8(bytes);
  if (invalid >= 0) throw new InputFileError(file, `is not valid UTF-8 (byte ${invalid}: 0x${bytes[invalid].toString(16)}); save it as UTF-8`);
  return new TextDecoder().decode(bytes);
}

/** JSON text's value, its nesting bounded; problems name `file`. */
export function parseJsonText(file: string, text: string, reviver?: (key: string, value: unknown) => unknown): unknown {
  if (nestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new InputFileError(file, `nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text, reviver);
  } catch (error) {
    throw new InputFileError(file, `malformed JSON: ${(error as Error).message}`);
  }
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    const [length, low, high] = b < 0x80 ? [1, 0, 0] : b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf]
      : b === 0xe0 ? [3, 0xa0, 0xbf] : b === 0xed ? [3, 0x80, 0x9f] : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf]
      : b === 0xf0 ? [4, 0x90, 0xbf] : b === 0xf4 ? [4, 0x80, 0x8f] : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf] : [0, 0, 0];
    if (length === 0) return i;
    // The second byte has a lead-dependent range (no overlongs, surrogates or code points past U+10FFFF).
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return -1;
}
