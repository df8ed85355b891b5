/** The files under the package's assets/ folder that the mnist-cvae model reads. */
export type AssetName = 'mnist-digits.bin' | 'mnist-classifier.bin';
