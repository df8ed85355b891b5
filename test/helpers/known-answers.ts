// Random123's published known-answer vectors (kat_vectors): counter, key → output.
import type { Generator } from '../../src/core/random/address.js';

export interface KnownAnswer { generator: Generator; counter: number[]; key: number[]; expected: number[] }

const hex = (s: string) => s.trim().split(/\s+/).map((w) => parseInt(w, 16));

export const KNOWN_ANSWERS: KnownAnswer[] = [
  ['philox4x32-10', '00000000 00000000 00000000 00000000', '00000000 00000000', '6627e8d5 e169c58d bc57ac4c 9b00dbd8'],
  ['philox4x32-10', 'ffffffff ffffffff ffffffff ffffffff', 'ffffffff ffffffff', '408f276d 41c83b0e a20bc7c6 6d5451fd'],
  ['philox4x32-10', '243f6a88 85a308d3 13198a2e 03707344', 'a4093822 299f31d0', 'd16cfe09 94fdcceb 5001e420 24126ea1'],
  ['threefry4x32-20', '00000000 00000000 00000000 00000000', '00000000 00000000 00000000 00000000', '9c6ca96a e17eae66 fc10ecd4 5256a7d8'],
  ['threefry4x32-20', 'ffffffff ffffffff ffffffff ffffffff', 'ffffffff ffffffff ffffffff ffffffff', '2a881696 57012287 f6c7446e a16a6732'],
  ['threefry4x32-20', '243f6a88 85a308d3 13198a2e 03707344', 'a4093822 299f31d0 082efa98 ec4e6c89', '59cd1dbb b8879579 86b5d00c ac8b6d84'],
].map(([generator, counter, key, expected]) => ({ generator: generator as Generator, counter: hex(counter), key: hex(key), expected: hex(expected) }));
