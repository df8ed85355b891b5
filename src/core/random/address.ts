/**
 * Addressing of random words, shared by the WebGPU kernels and the float64 twin.
 *
 * A random word is never "consumed": it is computed from a key and a counter,
 *   words = generator(key = seed → 64 bits, counter = (replicate, generation, stream, index)),
 * so any replicate's any draw can be recomputed anywhere. Chunking, sharding, resuming
 * and the CPU twin all follow from this, and sweep cells share common random numbers
 * because the cell is not part of the counter.
 */
import seedrandom from 'seedrandom';

/** The counter-based generators implemented in `shaders/random.wgsl` and `src/core/cpu/random.ts`. */
export type Generator = 'philox4x32-10' | 'threefry4x32-20';

export const GENERATORS: readonly Generator[] = ['philox4x32-10', 'threefry4x32-20'];

/**
 * The generator the engine uses. Chosen by measurement (bench/rng.ts, see bench/RESULTS.md):
 * WGSL has no 32×32→64 multiply, so Philox's two mulhi per round cost four 16-bit
 * multiplies each, while Threefry needs only add/rotate/xor.
 */
export const ENGINE_GENERATOR: Generator = 'threefry4x32-20';

/** A 64-bit key as two unsigned 32-bit words (low, high). */
export type Key = readonly [number, number];

/** What a word is for. Part of the counter, so purposes never share words. */
export const Stream = {
  /** Inputs x (through Σ^{1/2}). */
  inputs: 0,
  /** Label noise ε (real) or ε̃ (synthetic). */
  labelNoise: 1,
  /** Mixture coin: is this sample fresh real data? */
  realCoin: 2,
  /** Randomised verifier decisions. */
  verifierCoin: 3,
  /** Per-replicate draws that set up a run (θ*, verifier direction). */
  setup: 4,
  /** Test and benchmark draws; never used by an experiment. */
  diagnostics: 5,
} as const;
export type StreamName = keyof typeof Stream;

/** WGSL declarations of the stream ids, prepended to every kernel so both sides share one table. */
export function streamDeclarations(): string {
  return Object.entries(Stream)
    .map(([name, id]) => `const STREAM_${name.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase()}: u32 = ${id}u;`)
    .join('\n');
}

/** Largest value of one counter word. */
export const MAX_COUNTER_WORD = 0xffffffff;

/**
 * Derives the 64-bit key from the user's seed (a string or a number; numbers are used
 * through their decimal string so 42 and "42" name the same streams).
 */
export function keyFromSeed(seed: string | number): Key {
  if (typeof seed === 'number' && !Number.isFinite(seed)) {
    throw new RangeError(`seed: must be a finite number or a string, got ${seed}`);
  }
  const prng = seedrandom(String(seed));
  return [prng.int32() >>> 0, prng.int32() >>> 0];
}
