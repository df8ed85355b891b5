/**
 * One call to get a working GPUDevice anywhere: `navigator.gpu` in a browser, Dawn's
 * `webgpu` bindings in Node. Every later module reads limits from the device this returns.
 */
import { ENGINE_GENERATOR, Stream } from '../random/address.js';
import { randomWords } from '../cpu/random.js';
import { getPipeline, DEVICE_CHECK } from './shader.js';
import { bufferFrom, encodeDispatch, readBack } from './dispatch.js';
import {
  ADAPTER_CHOICES, ENGINE_LIMITS, NODE_PATHS,
  type AcquireOptions, type AdapterChoice, type AdapterDescription, type AdapterPath, type AdapterSource, type EngineLimit, type GpuContext,
} from '../adapter.js';

/** Optional features used where present (each kernel has a path without them). */
const OPTIONAL_FEATURES: readonly GPUFeatureName[] = ['timestamp-query', 'subgroups', 'shader-f16'];

export class NoAdapterError extends Error {
  constructor(readonly attempts: { path: AdapterPath; reason: string }[], hint: string) {
    super(`no working WebGPU adapter.\n${attempts.map((a) => `  ${a.path}: ${a.reason}`).join('\n')}\n${hint}`);
    this.name = 'NoAdapterError';
  }
}

const INSTALL_HINT = [
  'To get a software adapter on Debian/Ubuntu (as root, or run `npm run setup`):',
  '  apt-get install -y libegl1 libgl1-mesa-dri   # Mesa llvmpipe over OpenGL (fastest software path)',
  '  apt-get install -y chromium libvulkan1       # SwiftShader Vulkan ICD (/usr/lib/chromium/vk_swiftshader_icd.json) and the loader',
  'Or use the float64 CPU twin: --backend cpu.',
].join('\n');

const BROWSER_HINT = 'This browser exposes no usable WebGPU adapter; enable WebGPU (chrome://flags) or use the CPU twin.';

function browserGpu(): GPU | undefined {
  return typeof navigator !== 'undefined' ? (navigator as Navigator & { gpu?: GPU }).gpu : undefined;
}

async function adapterSource(): Promise<AdapterSource> {
  const gpu = browserGpu();
  if (gpu) {
    return {
      async requestAdapter(path) {
        if (path !== 'browser') throw new Error('only the browser path exists in a page');
        const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' }))
          ?? (await gpu.requestAdapter({ featureLevel: 'compatibility' }));
        if (!adapter) throw new Error('navigator.gpu.requestAdapter() returned null');
        return adapter;
      },
    };
  }
  // package.json maps #node-gpu to Dawn (node-gpu.ts) in Node and to a stub in browser builds.
  const nodeGpu = await import('#node-gpu');
  return nodeGpu.nodeAdapterSource();
}

function defaultChoice(): AdapterChoice {
  const fromEnv = typeof process !== 'undefined' ? process.env?.SYNTHLOOP_ADAPTER : undefined;
  if (!fromEnv) return 'auto';
  if (!(ADAPTER_CHOICES as readonly string[]).includes(fromEnv)) {
    throw new RangeError(`SYNTHLOOP_ADAPTER: must be one of ${ADAPTER_CHOICES.join(', ')}, got ${JSON.stringify(fromEnv)}`);
  }
  return fromEnv as AdapterChoice;
}

/**
 * Returns a device whose kernels have been seen to run (a check kernel's output is
 * compared with the CPU twin), trying paths in order of preference.
 */
export async function acquireDevice(options: AcquireOptions = {}): Promise<GpuContext> {
  const choice = options.adapter ?? defaultChoice();
  if (!(ADAPTER_CHOICES as readonly string[]).includes(choice)) {
    throw new RangeError(`adapter: must be one of ${ADAPTER_CHOICES.join(', ')}, got ${JSON.stringify(choice)}`);
  }
  const inBrowser = browserGpu() !== undefined;
  const paths: AdapterPath[] = choice !== 'auto' ? [choice] : inBrowser ? ['browser'] : [...NODE_PATHS];
  const source = await adapterSource();
  const attempts: { path: AdapterPath; reason: string }[] = [];
  for (const path of paths) {
    try {
      return await openPath(source, path);
    } catch (error) {
      attempts.push({ path, reason: (error as Error).message.split('\n')[0] });
    }
  }
  throw new NoAdapterError(attempts, inBrowser ? BROWSER_HINT : INSTALL_HINT);
}

/** Every path on this machine with its description, or why it does not work. */
export async function probeAdapters(): Promise<({ path: AdapterPath } & ({ ok: true; adapter: AdapterDescription } | { ok: false; reason: string }))[]> {
  const source = await adapterSource();
  const paths: AdapterPath[] = browserGpu() ? ['browser'] : [...NODE_PATHS];
  const results = [];
  for (const path of paths) {
    try {
      const context = await openPath(source, path);
      context.device.destroy();
      results.push({ path, ok: true as const, adapter: context.adapter });
    } catch (error) {
      results.push({ path, ok: false as const, reason: (error as Error).message.split('\n')[0] });
    }
  }
  return results;
}

