/**
 * WGSL assembly and the pipeline cache.
 *
 * Kernels live in `shaders/<name>.wgsl`. A kernel is compiled as: the STREAM_* table,
 * the random library, then the kernel, after resolving `#if FLAG` blocks with
 * wgsl-preprocessor. Numeric specialisation (d, workgroup size, …) goes through
 * `override` constants; pipelines are cached per device by everything that specialises them.
 */
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { ENGINE_GENERATOR, streamDeclarations, type Generator } from '../random/address.js';
import randomLibrary from '../../../shaders/random.wgsl?raw';
import choleskyLibrary from '../../../shaders/cholesky.wgsl?raw';
import gramLibrary from '../../../shaders/gram.wgsl?raw';
import linearProblemLibrary from '../../../shaders/linear/linear_problem.wgsl?raw';
import randomFill from '../../../shaders/random_fill.wgsl?raw';
import deviceCheck from '../../../shaders/device_check.wgsl?raw';
import linear from '../../../shaders/linear/linear.wgsl?raw';
import linearWide from '../../../shaders/linear/linear_wide.wgsl?raw';
import gmmSelection from '../../../shaders/gmm-selection/gmm_selection.wgsl?raw';
import gaussian from '../../../shaders/gaussian/gaussian.wgsl?raw';
import reduce from '../../../shaders/reduce.wgsl?raw';
import yiGrid from '../../../shaders/yi-grid/yi_grid.wgsl?raw';
import solve from '../../../shaders/solve.wgsl?raw';
import categorical from '../../../shaders/categorical/categorical.wgsl?raw';
import bigram from '../../../shaders/categorical/bigram.wgsl?raw';
import stateRows from '../../../shaders/state_rows.wgsl?raw';

/** The consts shaders/gram.wgsl needs besides D, Q, P: samples per Gram update, 4·quads (both, so loops over either expand). */
export const gramBatchConsts = (quads: number) => ({ GRAM_QUADS: quads, GRAM_BATCH: 4 * quads });

/** Libraries: WGSL without entry points, included by kernels that name them. */
const LIBRARIES = { cholesky: choleskyLibrary, gram: gramLibrary, linear_problem: linearProblemLibrary } as const;
export type LibraryName = keyof typeof LIBRARIES;

/** Libraries' WGSL after the u32 consts they need, for kernels outside the engine (bench/). */
export function librarySource(libraries: readonly LibraryName[], consts: Record<string, number>): string {
  return [...constDeclarations(consts), ...libraries.map((l) => unrollLoops(LIBRARIES[l], consts))].join('\n');
}

const constDeclarations = (consts: Record<string, number>) => Object.entries(consts).map(([name, value]) => `const ${name}: u32 = ${value}u;`);

/** Every kernel by name (its file in `shaders/`) with the libraries it includes after random.wgsl. */
const KERNELS = {
  random_fill: { source: randomFill, libraries: [] },
  device_check: { source: deviceCheck, libraries: [] },
  linear: { source: linear, libraries: ['cholesky', 'gram', 'linear_problem'] },
  linear_wide: { source: linearWide, libraries: ['linear_problem'] },
  gmm_selection: { source: gmmSelection, libraries: ['cholesky', 'gram'] },
  gaussian: { source: gaussian, libraries: ['cholesky', 'gram'] },
  reduce: { source: reduce, libraries: [] },
  yi_grid: { source: yiGrid, libraries: ['cholesky', 'gram'] },
  solve: { source: solve, libraries: ['cholesky'] },
  categorical: { source: categorical, libraries: [] },
  bigram: { source: bigram, libraries: [] },
  state_rows: { source: stateRows, libraries: [] },
} satisfies Record<string, { source: string; libraries: (keyof typeof LIBRARIES)[] }>;
export type KernelName = keyof typeof KERNELS;

