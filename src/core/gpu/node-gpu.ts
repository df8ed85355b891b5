/**
 * Adapters in Node through Dawn's `webgpu` bindings.
 *
 * - hardware: Dawn's default backends, accepted only if the adapter is not a software one.
 * - llvmpipe: Dawn's OpenGL backend on Mesa llvmpipe at the compatibility feature level
 *   (headless through EGL's surfaceless platform). The fastest software path.
 * - swiftshader: Dawn's Vulkan backend on SwiftShader, whose ICD ships with Debian's
 *   chromium; it is added to the Vulkan loader's driver list, not put in place of it.
 * Dawn's `null` backend is never used: its adapters accept kernels that never run.
 */
import { existsSync } from 'node:fs';
import type { AdapterPath, AdapterSource } from '../adapter.js';

/** Where SwiftShader's Vulkan ICD may be; SYNTHLOOP_SWIFTSHADER_ICD overrides. */
const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|warp|basic render/i;

type DawnCreate = (options: string[]) => GPU;

let dawn: Promise<DawnCreate> | undefined;
const instances = new Map<string, GPU>();

export function swiftshaderIcd(): string | undefined {
  const override = process.env.SYNTHLOOP_SWIFTSHADER_ICD;
  if (override) return existsSync(override) ? override : undefined;
  return SWIFTSHADER_ICDS.find((file) => existsSync(file));
}

/** Loads Dawn once, after the environment its loaders read at start-up is in place. */
function loadDawn(): Promise<DawnCreate> {
  dawn ??= (async () => {
    const icd = swiftshaderIcd();
    if (icd) {
      const added = process.env.VK_ADD_DRIVER_FILES;
      if (!added?.split(':').includes(icd)) process.env.VK_ADD_DRIVER_FILES = added ? `${added}:${icd}` : icd;
    }
    // Without a display, Mesa's EGL must use the surfaceless platform.
    process.env.EGL_PLATFORM ??= 'surfaceless';
    const webgpu = await import('webgpu');
    Object.assign(globalThis, webgpu.globals);
    return webgpu.create as DawnCreate;
  })();
  return dawn;
}

async function instance(options: string[]): Promise<GPU> {
  const key = options.join(' ');
  let gpu = instances.get(key);
  if (!gpu) {
    gpu = (await loadDawn())(options);
    instances.set(key, gpu);
  }
  return gpu;
}

function describe(adapter: GPUAdapter): string {
  return `${adapter.info.description || adapter.info.device} (${adapter.info.vendor || 'unknown vendor'})`;
}

async function requestAdapter(path: AdapterPath): Promise<GPUAdapter> {
  switch (path) {
    case 'hardware': {
      const adapter = await (await instance([])).requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter) throw new Error('no hardware adapter found by Dawn');
      if (adapter.info.isFallbackAdapter || SOFTWARE_ADAPTER.test(`${adapter.info.description} ${adapter.info.device} ${adapter.info.architecture}`)) {
        throw new Error(`the default adapter is a software one: ${describe(adapter)}`);
      }
      return adapter;
    }
    case 'llvmpipe': {
      const adapter = await (await instance(['backend=opengl'])).requestAdapter({ featureLevel: 'compatibility' });
      if (!adapter) throw new Error('no OpenGL adapter (needs Mesa: libegl1 libgl1-mesa-dri)');
      return adapter;
    }
    case 'swiftshader': {
      if (!swiftshaderIcd()) throw new Error('SwiftShader ICD not found (needs chromium: /usr/lib/chromium/vk_swiftshader_icd.json)');
      const adapter = await (await instance(['backend=vulkan'])).requestAdapter({ forceFallbackAdapter: true });
      if (!adapter || !/swiftshader/i.test(`${adapter.info.architecture} ${adapter.info.description}`)) {
        throw new Error('Vulkan found no SwiftShader adapter');
      }
      return adapter;
    }
    case 'browser':
      throw new Error('the browser path exists only in a page');
  }
}

export function nodeAdapterSource(): AdapterSource {
  return { requestAdapter };
}
