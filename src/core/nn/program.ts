/**
 * Tensor programs: batched neural-network training written once, as data, and run by two
 * interpreters — the WebGPU executor (src/core/nn/gpu.ts: shaders/nn/*.wgsl and the model's own
 * kernels) and the float64 twin (src/core/nn/twin.ts). Every tensor holds one copy per replicate
 * (or one copy all replicates read: `shared`), and every operation runs for all replicates of a
 * chunk at once; random words are addressed by the replicate's global index, so a replicate's
 * training does not depend on how replicates are chunked.
 */
import type { Kernel, WgslLibrary } from '../kernel.js';
import contextSource from '../../../shaders/nn/context.wgsl?raw';

/** The NnContext struct (key, round, replicate base, step) that custom kernels bind at 1, and symmetric_unit. */
export const NN_CONTEXT: WgslLibrary = { name: 'nn_context', source: contextSource };

export type Activation = 'none' | 'relu' | 'leaky';

/** A tensor: `size` values per replicate (f32 on the device, f64 in the twin; u32 words for `u32`). */
export interface TensorSpec {
  size: number;
  type?: 'f32' | 'u32';
  /** One copy every replicate reads (real data, fixed weights); filled by the host. */
  shared?: boolean;
}

/** A row-major matrix inside one replicate's copy of a tensor. */
export interface View {
  tensor: string;
  offset?: number;
  rows: number;
  cols: number;
  /** Elements between rows; default cols. */
  stride?: number;
}

/** C = op(A)·op(B) (+ bias) with an activation, or with `derivativeAt` the activation's derivative at that (forward) output as a factor. */
export interface DenseOp {
  op: 'dense';
  a: View;
  transA?: boolean;
  b: View;
  transB?: boolean;
  c: View;
  bias?: View;
  activation?: Activation;
  derivativeAt?: View;
  accumulate?: boolean;
}

/** dst (1 × cols) (+)= the column sums of src: a bias's gradient. */
export interface ColumnSumOp {
  op: 'columnSum';
  src: View;
  dst: View;
  accumulate?: boolean;
}

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Adam on `count` values of params from grads, moments m and v (same offsets), at the program's step. */
export interface AdamOp {
  op: 'adam';
  params: string;
  grads: string;
  m: string;
  v: string;
  offset: number;
  count: number;
  settings: AdamSettings;
}

/** params[offset + i] = scale · U[-1, 1) from the words (replicate, round, stream, first + ⌊i/4⌋); moments zeroed. */
export interface InitialiseOp {
  op: 'initialise';
  params: string;
  m: string;
  v: string;
  offset: number;
  count: number;
  scale: number;
  stream: number;
  first: number;
}

/** Advances the optimiser's step (or restarts it at 0). */
export interface TickOp {
  op: 'tick';
  restart?: boolean;
}

/**
 * A model's own operation: a WGSL entry point and its float64 twin. The kernel binds, in order:
 * 0 `params` (uniform, 16 u32 words: `words`), 1 `context` (NnContext, read), then `tensors` (storage,
 * read_write, in order), whether it uses them or not. Threads: `threads` per replicate along
 * x (global_invocation_id.x), the chunk's replicate along z.
 */
export interface CustomOp {
  op: 'custom';
  kernel: CustomKernel;
  tensors: string[];
  /** Up to 16 u32 words (floats through `floatWord`). */
  words: number[];
  threads: number;
}

export interface TwinTensors {
  [name: string]: Float64Array | Uint32Array;
}

/** What a custom op's twin sees: its words, the tensors, the replicate (chunk index and global index), and the random-word context. */
export interface TwinInvocation {
  words: readonly number[];
  tensors: TwinTensors;
  /** Offset of this replicate's copy in each tensor: replicate·size, or 0 for shared ones. */
  base(tensor: string): number;
  replicate: number;
  round: number;
  step: number;
  key: readonly [number, number];
}

export interface CustomKernel {
  kernel: Kernel;
  entryPoint: string;
  workgroupSize?: number;
  /** The same for one replicate, all `threads` of it, in float64. */
  twin(invocation: TwinInvocation, threads: number): void;
}

export type Op = DenseOp | ColumnSumOp | AdamOp | InitialiseOp | TickOp | CustomOp;

/** A program compiled by an executor (pipelines and bind groups on WebGPU; the ops themselves in the twin). */
export interface CompiledProgram {
  readonly ops: readonly unknown[];
}

/** What runs tensor programs for a chunk of replicates: the WebGPU executor (gpu.ts) or the float64 twin (twin.ts). */
export interface NnExecutor {
  readonly replicates: number;
  /** The round (the counter's generation word) of what follows; restarts the step at 0. */
  setRound(round: number): void;
  /** Restarts the step counter at 0 (each phase addresses its words by its own steps). */
  restartStep(): void;
  /** Fills a tensor: every replicate's copies in order, or the shared one. */
  write(name: string, data: Float32Array | Uint32Array): void;
  /** A tensor's contents after everything queued. */
  read(name: string): Promise<Float32Array | Float64Array | Uint32Array>;
  compile(ops: readonly Op[]): Promise<CompiledProgram>;
  /** Runs a compiled program `times` times (queued on WebGPU). */
  execute(program: CompiledProgram, times?: number): void;
  destroy(): void;
}

