/**
 * What a WGSL kernel is, without any GPU code: the twins' custom ops (src/core/nn) name their
 * kernels with these types, and src/core/gpu/shader.ts assembles and compiles them.
 */
/** A WGSL library: functions and declarations without entry points, included by kernels that name it. */
export interface WgslLibrary {
  name: string;
  source: string;
}

/**
 * A kernel: its WGSL (a file in `shaders/`, or `shaders/<model>/` for a model's) and the
 * libraries it includes after random.wgsl, in order. Models define their own; the core's are in src/core/gpu/shader.ts.
 */
export interface Kernel {
  /** Unique: it names the kernel in pipeline labels, GPU timings and the pipeline cache. */
  name: string;
  source: string;
  libraries: readonly WgslLibrary[];
}
