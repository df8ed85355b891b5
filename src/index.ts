// synthloop's library entry.
export { acquireDevice, probeAdapters, checkKernelsRun, NoAdapterError, ADAPTER_CHOICES, ENGINE_LIMITS } from './gpu/device.js';
export type { AdapterChoice, AdapterDescription, AdapterPath, GpuContext, AcquireOptions } from './gpu/device.js';
export { gpuFill, gpuKnownAnswers, gpuSumNormals } from './gpu/random.js';
export { getPipeline, kernelSource } from './gpu/shader.js';
export { randomWords, philox4x32_10, threefry4x32_20, uniformOpen01, boxMuller, normals4 } from './cpu/random.js';
export { keyFromSeed, Stream, ENGINE_GENERATOR, GENERATORS } from './random/address.js';
export type { Generator, Key, StreamName } from './random/address.js';
export { parseSpec, MODELS } from './spec/parse.js';
export type { Spec } from './spec/parse.js';
export { parseLinearSpec, MAX_D, MODES, DESIGNS, BACKENDS } from './spec/linear.js';
export type { LinearSpecInput, ResolvedLinearSpec, ResolvedSchedule, Spectrum, Theta, Verifier } from './spec/linear.js';
export { resolveSchedule } from './spec/schedule.js';
export type { ScheduleInput } from './spec/schedule.js';
export { SpecError } from './spec/errors.js';
export type { SpecIssue } from './spec/errors.js';
export { PRESETS, DEFAULT_PRESET } from './spec/presets.js';
export type { Preset } from './spec/presets.js';
