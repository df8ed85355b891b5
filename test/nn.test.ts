// The tensor-program machinery (src/core/nn): the twin's backward pass against finite differences of
// its forward pass, and one initialise + forward + backward + Adam step of a small MLP (sizes off the
// 32 × 32 tile, transposes, masks, column sums) on every working adapter against the twin, replicate
// by replicate, within f32 tolerance; the words a replicate draws do not depend on its chunk. Dense
// ops alone, in every kernel variant and each specialisation the host picks (operands read along k
// or along m / n, aligned or not for vec4 loads, C vectorised or not, a partial last k step, edges
// of several workgroup tiles, a shared operand), against the twin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../src/core/gpu/device.js';
import type { GpuContext } from '../src/core/adapter.js';
import { NnTwin } from '../src/core/nn/twin.js';
import { NnGpu, type DenseVariant } from '../src/core/nn/gpu.js';
import { backward, forward, initialiseLayers, layerLayouts, parameterCount, type DenseOp, type Op, type TensorSpec, type View } from '../src/core/nn/program.js';
import { workingPaths } from './helpers/adapters.js';

const paths = await workingPaths();
const KEY = [0x1234, 0xabcd] as const;
const ROWS = 37, SIZES = [45, 19, 33, 7];
const layers = layerLayouts('params', SIZES, ['leaky', 'relu', 'none']);
const P = parameterCount(layers);
const specs: Record<string, TensorSpec> = {
  params: { size: P }, grads: { size: P }, m: { size: P }, v: { size: P },
  x: { size: ROWS * SIZES[0] }, dx: { size: ROWS * SIZES[0] },
  h1: { size: ROWS * SIZES[1] }, h2: { size: ROWS * SIZES[2] }, out: { size: ROWS * SIZES[3] },
  d1: { size: ROWS * SIZES[1] }, d2: { size: ROWS * SIZES[2] }, dout: { size: ROWS * SIZES[3] },
};
const view = (tensor: string, cols: number): View => ({ tensor, rows: ROWS, cols });
const input = view('x', SIZES[0]);
const outputs = [view('h1', SIZES[1]), view('h2', SIZES[2]), view('out', SIZES[3])];
const forwardOps = forward(layers, input, outputs);
const backwardOps = backward(layers, 'grads', input, outputs, view('dout', SIZES[3]), [view('d1', SIZES[1]), view('d2', SIZES[2])], view('dx', SIZES[0]));
const initOps = initialiseLayers(layers, { params: 'params', m: 'm', v: 'v' }, 9);
const adam: Op = { op: 'adam', params: 'params', grads: 'grads', m: 'm', v: 'v', offset: 0, count: P, settings: { learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } };

/** Deterministic inputs and output gradients (the loss ½‖out − target‖² would give out − target; any fixed dout tests the chain). */
function inputs(replicates: number) {
  const x = new Float32Array(replicates * ROWS * SIZES[0]).map((_, i) => Math.sin(i * 0.37) * 1.5);
  const target = new Float32Array(replicates * ROWS * SIZES[3]).map((_, i) => Math.cos(i * 0.11));
  return { x, target };
}

/** Loss ½ Σ (out − target)² of every replicate, on the twin. */
function loss(twin: NnTwin, target: Float32Array): number {
  twin.run(forwardOps);
  const out = twin.tensors.out as Float64Array;
  return out.reduce((s, v, i) => s + 0.5 * (v - target[i]) ** 2, 0);
}

