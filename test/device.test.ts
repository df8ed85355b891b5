// The device layer: a working adapter is chosen by preference, its kernels are seen to
// run, forced paths are honoured, and failures say what to install.
import { describe, expect, it } from 'vitest';
import { acquireDevice, checkKernelsRun, probeAdapters, NoAdapterError } from '../src/core/gpu/device.js';
import { ENGINE_LIMITS } from '../src/core/adapter.js';
import { gpuFill } from '../src/core/gpu/random.js';
import { randomWords } from '../src/core/cpu/random.js';
import { keyFromSeed } from '../src/core/random/address.js';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();

describe('acquireDevice', () => {
  it('auto picks the most preferred working path and its kernels run', async () => {
    const preferred = (['hardware', 'llvmpipe', 'swiftshader'] as const).find((p) => paths.includes(p));
    const { device, adapter } = await acquireDevice();
    try {
      expect(adapter.path).toBe(preferred);
      await checkKernelsRun(device);
      // A kernel whose output is compared word for word with the twin.
      const key = keyFromSeed('device');
      const words = await gpuFill(device, { key, replicate: 1, generation: 2, stream: 3, firstIndex: 4, count: 1000 }, 'words');
      expect([...words.slice(-4)]).toEqual(randomWords(key, 1, 2, 3, 4 + 999));
    } finally {
      device.destroy();
    }
  });

  it.each(paths)('forcing %s returns that path with the engine limits requested up to the adapter', async (path) => {
    const { device, adapter } = await acquireDevice({ adapter: path });
    try {
      expect(adapter.path).toBe(path);
      for (const name of ENGINE_LIMITS) {
        expect(device.limits[name]).toBe(adapter.limits[name]);
        expect(adapter.limits[name]).toBeGreaterThan(0);
      }
      if (path === 'llvmpipe') {
        expect(adapter.featureLevel).toBe('compatibility');
        expect(device.limits.maxComputeWorkgroupSizeX).toBeGreaterThan(256);
      }
      if (path === 'swiftshader') {
        expect(adapter.featureLevel).toBe('core');
        expect(adapter.isFallbackAdapter).toBe(true);
        expect(adapter.timestampQuery).toBe(true);
      }
    } finally {
      device.destroy();
    }
  });

  it('an unknown adapter choice names the allowed values', async () => {
    await expect(acquireDevice({ adapter: 'gpu0' as never })).rejects.toThrow(/adapter: must be one of auto, hardware, llvmpipe, swiftshader, browser, got "gpu0"/);
  });

  it('a path that does not work fails with what to install', async () => {
    const broken = (await probeAdapters()).find((p) => !p.ok);
    if (!broken) return expect(paths.length).toBe(3); // every path works here: nothing to provoke
    const error = await acquireDevice({ adapter: broken.path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoAdapterError);
    expect((error as Error).message).toMatch(new RegExp(`${broken.path}: .+`));
    expect((error as Error).message).toMatch(/apt-get install -y libegl1 libgl1-mesa-dri/);
  });
});
