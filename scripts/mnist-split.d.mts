// Types of scripts/mnist-split.mjs, for the tests that import it.
export declare const CLASSES: 10;
export declare const IMAGE_PIXELS: 784;
export declare const MNIST_SPLIT_SEED: string;
export declare const EVALUATION_PER_CLASS: number;
export declare const SEED_PER_CLASS: number;
export interface DigitSplit {
  /** Each class's E images, count × 784, in shuffled order. */
  evaluation: Uint8Array[];
  /** Each class's V images, count × 784, in shuffled order (S is the first seedPerClass of each). */
  pool: Uint8Array[];
  seedPerClass: number;
}
export declare function readMnistPackage(from?: string | URL): Uint8Array[];
export declare function splitDigits(perClass: Uint8Array[], seed?: string): DigitSplit;
export declare function encodeDigitsPayload(split: DigitSplit): Uint8Array;