/** The bits of an f32, for a custom op's words. */
export function floatWord(value: number): number {
  return new Uint32Array(new Float32Array([value]).buffer)[0];
}

/** The f32 a word holds (the twin reads floats from words as the kernel does). */
export function wordFloat(word: number): number {
  return new Float32Array(new Uint32Array([word]).buffer)[0];
}

/** A dense layer's parameters inside a parameter tensor: W (inputs × outputs, row-major) then b. */
export interface LayerLayout {
  inputs: number;
  outputs: number;
  activation: Activation;
  weights: View;
  bias: View;
}

/** Consecutive layers' parameters from `offset` in tensor `params`. */
export function layerLayouts(params: string, sizes: readonly number[], activations: readonly Activation[], offset = 0): LayerLayout[] {
  let at = offset;
  return activations.map((activation, i) => {
    const inputs = sizes[i], outputs = sizes[i + 1];
    const weights = { tensor: params, offset: at, rows: inputs, cols: outputs };
    at += inputs * outputs;
    const bias = { tensor: params, offset: at, rows: 1, cols: outputs };
    at += outputs;
    return { inputs, outputs, activation, weights, bias };
  });
}

export const parameterCount = (layers: readonly LayerLayout[]) => layers.reduce((n, l) => n + l.inputs * l.outputs + l.outputs, 0);

/**
 * Initialises every layer as PyTorch's nn.Linear does: W and b uniform in ±1/√fan_in, each layer
 * from its own block of words (a word per value, never shared between layers).
 */
export function initialiseLayers(layers: readonly LayerLayout[], tensors: { params: string; m: string; v: string }, stream: number): InitialiseOp[] {
  let first = 0;
  return layers.map((layer) => {
    const count = layer.inputs * layer.outputs + layer.outputs;
    const op: InitialiseOp = { op: 'initialise', ...tensors, offset: layer.weights.offset ?? 0, count, scale: 1 / Math.sqrt(layer.inputs), stream, first };
    first += Math.ceil(count / 4);
    return op;
  });
}

/** A view's rows [first, first + rows) (rows of a batch). */
export function rowsOf(view: View, first: number, rows: number): View {
  const stride = view.stride ?? view.cols;
  return { ...view, offset: (view.offset ?? 0) + first * stride, rows, stride };
}

/** Columns [first, first + cols) of a view. */
export function columnsOf(view: View, first: number, cols: number): View {
  return { ...view, offset: (view.offset ?? 0) + first, cols, stride: view.stride ?? view.cols };
}

/**
 * Forward pass of consecutive dense layers: input (rows × inputs) → each layer's output view
 * (`outputs[i]`, rows × layer i's outputs).
 */
export function forward(layers: readonly LayerLayout[], input: View, outputs: readonly View[]): DenseOp[] {
  return layers.map((layer, i) => ({
    op: 'dense', a: i === 0 ? input : outputs[i - 1], b: layer.weights, c: outputs[i], bias: layer.bias, activation: layer.activation,
  }));
}

/**
 * Backward pass of `forward`: from the gradient at the last output (`outputGradient`, already the
 * loss's derivative at the pre-activation of the last layer when it has no activation), each
 * layer's weight and bias gradients into `grads` (same offsets as the parameters), and the
 * gradients at the hidden outputs into `hiddenGradients[i]` (layer i's output, i < last).
 * With `inputGradient` the gradient at the input too.
 */
export function backward(layers: readonly LayerLayout[], grads: string, input: View, outputs: readonly View[], outputGradient: View,
  hiddenGradients: readonly View[], inputGradient?: View): (DenseOp | ColumnSumOp)[] {
  const ops: (DenseOp | ColumnSumOp)[] = [];
  const gradientOf = (view: View): View => ({ ...view, tensor: grads });
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    const dOut = i === layers.length - 1 ? outputGradient : hiddenGradients[i];
    const layerInput = i === 0 ? input : outputs[i - 1];
    ops.push({ op: 'dense', a: layerInput, transA: true, b: dOut, c: gradientOf(layer.weights) });
    ops.push({ op: 'columnSum', src: dOut, dst: gradientOf(layer.bias) });
    if (i > 0) {
      const previous = layers[i - 1];
      ops.push({ op: 'dense', a: dOut, b: layer.weights, transB: true, c: hiddenGradients[i - 1], activation: previous.activation, derivativeAt: outputs[i - 1] });
    } else if (inputGradient) {
      ops.push({ op: 'dense', a: dOut, b: layer.weights, transB: true, c: inputGradient });
    }
  }
  return ops;
}
