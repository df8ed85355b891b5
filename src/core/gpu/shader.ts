/**
 * WGSL assembly and the pipeline cache.
 *
 * The core's kernels and libraries live in `shaders/`, each model's in `shaders/<model>/` (defined
 * by the model's GPU host as a `Kernel`). A kernel is compiled as: the STREAM_* table, the
 * prepended consts, the random library, its libraries, then the kernel, with `#if FLAG` blocks
 * resolved by wgsl-preprocessor and loops marked `// unroll` expanded. Numeric specialisation
 * (d, workgroup size, …) goes through `override` constants; pipelines are cached per device by
 * everything that specialises them.
 */
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { ENGINE_GENERATOR, streamDeclarations, type Generator } from '../random/address.js';
import randomLibrary from '../../../shaders/random.wgsl?raw';
import choleskyLibrary from '../../../shaders/cholesky.wgsl?raw';
import gramLibrary from '../../../shaders/gram.wgsl?raw';
import randomFill from '../../../shaders/random_fill.wgsl?raw';
import deviceCheck from '../../../shaders/device_check.wgsl?raw';
import reduce from '../../../shaders/reduce.wgsl?raw';
import solve from '../../../shaders/solve.wgsl?raw';
import stateRows from '../../../shaders/state_rows.wgsl?raw';

/** The consts shaders/gram.wgsl needs besides D, Q, P: samples per Gram update, 4·quads (both, so loops over either expand). */
export const gramBatchConsts = (quads: number) => ({ GRAM_QUADS: quads, GRAM_BATCH: 4 * quads });

export type { Kernel, WgslLibrary } from '../kernel.js';
import type { Kernel, WgslLibrary } from '../kernel.js';

export const CHOLESKY: WgslLibrary = { name: 'cholesky', source: choleskyLibrary };
export const GRAM: WgslLibrary = { name: 'gram', source: gramLibrary };

export const RANDOM_FILL: Kernel = { name: 'random_fill', source: randomFill, libraries: [] };
export const DEVICE_CHECK: Kernel = { name: 'device_check', source: deviceCheck, libraries: [] };
export const REDUCE: Kernel = { name: 'reduce', source: reduce, libraries: [] };
export const SOLVE: Kernel = { name: 'solve', source: solve, libraries: [CHOLESKY] };
export const STATE_ROWS: Kernel = { name: 'state_rows', source: stateRows, libraries: [] };

/** Libraries' WGSL after the u32 consts they need, for kernels outside the engine (bench/). */
export function librarySource(libraries: readonly WgslLibrary[], consts: Record<string, number>): string {
  return [...constDeclarations(consts), ...libraries.map((l) => unrollLoops(l.source, consts))].join('\n');
}

const constDeclarations = (consts: Record<string, number>) => Object.entries(consts).map(([name, value]) => `const ${name}: u32 = ${value}u;`);

export interface KernelVariant {
  kernel: Kernel;
  entryPoint: string;
  /** Counter-based generator compiled in (`#if PHILOX`). */
  generator?: Generator;
  /** Further `#if` flags the kernel declares. */
  flags?: Record<string, boolean>;
  /** Values for the kernel's `override` constants. */
  constants?: Record<string, number>;
  /**
   * u32 `const` declarations prepended to the source: only for what WGSL requires to be a
   * const-expression (private array sizes such as D); everything else is an override.
   */
  consts?: Record<string, number>;
  /**
   * The bind group's entries, binding 0.. in order, where the layout must not depend on which
   * bindings the entry point uses ('auto' keeps only those): a program's custom ops all bind
   * their words, the context and their tensors, used or not.
   */
  bindings?: readonly GPUBufferBindingType[];
}

/**
 * Resolves `#if NAME` / `#elif NAME` blocks with wgsl-preprocessor. The library wants a
 * template value after each `#if`, so each NAME becomes that slot; a flag the caller did
 * not define is an error, not a silent `false`.
 */