export interface KernelVariant {
  kernel: KernelName;
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

/**
 * Expands `for (var i = 0u; i < BOUND; i++) { // unroll` into BOUND blocks `{ let i = 0u; …body… }`
 * when BOUND (a literal or one of `consts`) is at most MAX_UNROLLED_TRIPS, or the N of
 * `// unroll N`; larger ones stay loops (expanding the Gram's Q² blocks past Q = 4 made
 * yi-grid's d = 20 compile longer still).
 * Why: Mesa's llvmpipe does not unroll loops whose bodies are large (a Threefry block and
 * Box–Muller per iteration) and then indexes private arrays at run time through a branch
 * ladder per access; expanded, every index is a constant. W2 (linear, d = 16) ran 1.5× faster
 * with its sample and block loops expanded. Marked bodies must not `break` or `continue`.
 */
export function unrollLoops(source: string, consts: Record<string, number>): string {
  const marker = /for \(var (\w+) = 0u; \1 < (\w+); \1\+\+\) \{ *\/\/ unroll(?: (\d+))?[^\n]*\n/;
  let out = source;
  for (let match = marker.exec(out); match; match = marker.exec(out)) {
    const [head, name, boundText, most] = match;
    const bodyStart = match.index + head.length;
    let depth = 1, end = bodyStart;
    for (; depth > 0; end++) {
      if (end >= out.length) throw new Error(`WGSL: unterminated loop marked unroll (for ${name} < ${boundText})`);
      if (out[end] === '{') depth++;
      else if (out[end] === '}') depth--;
    }
    const body = out.slice(bodyStart, end - 1);
    const bound = /^\d+u?$/.test(boundText) ? parseInt(boundText, 10) : consts[boundText];
    const expanded = bound !== undefined && bound <= (most ? parseInt(most, 10) : MAX_UNROLLED_TRIPS)
      ? Array.from({ length: bound }, (_, k) => `{ let ${name} = ${k}u;\n${body}}`).join('\n')
      : `for (var ${name} = 0u; ${name} < ${boundText}; ${name}++) {\n${body}}`;
    out = out.slice(0, match.index) + expanded + out.slice(end);
  }
  return out;
}

/** The complete WGSL of one kernel variant. */
export function kernelSource(variant: Pick<KernelVariant, 'kernel' | 'generator' | 'flags' | 'consts'>): string {
  const flags = { PHILOX: (variant.generator ?? ENGINE_GENERATOR) === 'philox4x32-10', ...variant.flags };
  const { source, libraries }: { source: string; libraries: LibraryName[] } = KERNELS[variant.kernel];
  const consts = variant.consts ?? {};
  return [streamDeclarations(), ...constDeclarations(consts), randomLibrary, ...libraries.map((l) => LIBRARIES[l]), source]
    .map((part) => unrollLoops(preprocess(part, flags), consts)).join('\n');
}

const pipelineCache = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/** The compute pipeline of a kernel variant, compiled once per device. */
export function getPipeline(device: GPUDevice, variant: KernelVariant): Promise<GPUComputePipeline> {
  let cache = pipelineCache.get(device);
  if (!cache) pipelineCache.set(device, (cache = new Map()));
  const key = JSON.stringify([variant.kernel, variant.entryPoint, variant.generator ?? ENGINE_GENERATOR,
    Object.entries(variant.flags ?? {}).sort(), Object.entries(variant.constants ?? {}).sort(),
    Object.entries(variant.consts ?? {}).sort()]);
  let pipeline = cache.get(key);
  if (!pipeline) {
    const module = device.createShaderModule({ label: variant.kernel, code: kernelSource(variant) });
    pipeline = device.createComputePipelineAsync({
      label: `${variant.kernel}.${variant.entryPoint}`,
      layout: 'auto',
      compute: { module, entryPoint: variant.entryPoint, constants: variant.constants },
    });
    // A failed compile must not poison the cache for a later, corrected attempt.
    pipeline.catch(() => cache!.delete(key));
    cache.set(key, pipeline);
  }
  return pipeline;
}
