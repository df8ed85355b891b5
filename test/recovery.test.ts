// A lost GPU device mid-run (src/core/engine/run.ts): the run acquires a new device on the same
// adapter path, restores the last completed generation's snapshot into a new stepper and goes
// on, with the output of an uninterrupted run and a notice; it gives up after
// MAX_DEVICE_RECOVERIES losses, with a clear error. The devices are really destroyed.
import { describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import { type GpuContext } from '../src/core/adapter.js';
import { MAX_DEVICE_RECOVERIES } from '../src/core/engine/run.js';
import { runExperiment, parseSpec } from '../src/models/index.js';
import { workingPaths } from './helpers/adapters.js';
import { fixtureCases } from './helpers/fixtures.js';

const [fastest] = await workingPaths();

const SPECS = fixtureCases('recovery');

/** The generations of a result, whatever its shape (cells of a sweep, or one). */
const statistics = (result: Awaited<ReturnType<typeof runExperiment>>) => result.cells?.map((cell) => cell.generations) ?? [result.generations];

describe(`a device lost mid-run on ${fastest}`, () => {
  it.each(SPECS)('%s: destroyed after generation 1, re-acquired, output identical to an uninterrupted run', async (_name, fields) => {
    const spec = parseSpec({ ...fields, backend: 'webgpu' });
    const uninterrupted = await runExperiment(spec, { adapter: fastest });
    const devices: GpuContext[] = [];
    let destroyed = false;
    const recovered = await runExperiment(spec, {
      adapter: fastest,
      onDevice: (gpu) => devices.push(gpu),
      onGeneration: (stats) => {
        if (stats.t === 1 && !destroyed) {
          destroyed = true;
          devices[0].device.destroy();
        }
      },
    });
    expect(devices).toHaveLength(2);
    expect(devices.map((gpu) => gpu.adapter.path)).toEqual([fastest, fastest]);
    expect(statistics(recovered)).toEqual(statistics(uninterrupted));
    expect(recovered.notices).toEqual([expect.stringMatching(/^device lost \(destroyed.*\) at generation 2, re-acquired, resumed$/)]);
    // The replacement was the run's own: destroyed when it ended.
    expect((await devices[1].device.lost).reason).toBe('destroyed');
  });

  it('a caller\'s device lost: the run goes on on its own device, and leaves the caller\'s alone', async () => {
    const spec = parseSpec({ ...SPECS[0][1], backend: 'webgpu' });
    const gpu = await acquireDevice({ adapter: fastest });
    const uninterrupted = await runExperiment(spec, { gpu });
    const replacements: GpuContext[] = [];
    const recovered = await runExperiment(spec, {
      gpu,
      onDevice: (replacement) => replacements.push(replacement),
      onGeneration: (stats) => { if (stats.t === 2) gpu.device.destroy(); },
    });
    expect(replacements).toHaveLength(1);
    expect(statistics(recovered)).toEqual(statistics(uninterrupted));
    expect(recovered.notices).toEqual([expect.stringMatching(/at generation 3, re-acquired, resumed$/)]);
  });

  it(`gives up after ${MAX_DEVICE_RECOVERIES} recoveries, saying why`, async () => {
    const spec = parseSpec({ ...SPECS[1][1], generations: 8, backend: 'webgpu' });
    let current: GpuContext | undefined;
    const run = runExperiment(spec, {
      adapter: fastest,
      onDevice: (gpu) => { current = gpu; },
      onGeneration: () => current!.device.destroy(),
    });
    await expect(run).rejects.toThrow(new RegExp(`^the GPU failed ${MAX_DEVICE_RECOVERIES + 1} times, the last: device lost \\(destroyed.*\\) at generation ${MAX_DEVICE_RECOVERIES + 1}; giving up$`));
  });

  it('without recovery, a lost device fails the run at once, saying so', async () => {
    const spec = parseSpec({ ...SPECS[1][1], backend: 'webgpu' });
    let current: GpuContext | undefined;
    const run = runExperiment(spec, {
      adapter: fastest,
      recover: false,
      onDevice: (gpu) => { current = gpu; },
      onGeneration: (stats) => { if (stats.t === 1) current!.device.destroy(); },
    });
    await expect(run).rejects.toThrow(/^the GPU failed: device lost \(destroyed.*\) at generation 2$/);
  });
});
