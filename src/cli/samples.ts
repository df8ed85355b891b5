// `synthloop run --samples-out DIR`: the images a model draws after each generation (mnist-cvae: a
// digit grid per sweep cell), saved as DIR/<cell>-round-<t>.png. Models that draw none leave DIR
// empty, and the run says so.
import { PNG } from 'pngjs';
import { join } from 'node:path';
import type { GenerationImage } from '../core/engine/model.js';
import { experimentCells, type Spec } from '../models/index.js';
import { writeAtomically } from './run-files.js';

/** A sweep cell as a file name: `keepFraction-0.1`, `bias-0.1_radius-0.05`; `run` without a sweep. */
export function cellFileNames(spec: Spec): string[] {
  return experimentCells(spec).params.map((params) => {
    const parts = Object.entries(params).map(([path, value]) => `${path}-${String(value)}`);
    return parts.length ? parts.join('_').replace(/[^\w.+-]/g, '-') : 'run';
  });
}

/** A grayscale image as PNG bytes (8-bit gray, no alpha). */
export function encodeGrayPng(image: Pick<GenerationImage, 'width' | 'height' | 'gray'>): Buffer {
  const { width, height, gray } = image;
  if (gray.length !== width * height) throw new RangeError(`an image of ${width}×${height} needs ${width * height} values, got ${gray.length}`);
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  png.data = Buffer.from(gray.buffer, gray.byteOffset, gray.byteLength);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

/** Writes every image of a run into `dir` (which exists); `written` counts the files. */
export function samplesWriter(dir: string, spec: Spec): { onImage: (image: GenerationImage) => void; written: () => number } {
  const names = cellFileNames(spec);
  let count = 0;
  return {
    onImage(image) {
      // One image a cell a round today (name "digits"); another name would get its own suffix.
      const suffix = image.name === 'digits' ? '' : `-${image.name.replace(/[^\w.+-]/g, '-')}`;
      writeAtomically(join(dir, `${names[image.cell] ?? `cell-${image.cell}`}-round-${image.t}${suffix}.png`), encodeGrayPng(image));
      count++;
    },
    written: () => count,
  };
}
