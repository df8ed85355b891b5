/**
 * The float64 interpreter of tensor programs (src/core/nn/program.ts): the same operations as
 * shaders/nn/*.wgsl and each model's custom kernels, on the same random words, one replicate
 * after another. Used for the CPU backend of small configurations and to check the GPU executor.
 */
import { randomWords } from '../cpu/random.js';
import type { Key } from '../random/address.js';
import type { CompiledProgram, NnExecutor, Op, TensorSpec, TwinInvocation, TwinTensors, View } from './program.js';

const LEAKY_SLOPE = 0.2;
const f32 = Math.fround;

/** Uniform in [-1, 1) from a word's top 24 bits (exact in f32), as shaders/nn/context.wgsl. */
export function symmetricUnit(word: number): number {
  return (word >>> 8) * 2 ** -23 - 1;
}

export class NnTwin implements NnExecutor {
  readonly tensors: TwinTensors = {};
  round = 0;
  step = 0;

  constructor(
    private readonly specs: Readonly<Record<string, TensorSpec>>,
    readonly replicates: number,
    private readonly key: Key,
    /** Global index of this twin's first replicate. */
    private readonly replicateBase = 0,
  ) {
    for (const [name, spec] of Object.entries(specs)) {
      const length = spec.shared ? spec.size : spec.size * replicates;
      this.tensors[name] = spec.type === 'u32' ? new Uint32Array(length) : new Float64Array(length);
    }
  }

  private base(tensor: string, r: number): number {
    const spec = this.specs[tensor];
    if (!spec) throw new Error(`tensor ${tensor} is not declared`);
    return spec.shared ? 0 : r * spec.size;
  }

  private at(view: View, r: number, row: number, col: number): number {
    return this.base(view.tensor, r) + (view.offset ?? 0) + row * (view.stride ?? view.cols) + col;
  }

  setRound(round: number): void {
    this.round = round;
    this.step = 0;
  }

  restartStep(): void {
    this.step = 0;
  }

  write(name: string, data: Float32Array | Uint32Array): void {
    this.tensors[name].set(data);
  }

  async read(name: string): Promise<Float64Array | Uint32Array> {
    return this.tensors[name].slice();
  }

  async compile(ops: readonly Op[]): Promise<CompiledProgram> {
    return { ops };
  }

  execute(program: CompiledProgram, times = 1): void {
    this.run(program.ops as readonly Op[], times);
  }

  destroy(): void {}

  run(ops: readonly Op[], times = 1): void {
    for (let time = 0; time < times; time++) for (const op of ops) this.apply(op);
  }

  private apply(op: Op): void {
    const R = this.replicates;
    switch (op.op) {
      case 'dense': {
        const { a, b, c } = op;
        const A = this.tensors[a.tensor], B = this.tensors[b.tensor], C = this.tensors[c.tensor] as Float64Array;
        const m = c.rows, n = c.cols, k = op.transA ? a.rows : a.cols;
        const aStride = a.stride ?? a.cols, bStride = b.stride ?? b.cols;
        const row = new Float64Array(n);
        for (let r = 0; r < R; r++) {
          const a0 = this.base(a.tensor, r) + (a.offset ?? 0), b0 = this.base(b.tensor, r) + (b.offset ?? 0);
          for (let i = 0; i < m; i++) {
            row.fill(0);
            for (let kk = 0; kk < k; kk++) {
              const x = A[a0 + (op.transA ? kk * aStride + i : i * aStride + kk)];
              if (x === 0) continue;
              if (op.transB) for (let j = 0; j < n; j++) row[j] += x * B[b0 + j * bStride + kk];
              else for (let j = 0, b1 = b0 + kk * bStride; j < n; j++) row[j] += x * B[b1 + j];
            }
            for (let j = 0; j < n; j++) {
              let v = row[j];
              if (op.bias) v += this.tensors[op.bias.tensor][this.at(op.bias, r, 0, j)];
              const at = this.at(c, r, i, j);
              if (op.accumulate) v += C[at];
              if (op.derivativeAt) {
                const h = this.tensors[op.derivativeAt.tensor][this.at(op.derivativeAt, r, i, j)];
                v *= h > 0 ? 1 : op.activation === 'leaky' ? LEAKY_SLOPE : 0;
              } else if (op.activation === 'relu') v = Math.max(v, 0);
              else if (op.activation === 'leaky') v = v > 0 ? v : LEAKY_SLOPE * v;
              C[at] = v;
            }
          }
        }
        return;
      }
      case 'columnSum': {
        const S = this.tensors[op.src.tensor], D = this.tensors[op.dst.tensor] as Float64Array;
        for (let r = 0; r < R; r++) {
          for (let j = 0; j < op.src.cols; j++) {
            let sum = 0;
            for (let i = 0; i < op.src.rows; i++) sum += S[this.at(op.src, r, i, j)];
            const at = this.at(op.dst, r, 0, j);
            D[at] = op.accumulate ? D[at] + sum : sum;
          }
        }
        return;
      }
      case 'adam': {
        const P = this.tensors[op.params] as Float64Array, G = this.tensors[op.grads], M = this.tensors[op.m] as Float64Array, V = this.tensors[op.v] as Float64Array;
        const lr = f32(op.settings.learningRate), b1 = f32(op.settings.beta1), b2 = f32(op.settings.beta2), eps = f32(op.settings.epsilon);
        const t = this.step + 1, c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
        for (let r = 0; r < R; r++) {
          for (let i = 0; i < op.count; i++) {
            const at = this.base(op.params, r) + op.offset + i, g = G[this.base(op.grads, r) + op.offset + i];
            const m = (M[at] = b1 * M[at] + (1 - b1) * g);
            const v = (V[at] = b2 * V[at] + (1 - b2) * g * g);
            P[at] -= (lr * (m / c1)) / (Math.sqrt(v / c2) + eps);
          }
        }
        return;
      }
      case 'initialise': {
        const P = this.tensors[op.params] as Float64Array, M = this.tensors[op.m] as Float64Array, V = this.tensors[op.v] as Float64Array;
        const scale = f32(op.scale);
        for (let r = 0; r < R; r++) {
          for (let i = 0; i < op.count; i += 4) {
            const words = randomWords(this.key, this.replicateBase + r, this.round, op.stream, op.first + i / 4);
            for (let j = 0; j < 4 && i + j < op.count; j++) {
              const at = this.base(op.params, r) + op.offset + i + j;
              P[at] = scale * symmetricUnit(words[j]);
              M[at] = 0;
              V[at] = 0;
            }
          }
        }
        return;
      }
      case 'tick':
        this.step = op.restart ? 0 : this.step + 1;
        return;
      case 'custom': {
        for (let r = 0; r < R; r++) {
          const invocation: TwinInvocation = {
            words: op.words, tensors: this.tensors, base: (tensor) => this.base(tensor, r),
            replicate: this.replicateBase + r, round: this.round, step: this.step, key: this.key,
          };
          op.kernel.twin(invocation, op.threads);
        }
        return;
      }
    }
  }
}