describe('tensor programs on the float64 twin', () => {
  it('backward matches central finite differences of the forward pass (weights, biases, inputs)', () => {
    const R = 2;
    const twin = new NnTwin(specs, R, KEY);
    const { x, target } = inputs(R);
    twin.tensors.x.set(x);
    twin.run(initOps);
    loss(twin, target);
    (twin.tensors.dout as Float64Array).set(twin.tensors.out.map((v, i) => v - target[i]));
    twin.run(backwardOps);
    const params = twin.tensors.params as Float64Array, xs = twin.tensors.x as Float64Array;
    const h = 1e-6;
    const probe = (array: Float64Array, index: number) => {
      const saved = array[index];
      array[index] = saved + h; const up = loss(twin, target);
      array[index] = saved - h; const down = loss(twin, target);
      array[index] = saved;
      return (up - down) / (2 * h);
    };
    // Every layer's weights and biases of both replicates, sampled, and inputs.
    const indices = Array.from({ length: 60 }, (_, i) => Math.floor(((i * 7919) % 1000) / 1000 * 2 * P));
    for (const index of indices) {
      const numeric = probe(params, index), analytic = twin.tensors.grads[index];
      expect(Math.abs(numeric - analytic)).toBeLessThan(1e-5 * Math.max(1, Math.abs(numeric)));
    }
    for (const index of [0, 5, 100, 1664, 2 * ROWS * SIZES[0] - 1]) {
      const numeric = probe(xs, index), analytic = twin.tensors.dx[index];
      expect(Math.abs(numeric - analytic)).toBeLessThan(1e-5 * Math.max(1, Math.abs(numeric)));
    }
  });

  it('a replicate initialises the same in any chunk (words addressed by its global index)', () => {
    const all = new NnTwin(specs, 6, KEY, 0);
    const tail = new NnTwin(specs, 2, KEY, 4);
    all.run(initOps);
    tail.run(initOps);
    expect(Array.from(tail.tensors.params)).toEqual(Array.from(all.tensors.params.subarray(4 * P)));
    // Layers draw different words: the first and second layers' first weights differ in distribution scale and value.
    expect(all.tensors.params[0]).not.toBe(all.tensors.params[layers[1].weights.offset!]);
  });
});

describe.each(paths)('tensor programs on %s against the twin', (path) => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: path }); });
  afterAll(() => gpu?.device.destroy());

  it('initialise, forward, backward and two Adam steps agree replicate by replicate', async () => {
    const R = 3, base = 5;
    const { x, target } = inputs(R);
    const twin = new NnTwin(specs, R, KEY, base);
    const device = new NnGpu(gpu, specs, R, KEY, base);
    try {
      twin.tensors.x.set(x);
      device.write('x', x);
      twin.round = 2;
      device.setRound(2);
      const gradient: Op[] = [...forwardOps];
      twin.run(initOps);
      await device.runOnce(initOps);
      const initial = await device.read('params') as Float32Array;
      for (let i = 0; i < R * P; i++) expect(initial[i]).toBeCloseTo(twin.tensors.params[i], 6);

      twin.run(gradient);
      const out = twin.tensors.out;
      const dout = new Float32Array(out.map((v, i) => v - target[i]));
      (twin.tensors.dout as Float64Array).set(dout);
      await device.runOnce(gradient);
      const gpuOut = await device.read('out');
      const scale = Math.max(...Array.from(out, Math.abs));
      for (let i = 0; i < out.length; i++) expect(Math.abs(gpuOut[i] - out[i])).toBeLessThan(1e-5 * scale);

      // Backward from the same output gradient, then Adam twice (bias correction at steps 1 and 2).
      device.write('dout', dout);
      const update: Op[] = [...backwardOps, adam, { op: 'tick' }];
      twin.run(update);
      const prepared = await device.prepare(update);
      device.encode(prepared);
      const grads = await device.read('grads');
      const gradScale = Math.max(...Array.from(twin.tensors.grads, Math.abs));
      for (let i = 0; i < grads.length; i++) expect(Math.abs(grads[i] - twin.tensors.grads[i])).toBeLessThan(1e-4 * gradScale);
      const dx = await device.read('dx');
      for (let i = 0; i < dx.length; i++) expect(Math.abs(dx[i] - twin.tensors.dx[i])).toBeLessThan(1e-4 * gradScale);

      twin.run(update);
      device.encode(prepared);
      const params = await device.read('params') as Float32Array;
      // Two Adam steps move each parameter by at most ~2·lr; their results agree to f32 rounding of the update.
      for (let i = 0; i < params.length; i++) expect(Math.abs(params[i] - twin.tensors.params[i])).toBeLessThan(2e-4);
      const moved = params.reduce((n, v, i) => n + (Math.abs(v - initial[i]) > 1e-3 ? 1 : 0), 0);
      expect(moved).toBeGreaterThan(0.5 * params.length);
    } finally {
      device.destroy();
    }
  });
});

