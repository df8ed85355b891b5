/**
 * Float64 twin of `shaders/random.wgsl`: the same 32-bit words, bit for bit, and the
 * same uniform and Box–Muller transforms evaluated in float64.
 */
import { ENGINE_GENERATOR, type Generator, type Key } from '../random/address.js';

/** Four 32-bit words (unsigned). */
export type Words4 = [number, number, number, number];

// Philox4x32 constants (Salmon et al. 2011, Random123).
const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product a·b, from 16-bit halves exactly as the WGSL does. */
function mulhi32(a: number, b: number): number {
  const aH = a >>> 16, aL = a & 0xffff, bH = b >>> 16, bL = b & 0xffff;
  const low = aL * bL;
  const cross1 = aH * bL;
  const cross2 = aL * bH;
  const mid = (low >>> 16) + (cross1 & 0xffff) + (cross2 & 0xffff);
  return (aH * bH + Math.floor(cross1 / 65536) + Math.floor(cross2 / 65536) + Math.floor(mid / 65536)) >>> 0;
}

export function philox4x32_10(ctr: readonly number[], key: readonly number[]): Words4 {
  let [x0, x1, x2, x3] = ctr.map((v) => v >>> 0);
  let k0 = key[0] >>> 0, k1 = key[1] >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi32(PHILOX_M0, x0), lo0 = Math.imul(PHILOX_M0, x0) >>> 0;
    const hi1 = mulhi32(PHILOX_M1, x2), lo1 = Math.imul(PHILOX_M1, x2) >>> 0;
    [x0, x1, x2, x3] = [(hi1 ^ x1 ^ k0) >>> 0, lo1, (hi0 ^ x3 ^ k1) >>> 0, lo0];
    k0 = (k0 + PHILOX_W0) >>> 0;
    k1 = (k1 + PHILOX_W1) >>> 0;
  }
  return [x0, x1, x2, x3];
}

// Threefry4x32 rotation constants R_32x4 (Salmon et al. 2011, Random123), flattened:
// round r rotates by THREEFRY_ROTATIONS[2·(r mod 8)] and [2·(r mod 8) + 1].
const THREEFRY_ROTATIONS = [10, 26, 11, 21, 13, 27, 23, 5, 6, 20, 17, 11, 25, 10, 18, 20];
const SKEIN_KS_PARITY32 = 0x1bd11bda;

// Scalar locals rather than arrays: this loop is the twin's hot path.
export function threefry4x32_20(ctr: readonly number[], key: readonly number[]): Words4 {
  const k0 = key[0] >>> 0, k1 = key[1] >>> 0, k2 = key[2] >>> 0, k3 = key[3] >>> 0;
  const ks = [k0, k1, k2, k3, (SKEIN_KS_PARITY32 ^ k0 ^ k1 ^ k2 ^ k3) >>> 0];
  let x0 = (ctr[0] + k0) | 0, x1 = (ctr[1] + k1) | 0, x2 = (ctr[2] + k2) | 0, x3 = (ctr[3] + k3) | 0;
  for (let round = 0; round < 20; round++) {
    const ra = THREEFRY_ROTATIONS[(round & 7) * 2], rb = THREEFRY_ROTATIONS[(round & 7) * 2 + 1];
    if ((round & 1) === 0) {
      x0 = (x0 + x1) | 0; x1 = ((x1 << ra) | (x1 >>> (32 - ra))) ^ x0;
      x2 = (x2 + x3) | 0; x3 = ((x3 << rb) | (x3 >>> (32 - rb))) ^ x2;
    } else {
      x0 = (x0 + x3) | 0; x3 = ((x3 << ra) | (x3 >>> (32 - ra))) ^ x0;
      x2 = (x2 + x1) | 0; x1 = ((x1 << rb) | (x1 >>> (32 - rb))) ^ x2;
    }
    if ((round & 3) === 3) {
      const s = (round + 1) >> 2;
      x0 = (x0 + ks[s % 5]) | 0; x1 = (x1 + ks[(s + 1) % 5]) | 0;
      x2 = (x2 + ks[(s + 2) % 5]) | 0; x3 = (x3 + ks[(s + 3) % 5] + s) | 0;
    }
  }
  return [x0 >>> 0, x1 >>> 0, x2 >>> 0, x3 >>> 0];
}

/** The four words at one address; `generator` defaults to the engine's. */
export function randomWords(
  key: Key, replicate: number, generation: number, stream: number, index: number,
  generator: Generator = ENGINE_GENERATOR,
): Words4 {
  const ctr = [replicate, generation, stream, index];
  return generator === 'philox4x32-10'
    ? philox4x32_10(ctr, key)
    : threefry4x32_20(ctr, [key[0], key[1], 0, 0]);
}

/**
 * A word's top 23 bits as a uniform in the open interval (0, 1): (k + ½)·2⁻²³.
 * Every value is exactly representable in f32, so GPU and twin see the same number.
 */
export function uniformOpen01(word: number): number {
  return ((word >>> 9) + 0.5) * 2 ** -23;
}

/**
 * Box–Muller on two words. The angle is taken in [−π, π), where WGSL's sin/cos carry
 * their accuracy guarantee, so the twin uses the same angle.
 */
export function boxMuller(w0: number, w1: number): [number, number] {
  const radius = Math.sqrt(-2 * Math.log(uniformOpen01(w0)));
  const angle = 2 * Math.PI * (uniformOpen01(w1) - 0.5);
  const c = Math.cos(angle), s = Math.sin(angle);
  // As the WGSL does: (cos, sin) renormalised to unit length (in float64 a no-op to rounding).
  const scale = radius / Math.hypot(c, s);
  return [scale * c, scale * s];
}

/** Four standard normals from one address (two Box–Muller pairs). */
export function normals4(words: readonly number[]): Words4 {
  const [z0, z1] = boxMuller(words[0], words[1]);
  const [z2, z3] = boxMuller(words[2], words[3]);
  return [z0, z1, z2, z3];
}
