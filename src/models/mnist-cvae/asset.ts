/**
 * The container both mnist-cvae assets share, read through one reader (#mnist-asset: the file in
 * Node, fetched in a page). All integers little-endian:
 *   bytes 0..7   magic (8 ASCII characters naming the content)
 *   u32          version of the content's layout
 *   u32          encoding of the body: 0 stored, 1 gzip
 *   u32          payload length in bytes (uncompressed)
 *   bytes 20..51 SHA-256 of the uncompressed payload
 *   body         the payload, gzip-compressed when the encoding says so
 * Writers: scripts/build-mnist-digits.mjs, scripts/train-mnist-classifier.py.
 */
import { readAsset } from '#mnist-asset';
import type { AssetName } from './asset-name.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex as hex } from '@noble/hashes/utils.js';

export type { AssetName } from './asset-name.js';
/** An asset's bytes: the file in Node, a fetch in a page or worker. */
export { readAsset };

export const ASSET_HEADER_BYTES = 52;
const STORED = 0;
const GZIP = 1;

/** The payload, decompressed by the platform's DecompressionStream (Node ≥ 18, browsers). */
async function gunzip(body: Uint8Array): Promise<Uint8Array> {
  const copy = new Uint8Array(body);
  const stream = new Blob([copy]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Checks an asset's header and digest and returns its payload; every refusal names the file. */
export async function openAsset(name: AssetName, bytes: Uint8Array, magic: string, version: number): Promise<Uint8Array> {
  const fail = (why: string): never => {
    throw new Error(`assets/${name}: ${why}`);
  };
  if (bytes.length < ASSET_HEADER_BYTES) fail(`${bytes.length} bytes, shorter than the ${ASSET_HEADER_BYTES}-byte header`);
  const found = String.fromCharCode(...bytes.subarray(0, 8));
  if (found !== magic) fail(`not a ${magic} file (magic ${JSON.stringify(found)})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fileVersion = view.getUint32(8, true);
  if (fileVersion !== version) fail(`layout version ${fileVersion}, this build reads version ${version}`);
  const encoding = view.getUint32(12, true);
  const length = view.getUint32(16, true);
  const body = bytes.subarray(ASSET_HEADER_BYTES);
  let payload: Uint8Array;
  if (encoding === STORED) payload = body;
  else if (encoding === GZIP) {
    try {
      payload = await gunzip(body);
    } catch (error) {
      return fail(`the gzip body does not decompress (${error instanceof Error ? error.message : String(error)}): the file is corrupt`);
    }
  } else return fail(`unknown body encoding ${encoding}`);
  if (payload.length !== length) fail(`payload of ${payload.length} bytes, the header says ${length}: the file is corrupt or truncated`);
  const expected = hex(bytes.subarray(20, ASSET_HEADER_BYTES));
  const actual = hex(sha256(payload));
  if (actual !== expected) fail(`SHA-256 of the payload is ${actual}, the header says ${expected}: the file is corrupt`);
  return payload;
}


/** `load`'s result, computed once per process (page, worker) and kept; a failed load is not kept. */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () => {
    cached ??= load().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}
