/**
 * What names and describes a WebGPU adapter, apart from the code that opens one (gpu/device.ts):
 * results, twins and the Node and browser adapter sources read these without loading GPU code.
 */
/** Where an adapter comes from. `browser`: the page's navigator.gpu; the others are Node paths. */
export type AdapterPath = 'browser' | 'hardware' | 'llvmpipe' | 'swiftshader';
export type AdapterChoice = 'auto' | AdapterPath;
export const ADAPTER_CHOICES: readonly AdapterChoice[] = ['auto', 'hardware', 'llvmpipe', 'swiftshader', 'browser'];

/** Node paths in order of preference: hardware, then the fastest software path. */
export const NODE_PATHS: readonly Exclude<AdapterPath, 'browser'>[] = ['hardware', 'llvmpipe', 'swiftshader'];

/** The limits the engine plans with; each is requested up to what the adapter allows. */
export const ENGINE_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
] as const;
export type EngineLimit = (typeof ENGINE_LIMITS)[number];

export interface AdapterDescription {
  path: AdapterPath;
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  featureLevel: 'core' | 'compatibility';
  isFallbackAdapter: boolean;
  /** Optional features enabled on the device. */
  features: string[];
  timestampQuery: boolean;
  limits: Record<EngineLimit, number>;
  /**
   * Loop iterations one invocation may run in total before the adapter silently ends its
   * loops (measured; Mesa llvmpipe: 65535), or null where none was seen.
   */
  loopIterationLimit: number | null;
}

/**
 * A software adapter that runs invocations as SIMD lanes of CPU threads (llvmpipe, SwiftShader):
 * a load whose address is the same in every lane still costs a load per lane, and a workgroup
 * barrier switches every SIMD batch of the workgroup. Kernels pick layouts by it.
 */
export const isCpuAdapter = (adapter: Pick<AdapterDescription, 'path'>) => adapter.path === 'llvmpipe' || adapter.path === 'swiftshader';

export interface GpuContext {
  device: GPUDevice;
  adapter: AdapterDescription;
}

export interface AcquireOptions {
  /** Force one path; `auto` (default) prefers hardware, then llvmpipe, then SwiftShader. */
  adapter?: AdapterChoice;
}

/** What the Node side provides (src/core/gpu/node-gpu.ts, through #node-gpu), loaded only where there is no navigator.gpu. */
export interface AdapterSource {
  requestAdapter(path: AdapterPath): Promise<GPUAdapter>;
}
