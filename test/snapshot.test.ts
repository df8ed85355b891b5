// Snapshots (src/core/engine/snapshot.ts): every model's stepper, on WebGPU and on the twin, stopped
// after generation t, its snapshot restored into a fresh stepper (of another chunking, where
// the model chunks) and continued, gives exactly the statistics of an uninterrupted run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import { experimentCells, modelOf, parseSpec } from '../src/models/index.js';
import type { Backend, StepperOptions } from '../src/core/engine/model.js';
import { workingPaths } from './helpers/adapters.js';
import { fixtureCases } from './helpers/fixtures.js';

const [fastest] = await workingPaths();

const CASES = fixtureCases('snapshot');

/** Every generation's statistics of every cell, from generation `from` on, of a stepper that may first restore a snapshot. */
async function statistics(spec: ReturnType<typeof parseSpec>, backend: Backend, options: StepperOptions, stopAfter?: number) {
  const model = modelOf(spec);
  const cells = experimentCells(spec).specs;
  const whole = await model.createStepper(cells, backend, options);
  const all = [];
  let snapshot;
  try {
    for (let t = 0; t <= spec.generations; t++) {
      all.push(await whole.step(t));
      if (t === stopAfter) snapshot = await whole.snapshot();
    }
  } finally {
    whole.destroy();
  }
  return { all, snapshot };
}

describe.each([['cpu'], ['webgpu']] as const)('snapshot, restore, continue ≡ uninterrupted (%s)', (kind) => {
  let gpu: GpuContext | undefined;
  let backend: Backend;
  beforeAll(async () => {
    if (kind === 'webgpu') gpu = await acquireDevice({ adapter: fastest });
    backend = gpu ? { kind: 'webgpu', gpu } : { kind: 'cpu' };
  });
  afterAll(() => gpu?.device.destroy());

  it.each(CASES)('%s', async (_name, fields) => {
    const spec = parseSpec(fields);
    const stopAfter = Math.min(1, spec.generations);
    const { all, snapshot } = await statistics(spec, backend, {}, stopAfter);
    // The continuation chunks its replicates otherwise (256 at a time, or whole cells).
    const chunkReplicates = spec.sweep ? spec.replicates : 256;
    const resumed = await modelOf(spec).createStepper(experimentCells(spec).specs, backend, { chunkReplicates });
    try {
      await resumed.restore(snapshot!, stopAfter);
      for (let t = stopAfter + 1; t <= spec.generations; t++) expect(await resumed.step(t), `generation ${t}`).toEqual(all[t]);
    } finally {
      resumed.destroy();
    }
  });

  it('a snapshot of another run is refused, naming what does not fit', async () => {
    const spec = parseSpec(CASES[0][1]);
    const { snapshot } = await statistics({ ...spec, replicates: 300, generations: 0 }, backend, {}, 0);
    const stepper = await modelOf(spec).createStepper(experimentCells(spec).specs, backend, {});
    try {
      await expect(stepper.restore(snapshot!, 0)).rejects.toThrow(/^snapshot: ".+" must be a \w+ of \d+ \(this run's state\), got \w+ of \d+/);
    } finally {
      stepper.destroy();
    }
  });
});