export function preprocess(source: string, flags: Record<string, boolean>): string {
  const strings: string[] = [];
  const values: boolean[] = [];
  let last = 0;
  for (const match of source.matchAll(/#(if|elif)\s+([A-Za-z_]\w*)/g)) {
    const name = match[2];
    if (!(name in flags)) throw new Error(`WGSL flag ${name} is not defined (defined: ${Object.keys(flags).join(', ')})`);
    strings.push(source.slice(last, match.index) + `#${match[1]} `);
    values.push(flags[name]);
    last = match.index + match[0].length;
  }
  strings.push(source.slice(last));
  return wgsl(strings, ...values);
}

/** Loops marked `// unroll` are expanded when their bound is at most this (`// unroll N` sets N). */
export const MAX_UNROLLED_TRIPS = 4;

/** A loop start or bound: literals and consts joined by `+` (`j + 1u` once j is known), else undefined. */
function constantValue(text: string, consts: Record<string, number>): number | undefined {
  let total = 0;
  for (const term of text.split('+').map((t) => t.trim())) {
    const value = /^\d+u?$/.test(term) ? parseInt(term, 10) : consts[term];
    if (value === undefined) return undefined;
    total += value;
  }
  return total;
}

/**
 * Expands `for (var i = START; i < BOUND; i++) { // unroll` into one block `{ let i = Ku; …body… }`
 * per iteration when START and BOUND are known (literals, `consts`, sums of them) and the trips are
 * at most MAX_UNROLLED_TRIPS, or the N of `// unroll N`; others stay loops (expanding the Gram's Q²
 * blocks past Q = 4 made yi-grid's d = 20 compile longer still). An expanded loop's index is
 * known inside its blocks, so marked loops nested in it may start or end at it (`k < j`,
 * `i = j + 1u`): a triangular solve expands whole.
 * Why: Mesa's llvmpipe does not unroll loops whose bodies are large (a Threefry block and
 * Box–Muller per iteration) and then indexes private arrays at run time through a branch
 * ladder per access; expanded, every index is a constant. W2 (linear, d = 16) ran 1.5× faster
 * with its sample and block loops expanded; yi-grid's d = 5 Cholesky solves 4× faster.
 * Marked bodies must not `break` or `continue`.
 */
export function unrollLoops(source: string, consts: Record<string, number>): string {
  const marker = /for \(var (\w+) = ([^;]+); \1 < ([^;]+); \1\+\+\) \{ *\/\/ unroll(?: (\d+))?[^\n]*\n/;
  let out = source;
  // Loops left as loops are moved to `kept` so the search goes on past them.
  let kept = '';
  for (let match = marker.exec(out); match; match = marker.exec(out)) {
    const [head, name, startText, boundText, most] = match;
    const bodyStart = match.index + head.length;
    let depth = 1, end = bodyStart;
    for (; depth > 0; end++) {
      if (end >= out.length) throw new Error(`WGSL: unterminated loop marked unroll (for ${name} < ${boundText})`);
      if (out[end] === '{') depth++;
      else if (out[end] === '}') depth--;
    }
    const body = out.slice(bodyStart, end - 1);
    const start = constantValue(startText, consts);
    const bound = constantValue(boundText, consts);
    const limit = most ? parseInt(most, 10) : MAX_UNROLLED_TRIPS;
    if (start === undefined || bound === undefined || bound - start > limit) {
      // Stays a loop; its body is searched on its own (its loops' bounds may still be known).
      kept += out.slice(0, match.index) + `for (var ${name} = ${startText}; ${name} < ${boundText}; ${name}++) {\n`;
      out = unrollLoops(body, consts) + '}' + out.slice(end);
      continue;
    }
    // Inside iteration k, nested marked loops that start or end at this index see k.
    const own = new RegExp(`\\b${name}\\b`, 'g');
    const known = (k: number) => body.replace(/for \(var \w+ = [^;]+; \w+ < [^;]+; \w+\+\+\) \{ *\/\/ unroll[^\n]*/g,
      (header) => header.replace(/= ([^;]+);( \w+ < )([^;]+);/, (_, s: string, mid: string, b: string) => `= ${s.replace(own, `${k}u`)};${mid}${b.replace(own, `${k}u`)};`));
    const expanded = Array.from({ length: Math.max(0, bound - start) }, (_, i) => `{ let ${name} = ${start + i}u;\n${known(start + i)}}`).join('\n');
    out = out.slice(0, match.index) + expanded + out.slice(end);
  }
  return kept + out;
}

/** The complete WGSL of one kernel variant. */
export function kernelSource(variant: Pick<KernelVariant, 'kernel' | 'generator' | 'flags' | 'consts'>): string {
  const flags = { PHILOX: (variant.generator ?? ENGINE_GENERATOR) === 'philox4x32-10', ...variant.flags };
  const { source, libraries } = variant.kernel;
  const consts = variant.consts ?? {};
  return [streamDeclarations(), ...constDeclarations(consts), randomLibrary, ...libraries.map((l) => l.source), source]
    .map((part) => unrollLoops(preprocess(part, flags), consts)).join('\n');
}

const pipelineCache = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/** The compute pipeline of a kernel variant, compiled once per device. */
export function getPipeline(device: GPUDevice, variant: KernelVariant): Promise<GPUComputePipeline> {
  let cache = pipelineCache.get(device);
  if (!cache) pipelineCache.set(device, (cache = new Map()));
  const key = JSON.stringify([variant.kernel.name, variant.entryPoint, variant.generator ?? ENGINE_GENERATOR,
    Object.entries(variant.flags ?? {}).sort(), Object.entries(variant.constants ?? {}).sort(),
    Object.entries(variant.consts ?? {}).sort(), variant.bindings ?? 'auto']);
  let pipeline = cache.get(key);
  if (!pipeline) {
    const module = device.createShaderModule({ label: variant.kernel.name, code: kernelSource(variant) });
    pipeline = device.createComputePipelineAsync({
      label: `${variant.kernel.name}.${variant.entryPoint}`,
      layout: variant.bindings ? device.createPipelineLayout({ bindGroupLayouts: [device.createBindGroupLayout({
        entries: variant.bindings.map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })),
      })] }) : 'auto',
      compute: { module, entryPoint: variant.entryPoint, constants: variant.constants },
    });
    // A failed compile must not poison the cache for a later, corrected attempt.
    pipeline.catch(() => cache!.delete(key));
    cache.set(key, pipeline);
  }
  return pipeline;
}
