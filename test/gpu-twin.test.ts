// Every model, GPU ≡ twin replicate by replicate: each folder's gpuTwin fixtures run on every
// working adapter and on the float64 twin, stepped together, and after every generation every
// row of Stepper.replicateRows compared per replicate within the fixture's tolerance. Adding a
// model adds its cases here through its fixtures.ts; the per-model test files go deeper.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import type { GpuContext } from '../src/core/adapter.js';
import type { ReplicateRows } from '../src/core/engine/model.js';
import type { RowTolerance } from '../src/models/fixture.js';
import { experimentCells, MODELS, modelOf, parseSpec } from '../src/models/index.js';
import { workingPaths } from './helpers/adapters.js';
import { gpuTwinCases } from './helpers/fixtures.js';

const paths = await workingPaths();
const CASES = gpuTwinCases().map((c) => [c.name, c] as const);

/** Replicates whose row is farther from the twin's than the tolerance allows, and the largest relative distance. */
function compareRow(gpu: ArrayLike<number>, twin: ArrayLike<number>, replicates: number, { relative, floor = 0 }: RowTolerance) {
  const width = twin.length / replicates;
  let beyond = 0, largest = 0;
  for (let r = 0; r < replicates; r++) {
    let distance = 0, norm = 0;
    for (let j = r * width; j < (r + 1) * width; j++) {
      distance += (gpu[j] - twin[j]) ** 2;
      norm += twin[j] ** 2;
    }
    const scale = Math.max(Math.sqrt(norm), floor);
    const ratio = scale > 0 ? Math.sqrt(distance) / scale : Math.sqrt(distance) > 0 ? Infinity : 0;
    largest = Math.max(largest, ratio);
    if (Math.sqrt(distance) > relative * scale) beyond++;
  }
  return { beyond, largest };
}

describe.each(paths)('every model: GPU ≡ twin per replicate on %s', (path) => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: path }); });
  afterAll(() => gpu?.device.destroy());

  it('covers every registered model', () => {
    expect(Object.keys(MODELS).filter((m) => !CASES.some(([, c]) => c.spec.model === m))).toEqual([]);
  });

  it.each(CASES)('%s', async (_name, { spec: fields, rows: tolerances }) => {
    const spec = parseSpec(fields);
    const model = modelOf(spec);
    const cells = experimentCells(spec).specs;
    const replicates = cells.length * spec.replicates;
    const onGpu = await model.createStepper(cells, { kind: 'webgpu', gpu }, {});
    const onTwin = await model.createStepper(cells, { kind: 'cpu' }, {});
    try {
      for (let t = 0; t <= spec.generations; t++) {
        await onGpu.step(t);
        await onTwin.step(t);
        const [g, c]: ReplicateRows[] = [await onGpu.replicateRows(), await onTwin.replicateRows()];
        expect(Object.keys(g).sort(), 'rows').toEqual(Object.keys(tolerances).sort());
        for (const [row, tolerance] of Object.entries(tolerances)) {
          expect(g[row].length, `${row} length`).toBe(c[row].length);
          const { beyond, largest } = compareRow(g[row], c[row], replicates, tolerance);
          expect(beyond, `${row} at t = ${t}: replicates beyond ${tolerance.relative} (largest ${largest.toExponential(2)})`)
            .toBeLessThanOrEqual(Math.floor((tolerance.outliers ?? 0) * replicates));
        }
      }
    } finally {
      onGpu.destroy();
      onTwin.destroy();
    }
  });
});
