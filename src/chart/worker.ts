/**
 * Runs the engine off the page's main thread: one WebGPU device per worker, acquired once and
 * reused by every run; without one, runs with backend "auto" go to the float64 CPU twin.
 */
import { acquireDevice } from '../core/gpu/device.js';
import { type GpuContext } from '../core/adapter.js';
import { parseSpec, runExperiment } from '../models/index.js';
import { SpecError } from '../core/spec/errors.js';
import { NO_WEBGPU } from '../core/gpu/node-gpu.browser.js';
import { useAssetUrls } from '../models/mnist-cvae/mnist-asset.browser.js';
import type { BackendInfo, FromWorker, ToWorker } from './protocol.js';

const scope = self as unknown as { postMessage(message: FromWorker, transfer?: Transferable[]): void; onmessage: ((event: MessageEvent<ToWorker>) => void) | null };
const post = (message: FromWorker, transfer?: Transferable[]) => scope.postMessage(message, transfer);

let backend: Promise<{ info: BackendInfo; gpu?: GpuContext }> | undefined;

function acquire(): Promise<{ info: BackendInfo; gpu?: GpuContext }> {
  backend ??= (async () => {
    const gpuApi = (navigator as Navigator & { gpu?: GPU }).gpu;
    if (!gpuApi) return { info: { webgpu: false as const, reason: NO_WEBGPU } };
    try {
      const gpu = await acquireDevice({ adapter: 'browser' });
      // A lost device (driver reset, tab in background for long) is acquired again by the next run.
      void gpu.device.lost.then(() => { backend = undefined; });
      return { info: { webgpu: true as const, adapter: gpu.adapter }, gpu };
    } catch (error) {
      const message = (error as Error).message.replace(/^no working WebGPU adapter\.\s*/, '').split('\n')[0].trim();
      return { info: { webgpu: false as const, reason: message || String(error) } };
    }
  })();
  return backend;
}

const running = new Map<number, AbortController>();

async function run(id: number, input: unknown): Promise<void> {
  const controller = new AbortController();
  running.set(id, controller);
  try {
    let spec = parseSpec(input);
    const { info, gpu } = spec.backend === 'cpu' ? { info: undefined, gpu: undefined } : await acquire();
    // No adapter: "auto" means the twin; "webgpu" insists, and the engine's own attempt reports why it fails.
    if (info && !info.webgpu && spec.backend === 'webgpu') {
      throw new SpecError([{ path: 'backend', message: `is "webgpu", but this browser has no usable WebGPU (${info.reason}); choose "auto" or "cpu" to run on the CPU twin` }]);
    }
    const twinInstead = info !== undefined && !info.webgpu && spec.backend === 'auto';
    if (twinInstead) spec = parseSpec({ ...(input as object), backend: 'cpu' });
    const result = await runExperiment(spec, {
      gpu,
      signal: controller.signal,
      onGeneration: (stats, cell) => post({ type: 'generation', id, cell, stats }),
      onImage: (image) => {
        const gray = image.gray.slice();
        post({ type: 'image', id, image: { ...image, gray } }, [gray.buffer]);
      },
    });
    if (twinInstead) {
      // The spec as the page wrote it (backend "auto"); result.backend says where it ran.
      result.spec = parseSpec(input);
      result.notices.push(`No WebGPU here (${info.reason}), so the float64 CPU twin ran.`);
    }
    post({ type: 'done', id, result });
  } catch (error) {
    if (controller.signal.aborted) post({ type: 'cancelled', id });
    else if (error instanceof SpecError) post({ type: 'error', id, message: error.message, issues: error.issues });
    else post({ type: 'error', id, message: (error as Error)?.message ?? String(error) });
  } finally {
    running.delete(id);
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      useAssetUrls(message.assets);
      break;
    case 'probe':
      void acquire().then(({ info }) => post({ type: 'backend', info }));
      break;
    case 'run':
      void run(message.id, message.spec);
      break;
    case 'cancel':
      running.get(message.id)?.abort();
      break;
  }
};