/** Views of `rows × cols` at `offset` with row stride `stride` (default cols). */
const at = (tensor: string, rows: number, cols: number, offset = 0, stride?: number): View => ({ tensor, rows, cols, offset, stride });

/**
 * Dense ops over tensors a, b, c, bias, mask (b shared): every transpose pair, aligned (offsets and
 * strides multiples of 4) and not, k below, at and past multiples of 4, m and n past a 64 × 64 tile.
 */
function denseCases(): { op: DenseOp; label: string }[] {
  const cases: { op: DenseOp; label: string }[] = [];
  const dims = [
    { m: 13, n: 11, k: 9, off: 1, pad: 1 },
    { m: 16, n: 12, k: 8, off: 4, pad: 0 },
    { m: 70, n: 68, k: 21, off: 8, pad: 4 },
    { m: 5, n: 7, k: 3, off: 3, pad: 2 },
    { m: 36, n: 20, k: 1, off: 0, pad: 0 },
  ];
  let i = 0;
  for (const { m, n, k, off, pad } of dims) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = transA ? at('a', k, m, off, m + pad) : at('a', m, k, off, k + pad);
        const b = transB ? at('b', n, k, off, k + pad) : at('b', k, n, off, n + pad);
        const c = at('c', m, n, off, n + pad);
        const flavour = i++ % 4;
        const op: DenseOp = { op: 'dense', a, b, c, transA, transB };
        if (flavour === 0) Object.assign(op, { bias: at('bias', 1, n, off), activation: 'relu' });
        if (flavour === 1) Object.assign(op, { derivativeAt: at('mask', m, n, off, n + pad), activation: 'leaky', accumulate: true });
        if (flavour === 2) Object.assign(op, { bias: at('bias', 1, n, off), activation: 'leaky' });
        if (flavour === 3) Object.assign(op, { derivativeAt: at('mask', m, n, off, n + pad), activation: 'relu' });
        cases.push({ op, label: `${m}×${n}×${k} off ${off} pad ${pad}${transA ? ' Aᵀ' : ''}${transB ? ' Bᵀ' : ''} flavour ${flavour}` });
      }
    }
  }
  return cases;
}

const DENSE_SPECS: Record<string, TensorSpec> = {
  a: { size: 80 * 80 }, b: { size: 80 * 80, shared: true }, c: { size: 80 * 80 }, bias: { size: 96 }, mask: { size: 80 * 80 },
};

describe.each(paths)('dense ops on %s against the twin', (path) => {
  let gpu: GpuContext;
  beforeAll(async () => { gpu = await acquireDevice({ adapter: path }); });
  afterAll(() => gpu?.device.destroy());

  const variants: [string, DenseVariant | undefined][] = [
    ['the adapter\'s', undefined],
    ['tiled', { kernel: 'tiled' }],
    ['register 4 × 8', { kernel: 'register', tm: 4, tn: 8, wgX: 2, wgY: 4 }],
  ];
  it.each(variants)('%s kernel', async (_, variant) => {
    const R = 2;
    const twin = new NnTwin(DENSE_SPECS, R, KEY);
    const device = new NnGpu(gpu, DENSE_SPECS, R, KEY, 0, variant ? { dense: variant } : {});
    try {
      const fill = (name: string, scale: number) => {
        const spec = DENSE_SPECS[name];
        const data = new Float32Array(spec.shared ? spec.size : spec.size * R).map((_, i) => Math.sin(i * 0.61 + scale) * scale);
        twin.write(name, data);
        device.write(name, data);
      };
      for (const { op, label } of denseCases()) {
        fill('a', 1.3); fill('b', 0.7); fill('c', 0.5); fill('bias', 0.9); fill('mask', 1);
        twin.run([op]);
        await device.runOnce([op]);
        const expected = twin.tensors.c, got = await device.read('c');
        const scale = Math.max(1, ...Array.from(expected, Math.abs));
        let worst = 0;
        for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
        expect(worst, label).toBeLessThan(2e-5 * scale);
      }
    } finally {
      device.destroy();
    }
  });
});
