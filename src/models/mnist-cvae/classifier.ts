/**
 * The fixed evaluation classifier of the mnist-cvae experiment (assets/mnist-classifier.bin, written
 * by scripts/train-mnist-classifier.py): an MLP 784 → 256 (ReLU) → 128 (ReLU) → 10 (logits) trained
 * on the real pool V only, with dynamically binarised inputs (each pixel Bernoulli(pixel / 255)), for
 * binary images in {0, 1}. Its hidden features serve FID, its logits accuracy.
 *
 * Payload (inside the asset container, asset.ts), little-endian:
 *   u32 layer count L, u32[L + 1] layer sizes,
 *   float32 parameters: for each layer in order, W as [in][out] row-major (W[i * out + o]), then bias[out].
 */
import { loadOnce, openAsset, readAsset } from './asset.js';

export const CLASSIFIER_ASSET = 'mnist-classifier.bin';
export const CLASSIFIER_MAGIC = 'SLMLPCLS';
export const CLASSIFIER_VERSION = 1;

export interface ClassifierWeights {
  /** In order; each layer's W ([inputs][outputs] row-major) then its bias ([outputs]) follow in params. */
  layers: { inputs: number; outputs: number }[];
  params: Float32Array;
}

/** Where layer `index`'s weights and bias start in params. */
export function layerOffsets(weights: ClassifierWeights): { weights: number; bias: number }[] {
  let offset = 0;
  return weights.layers.map(({ inputs, outputs }) => {
    const at = { weights: offset, bias: offset + inputs * outputs };
    offset += inputs * outputs + outputs;
    return at;
  });
}

/** Reads assets/mnist-classifier.bin, given the whole file: verifies magic, version, sizes and digest. */
export async function parseClassifier(bytes: Uint8Array): Promise<ClassifierWeights> {
  const payload = await openAsset(CLASSIFIER_ASSET, bytes, CLASSIFIER_MAGIC, CLASSIFIER_VERSION);
  const fail = (why: string): never => {
    throw new Error(`assets/${CLASSIFIER_ASSET}: ${why}`);
  };
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (payload.length < 4) fail('payload too short for its layer count');
  const count = view.getUint32(0, true);
  if (count < 1 || count > 16 || payload.length < 4 * (count + 2)) fail(`${count} layers: not a layer count this payload can hold`);
  const sizes = Array.from({ length: count + 1 }, (_, i) => view.getUint32(4 + 4 * i, true));
  const layers = sizes.slice(0, -1).map((inputs, i) => ({ inputs, outputs: sizes[i + 1] }));
  const total = layers.reduce((n, { inputs, outputs }) => n + inputs * outputs + outputs, 0);
  const start = 4 * (count + 2);
  if (payload.length !== start + 4 * total) fail(`payload of ${payload.length} bytes, layers ${sizes.join(' → ')} need ${start + 4 * total}`);
  const params = new Float32Array(total);
  for (let i = 0; i < total; i++) params[i] = view.getFloat32(start + 4 * i, true);
  return { layers, params };
}

/** The classifier's weights, read once per process (page, worker) and kept; a failed read is not kept. */
export const loadClassifier: () => Promise<ClassifierWeights> = loadOnce(() => readAsset(CLASSIFIER_ASSET).then(parseClassifier));