async function openPath(source: AdapterSource, path: AdapterPath): Promise<GpuContext> {
  const adapter = await source.requestAdapter(path);
  const limits = {} as Record<EngineLimit, number>;
  for (const name of ENGINE_LIMITS) limits[name] = adapter.limits[name];
  const features = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits: limits, requiredFeatures: features });
  const description: AdapterDescription = {
    path,
    vendor: adapter.info.vendor,
    architecture: adapter.info.architecture,
    device: adapter.info.device,
    description: adapter.info.description,
    featureLevel: adapter.features.has('core-features-and-limits') ? 'core' : 'compatibility',
    isFallbackAdapter: Boolean((adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter),
    features,
    timestampQuery: features.includes('timestamp-query'),
    limits,
    loopIterationLimit: null,
  };
  try {
    await checkKernelsRun(device);
    description.loopIterationLimit = await measureLoopIterationLimit(device);
  } catch (error) {
    device.destroy();
    throw error;
  }
  return { device, adapter: description };
}

/** Iterations the loop probe asks for: more than any limit seen, few enough to be quick. */
const LOOP_PROBE_ITERATIONS = 1 << 22;

/** Runs the loop probe of shaders/device_check.wgsl: how many iterations really ran. */
export async function measureLoopIterationLimit(device: GPUDevice): Promise<number | null> {
  const pipeline = await getPipeline(device, { kernel: DEVICE_CHECK, entryPoint: 'loop_probe' });
  const output = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const params = bufferFrom(device, new Uint32Array([LOOP_PROBE_ITERATIONS, 0, 0, 0]), GPUBufferUsage.UNIFORM);
  const encoder = device.createCommandEncoder();
  encodeDispatch(encoder, pipeline, device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: output } }, { binding: 1, resource: { buffer: params } }],
  }), [1]);
  device.queue.submit([encoder.finish()]);
  const ran = new Uint32Array(await readBack(device, output, 4))[0];
  output.destroy();
  params.destroy();
  return ran < LOOP_PROBE_ITERATIONS ? ran : null;
}

const CHECK_THREADS = 256;

/** Runs shaders/device_check.wgsl and compares every word with the CPU twin. */
export async function checkKernelsRun(device: GPUDevice): Promise<void> {
  device.pushErrorScope('validation');
  const pipeline = await getPipeline(device, { kernel: DEVICE_CHECK, entryPoint: 'main' });
  const output = device.createBuffer({ size: CHECK_THREADS * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: output } }] }));
  pass.dispatchWorkgroups(CHECK_THREADS / 64);
  pass.end();
  device.queue.submit([encoder.finish()]);
  const error = await device.popErrorScope();
  if (error) throw new Error(`check kernel rejected: ${error.message}`);
  const words = new Uint32Array(await readBack(device, output, CHECK_THREADS * 4));
  output.destroy();
  for (let i = 0; i < CHECK_THREADS; i++) {
    const expected = randomWords([i, 7], i, 1, Stream.diagnostics, 3, ENGINE_GENERATOR)[0];
    if (words[i] !== expected) {
      throw new Error(`kernels do not run correctly on this adapter (check word ${i}: got ${words[i]}, expected ${expected})`);
    }
  }
}

/** Why a device's results can no longer be trusted. */
export interface DeviceFailure {
  /** `invalid use`: a validation error (a shader that does not compile, say), the same on any device: never retried. */
  kind: 'device lost' | 'GPU error' | 'invalid use';
  detail: string;
}

export interface DeviceWatch {
  /** The first failure seen so far, or null. */
  readonly failure: DeviceFailure | null;
  /** The failure once a loss in progress has been reported (waits briefly for `device.lost`). */
  settle(): Promise<DeviceFailure | null>;
  stop(): void;
}

/** How long an error path waits for `device.lost` to report a loss that caused the error. */
const LOSS_REPORT_MS = 100;

/**
 * Watches a device for loss (`device.lost`) and uncaptured errors: either makes the work in
 * flight untrustworthy, so the run can recover on a new device (src/core/engine/run.ts).
 */
export function watchDevice(device: GPUDevice): DeviceWatch {
  let failure: DeviceFailure | null = null;
  device.lost.then((info) => {
    failure ??= { kind: 'device lost', detail: info.message ? `${info.reason}: ${info.message}` : String(info.reason) };
  });
  const onError = (event: Event) => {
    const { error } = event as GPUUncapturedErrorEvent;
    failure ??= { kind: error.constructor.name === 'GPUValidationError' ? 'invalid use' : 'GPU error', detail: error.message };
  };
  device.addEventListener('uncapturederror', onError);
  return {
    get failure() {
      return failure;
    },
    async settle() {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([device.lost, new Promise((resolve) => { timer = setTimeout(resolve, LOSS_REPORT_MS); })]);
      clearTimeout(timer);
      return failure;
    },
    stop: () => device.removeEventListener('uncapturederror', onError),
  };
}
