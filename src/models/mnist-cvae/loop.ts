/**
 * One round of the MNIST CVAE loop for a chunk of one cell's replicates, written once against a
 * tensor-program executor (src/core/nn): the WebGPU executor or the float64 twin runs the same
 * programs on the same random words. Round 0 trains the generator on the seed set; round t ≥ 1
 * trains a verifier against the current generator (or keeps the one trained at round 1), draws
 * candidates per class in chunks and keeps the top ones by the verifier's logit, then trains a new
 * generator from scratch on the kept images. Every round ends with the evaluation: test NELBO,
 * the classifier's accuracy and feature moments (FID) of generated images, and the verifier's
 * held-out accuracy.
 */
import {
  backward, forward, initialiseLayers, layerLayouts, parameterCount, type AdamOp, type CompiledProgram, type LayerLayout,
  type NnExecutor, type Op, type TensorSpec, type View,
} from '../../core/nn/program.js';
import {
  CLASSES, PACKED, PIXELS, QUADS, bernoulliGrad, center, correctRows, elboRows, gather, latentGrad, logisticGrad, prior,
  reparameterise, samplePixels, signRows, topK, type Bound, type GatherSource,
} from './ops.js';
import { keptPerChunk, type ResolvedMnistCvaeSpec } from './spec.js';
import type { EvaluationData } from './evaluation.js';

/** Model-local random streams (the counter's stream word): every phase of a round draws its own words. */
export const CvaeStream = {
  generatorInit: 16, verifierInit: 17,
  trainBatch: 18, trainBinarise: 19, trainLatent: 20,
  verifierBatch: 21, verifierBinarise: 22, verifierLatent: 23, verifierPixels: 24,
  candidateLatent: 25, candidatePixels: 26,
  evaluationLatent: 27, sampleLatent: 28, samplePixels: 29,
  heldoutIndex: 30, heldoutLatent: 31, heldoutPixels: 32,
  gridLatent: 33,
} as const;

/** Columns of the `metrics` accumulator. */
const Metric = { nelbo: 0, correct: 1, verifier: 2 } as const;
const ENCODER_INPUTS = PIXELS + CLASSES;
const FEATURES = 128;
const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
/** Rows of an evaluation or sampling batch at most. */
const BATCH_ROWS = 500;

/** The largest divisor of `total` into batches of at most `most` rows that are multiples of `multiple`. */
function batchRows(total: number, most: number, multiple: number): number {
  for (let batches = Math.ceil(total / most); batches <= total / multiple; batches++) {
    if (total % batches === 0 && (total / batches) % multiple === 0) return total / batches;
  }
  return multiple;
}

/** Everything a replicate's round gives: its metrics (NaN where undefined) and the sums behind its FID. */
export interface RoundMetrics {
  nelbo: Float64Array;
  accuracy: Float64Array;
  verifierAccuracy: Float64Array | null;
  /** Per replicate: Σ (f − μ_E) (128) and Σ (f − μ_E)(f − μ_E)ᵀ (128²) of the generated images' features. */
  featureSums: Float64Array;
  featureGram: Float64Array;
}

export class CvaeLayout {
  readonly encoder: LayerLayout[];
  readonly decoder: LayerLayout[];
  readonly verifier: LayerLayout[];
  readonly classifier: LayerLayout[];
  readonly generatorParams: number;
  readonly verifierParams: number;
  readonly rows: number;
  readonly evaluationRows: number;
  readonly sampleRows: number;
  /** Kept images the data holds at most (per replicate). */
  readonly capacity: number;
  readonly tensors: Record<string, TensorSpec>;

  constructor(readonly spec: ResolvedMnistCvaeSpec, classifierSizes: readonly number[]) {
    const { hidden: H, latent, batch, chunk, verifier, evaluation } = spec;
    this.encoder = layerLayouts('gen', [ENCODER_INPUTS, H, 2 * latent], ['relu', 'none']);
    this.decoder = layerLayouts('gen', [latent + CLASSES, H, PIXELS], ['relu', 'none'], parameterCount(this.encoder));
    this.generatorParams = parameterCount(this.encoder) + parameterCount(this.decoder);
    this.verifier = layerLayouts('ver', [PIXELS, ...verifier.hidden, 1], [...verifier.hidden.map(() => 'leaky' as const), 'none']);
    this.verifierParams = parameterCount(this.verifier);
    this.classifier = layerLayouts('classifier', classifierSizes, classifierSizes.slice(1).map((_, i, all) => (i < all.length - 1 ? 'relu' as const : 'none' as const)));
    this.evaluationRows = batchRows(evaluation.images, BATCH_ROWS, 1);
    this.sampleRows = batchRows(evaluation.samples, BATCH_ROWS, CLASSES);
    this.rows = Math.max(batch, this.evaluationRows, this.sampleRows, CLASSES * chunk, verifier.batch, 2 * evaluation.heldout, 100);
    this.capacity = Math.max(1, spec.accumulate ? spec.kept.reduce((s, v) => s + v, 0) : Math.max(...spec.kept));
    const rows = this.rows, P = this.generatorParams, V = this.verifierParams;
    const t = (size: number, extra: Partial<TensorSpec> = {}): TensorSpec => ({ size, ...extra });
    this.tensors = {
      gen: t(P), genGrad: t(P), genM: t(P), genV: t(P),
      ver: t(V), verGrad: t(V), verM: t(V), verV: t(V),
      classifier: t(parameterCount(this.classifier), { shared: true }),
      featureMean: t(FEATURES, { shared: true }),
      data: t(this.capacity * PACKED, { type: 'u32' }),
      evaluationPacked: t(0, { type: 'u32', shared: true }),
      seedGray: t(0, { type: 'u32', shared: true }), seedLabels: t(0, { type: 'u32', shared: true }),
      poolGray: t(0, { type: 'u32', shared: true }), poolLabels: t(0, { type: 'u32', shared: true }),
      x: t(rows * ENCODER_INPUTS), h1: t(rows * H), enc: t(rows * 2 * latent), eps: t(rows * latent),
      zin: t(rows * (latent + CLASSES)), h2: t(rows * H), logits: t(rows * PIXELS),
      dlogits: t(batch * PIXELS), dh2: t(batch * H), dzin: t(batch * (latent + CLASSES)), denc: t(batch * 2 * latent), dh1: t(batch * H),
      vx: t(rows * PIXELS), vout: t(rows), dvout: t(verifier.batch),
      ...Object.fromEntries(verifier.hidden.flatMap((width, i) => [[`va${i}`, t(rows * width)], [`dva${i}`, t(verifier.batch * width)]])),
      ...Object.fromEntries(classifierSizes.slice(1).map((width, i) => [`c${i}`, t(this.sampleRows * width)])),
      rowValue: t(rows), metrics: t(4), featureSums: t(FEATURES), featureGram: t(FEATURES * FEATURES),
    };
  }

  /** The shared tensors' sizes, known once the data is loaded. */
  withData(data: EvaluationData): Record<string, TensorSpec> {
    const shared = (size: number): TensorSpec => ({ size, type: 'u32', shared: true });
    return {
      ...this.tensors,
      evaluationPacked: shared(data.evaluationPacked.length),
      seedGray: shared(data.seed.count * QUADS), seedLabels: shared(data.seed.count),
      poolGray: shared(data.pool.count * QUADS), poolLabels: shared(data.pool.count),
    };
  }

  bound(name: string): Bound {
    const spec = this.tensors[name];
    return { name, size: spec.shared ? 0 : spec.size };
  }

  view(tensor: string, rows: number, cols: number, stride = cols): View {
    return { tensor, rows, cols, stride };
  }
}

export class CvaeLoop {
  private readonly programs = new Map<string, Promise<CompiledProgram>>();

  constructor(private readonly layout: CvaeLayout, private readonly executor: NnExecutor, private readonly data: EvaluationData) {}

  static async create(layout: CvaeLayout, executor: NnExecutor, data: EvaluationData): Promise<CvaeLoop> {
    const gray = (pixels: Uint8Array) => new Uint32Array(pixels.slice().buffer);
    executor.write('evaluationPacked', data.evaluationPacked);
    executor.write('seedGray', gray(data.seed.pixels));
    executor.write('seedLabels', Uint32Array.from(data.seed.labels));
    executor.write('poolGray', gray(data.pool.pixels));
    executor.write('poolLabels', Uint32Array.from(data.pool.labels));
    executor.write('classifier', data.classifier.params);
    executor.write('featureMean', Float32Array.from(data.featureMean));
    return new CvaeLoop(layout, executor, data);
  }

  private get spec() { return this.layout.spec; }

  /** A program compiled once per key (its words depend only on the key). */
  private program(key: string, build: () => Op[]): Promise<CompiledProgram> {
    let program = this.programs.get(key);
    if (!program) this.programs.set(key, (program = this.executor.compile(build())));
    return program;
  }

  private async run(key: string, build: () => Op[], times: number): Promise<void> {
    const program = await this.program(key, build);
    this.executor.restartStep();
    this.executor.execute(program, times);
  }

  // ---- program pieces ----------------------------------------------------------------------------
  private x(rows: number) { return this.layout.view('x', rows, ENCODER_INPUTS); }
  private hidden(name: string, rows: number) { return this.layout.view(name, rows, this.spec.hidden); }

  private encoderForward(rows: number): Op[] {
    return forward(this.layout.encoder, this.x(rows), [this.hidden('h1', rows), this.layout.view('enc', rows, 2 * this.spec.latent)]);
  }

  private decoderForward(rows: number): Op[] {
    const { latent } = this.spec;
    return forward(this.layout.decoder, this.layout.view('zin', rows, latent + CLASSES), [this.hidden('h2', rows), this.layout.view('logits', rows, PIXELS)]);
  }

  private verifierActivations(rows: number): View[] {
    return [...this.spec.verifier.hidden.map((width, i) => this.layout.view(`va${i}`, rows, width)), this.layout.view('vout', rows, 1)];
  }

  private adam(params: string, count: number): AdamOp {
    return { op: 'adam', params, grads: `${params}Grad`, m: `${params}M`, v: `${params}V`, offset: 0, count, settings: { learningRate: this.spec.learningRate, ...ADAM } };
  }

  /** The batch's mean negative ELBO's gradient into genGrad (the step's words: batch, coins, ε). */
  lossGradient(source: GatherSource): Op[] {
    const { batch: B, latent } = this.spec, L = this.layout;
    const zin = L.view('zin', B, latent + CLASSES);
    return [
      ...this.batchForward(source),
      bernoulliGrad(B, L.bound('logits'), L.bound('x'), ENCODER_INPUTS, L.bound('dlogits'), 1 / B),
      ...backward(L.decoder, 'genGrad', zin, [this.hidden('h2', B), L.view('logits', B, PIXELS)], L.view('dlogits', B, PIXELS), [this.hidden('dh2', B)], L.view('dzin', B, latent + CLASSES)),
      latentGrad(B, latent, L.bound('enc'), L.bound('eps'), L.bound('dzin'), L.bound('denc'), 1 / B),
      ...backward(L.encoder, 'genGrad', this.x(B), [this.hidden('h1', B), L.view('enc', B, 2 * latent)], L.view('denc', B, 2 * latent), [this.hidden('dh1', B)]),
    ];
  }

  /** A training batch through the CVAE: the images, the encoder, z = μ + σ·ε, the decoder's logits. */
  private batchForward(source: GatherSource): Op[] {
    const { batch: B, latent } = this.spec, L = this.layout;
    return [
      gather(L.bound('x'), ENCODER_INPUTS, 0, B, source),
      ...this.encoderForward(B),
      reparameterise(B, latent, L.bound('enc'), L.bound('eps'), L.bound('zin'), L.bound('x'), ENCODER_INPUTS, CvaeStream.trainLatent),
      ...this.decoderForward(B),
    ];
  }

  /** Each batch row's negative ELBO into rowValue (the loss is their mean): for gradient checks. */
  batchLoss(source: GatherSource): Op[] {
    const { batch: B, latent } = this.spec, L = this.layout;
    return [...this.batchForward(source), elboRows(B, latent, L.bound('logits'), L.bound('x'), ENCODER_INPUTS, L.bound('enc'), L.bound('rowValue'))];
  }

  /** Round 0's source: the seed set, binarised afresh each step. */
  seedSource(): GatherSource {
    return {
      mode: 'real', packed: this.layout.bound('data'), packedCount: 1, gray: 'seedGray', labels: 'seedLabels', realCount: this.data.seed.count,
      indexStream: CvaeStream.trainBatch, binariseStream: CvaeStream.trainBinarise,
    };
  }

  private trainStep(source: GatherSource): Op[] {
    return [...this.lossGradient(source), this.adam('gen', this.layout.generatorParams), { op: 'tick' }];
  }

  private verifierStep(): Op[] {
    const { latent, verifier } = this.spec, L = this.layout, B = verifier.batch, half = B / 2;
    const acts = this.verifierActivations(B);
    return [
      prior(half, latent, L.bound('zin'), 0, CvaeStream.verifierLatent, 'drawn'),
      ...this.decoderForward(half),
      samplePixels(half, L.bound('logits'), L.bound('vx'), PIXELS, half, CvaeStream.verifierPixels),
      gather(L.bound('vx'), PIXELS, 0, half, {
        mode: 'real', packed: L.bound('data'), packedCount: 1, gray: 'poolGray', labels: 'poolLabels', realCount: this.data.pool.count,
        indexStream: CvaeStream.verifierBatch, binariseStream: CvaeStream.verifierBinarise,
      }),
      ...forward(L.verifier, L.view('vx', B, PIXELS), acts),
      logisticGrad(B, L.bound('vout'), L.bound('dvout'), half, 1 / B),
      ...backward(L.verifier, 'verGrad', L.view('vx', B, PIXELS), acts, L.view('dvout', B, 1), verifier.hidden.map((width, i) => L.view(`dva${i}`, B, width))),
      this.adam('ver', L.verifierParams),
      { op: 'tick' },
    ];
  }

  /** One batch of candidates (chunk per class) filtered into the round's block of the data. */
  private candidateBatch(firstSlot: number, perClass: number): Op[] {
    const { latent, chunk, keepFraction } = this.spec, L = this.layout, rows = CLASSES * chunk;
    const ranked = keepFraction < 1;
    return [
      prior(rows, latent, L.bound('zin'), 0, CvaeStream.candidateLatent, { perClass: chunk }),
      ...this.decoderForward(rows),
      samplePixels(rows, L.bound('logits'), L.bound('vx'), PIXELS, 0, CvaeStream.candidatePixels),
      ...(ranked ? forward(L.verifier, L.view('vx', rows, PIXELS), this.verifierActivations(rows)) : []),
      topK(chunk, keptPerChunk(this.spec), L.bound('vout'), L.bound('vx'), PIXELS, L.bound('data'), firstSlot, perClass, ranked),
      { op: 'tick' },
    ];
  }

  private evaluationBatch(): Op[] {
    const { latent } = this.spec, L = this.layout, rows = L.evaluationRows;
    return [
      gather(L.bound('x'), ENCODER_INPUTS, 0, rows, {
        mode: 'sequential', packed: L.bound('evaluationPacked'), packedCount: this.spec.evaluation.images, gray: 'seedGray', labels: 'seedLabels',
        realCount: 1, indexStream: 0, binariseStream: 0,
      }),
      ...this.encoderForward(rows),
      reparameterise(rows, latent, L.bound('enc'), L.bound('eps'), L.bound('zin'), L.bound('x'), ENCODER_INPUTS, CvaeStream.evaluationLatent),
      ...this.decoderForward(rows),
      elboRows(rows, latent, L.bound('logits'), L.bound('x'), ENCODER_INPUTS, L.bound('enc'), L.bound('rowValue')),
      { op: 'columnSum', src: L.view('rowValue', rows, 1), dst: { tensor: 'metrics', offset: Metric.nelbo, rows: 1, cols: 1 }, accumulate: true },
      { op: 'tick' },
    ];
  }

  private sampleBatch(): Op[] {
    const { latent } = this.spec, L = this.layout, rows = L.sampleRows, perClass = rows / CLASSES;
    const outputs = L.classifier.map((layer, i) => L.view(`c${i}`, rows, layer.outputs));
    const features = outputs[outputs.length - 2];
    return [
      prior(rows, latent, L.bound('zin'), 0, CvaeStream.sampleLatent, { perClass }),
      ...this.decoderForward(rows),
      samplePixels(rows, L.bound('logits'), L.bound('x'), ENCODER_INPUTS, 0, CvaeStream.samplePixels),
      ...forward(L.classifier, L.view('x', rows, PIXELS, ENCODER_INPUTS), outputs),
      correctRows(rows, L.bound(outputs.at(-1)!.tensor), L.bound('rowValue'), perClass),
      { op: 'columnSum', src: L.view('rowValue', rows, 1), dst: { tensor: 'metrics', offset: Metric.correct, rows: 1, cols: 1 }, accumulate: true },
      center(rows, FEATURES, L.bound(features.tensor), 'featureMean'),
      { op: 'columnSum', src: features, dst: L.view('featureSums', 1, FEATURES), accumulate: true },
      { op: 'dense', a: features, transA: true, b: features, c: L.view('featureGram', FEATURES, FEATURES), accumulate: true },
      { op: 'tick' },
    ];
  }

  private heldoutBatch(): Op[] {
    const { latent, evaluation } = this.spec, L = this.layout, half = evaluation.heldout, rows = 2 * half;
    return [
      gather(L.bound('vx'), PIXELS, 0, half, {
        mode: 'mix', packed: L.bound('evaluationPacked'), packedCount: this.spec.evaluation.images, gray: 'seedGray', labels: 'seedLabels',
        realCount: 1, realFraction: 0, indexStream: CvaeStream.heldoutIndex, binariseStream: 0,
      }),
      prior(half, latent, L.bound('zin'), 0, CvaeStream.heldoutLatent, 'drawn'),
      ...this.decoderForward(half),
      samplePixels(half, L.bound('logits'), L.bound('vx'), PIXELS, half, CvaeStream.heldoutPixels),
      ...forward(L.verifier, L.view('vx', rows, PIXELS), this.verifierActivations(rows)),
      signRows(rows, L.bound('vout'), L.bound('rowValue'), half),
      { op: 'columnSum', src: L.view('rowValue', rows, 1), dst: { tensor: 'metrics', offset: Metric.verifier, rows: 1, cols: 1 }, accumulate: true },
    ];
  }

  private initialise(layers: LayerLayout[], params: string, stream: number): Op[] {
    return initialiseLayers(layers, { params, m: `${params}M`, v: `${params}V` }, stream);
  }

  // ---- a round -------------------------------------------------------------------------------------
  /** Whether round t trains a verifier, and whether it filters (keepFraction < 1). */
  private filters(t: number) {
    return t > 0 && this.spec.keepFraction < 1;
  }

  async round(t: number): Promise<RoundMetrics> {
    const { spec, layout: L, executor } = this;
    executor.setRound(t);
    const R = executor.replicates;
    executor.write('metrics', new Float32Array(R * 4));
    executor.write('featureSums', new Float32Array(R * FEATURES));
    executor.write('featureGram', new Float32Array(R * FEATURES * FEATURES));
    const generatorInit = () => this.initialise([...L.encoder, ...L.decoder], 'gen', CvaeStream.generatorInit);
    if (t === 0) {
      await this.run('init generator', generatorInit, 1);
      await this.run('train on seed', () => this.trainStep(this.seedSource()), spec.steps);
    } else {
      if (this.filters(t) && (spec.verifier.mode === 'retrain' || t === 1)) {
        await this.run('init verifier', () => this.initialise(L.verifier, 'ver', CvaeStream.verifierInit), 1);
        await this.run('train verifier', () => this.verifierStep(), spec.verifier.steps);
      }
      if (this.filters(t)) await this.run('held out', () => this.heldoutBatch(), 1);
      const before = spec.accumulate ? spec.kept.slice(1, t).reduce((s, v) => s + v, 0) : 0;
      const perClass = spec.kept[t] / CLASSES;
      const batches = Math.ceil(perClass / keptPerChunk(spec));
      const candidates = await this.program(`candidates ${before} ${perClass}`, () => this.candidateBatch(before, perClass));
      executor.restartStep();
      executor.execute(candidates, batches);
      await this.run('init generator', generatorInit, 1);
      const count = before + spec.kept[t];
      await this.run(`train on data ${count}`, () => this.trainStep({
        mode: 'mix', packed: L.bound('data'), packedCount: count, gray: 'seedGray', labels: 'seedLabels', realCount: this.data.seed.count,
        realFraction: spec.realFraction, indexStream: CvaeStream.trainBatch, binariseStream: CvaeStream.trainBinarise,
      }), spec.steps);
    }
    await this.run('evaluate', () => this.evaluationBatch(), spec.evaluation.images / L.evaluationRows);
    await this.run('sample', () => this.sampleBatch(), spec.evaluation.samples / L.sampleRows);
    const [metrics, sums, gram] = await Promise.all(['metrics', 'featureSums', 'featureGram'].map((name) => executor.read(name)));
    const column = (c: number, scale: number) => Float64Array.from({ length: R }, (_, r) => metrics[r * 4 + c] / scale);
    return {
      nelbo: column(Metric.nelbo, spec.evaluation.images),
      accuracy: column(Metric.correct, spec.evaluation.samples),
      verifierAccuracy: this.filters(t) ? column(Metric.verifier, 2 * spec.evaluation.heldout) : null,
      featureSums: Float64Array.from(sums),
      featureGram: Float64Array.from(gram),
    };
  }

  /** Decoder means (sigmoid of the logits, 0..255) of 10 images a class from replicate 0 of this chunk: a 10 × 10 grid, class per row. */
  async grid(): Promise<Uint8Array> {
    const rows = 100;
    await this.run('grid', () => [prior(rows, this.spec.latent, this.layout.bound('zin'), 0, CvaeStream.gridLatent, { perClass: 10 }), ...this.decoderForward(rows)], 1);
    const logits = await this.executor.read('logits');
    const image = new Uint8Array(280 * 280);
    for (let i = 0; i < rows; i++) {
      const cell = [Math.floor(i / 10), i % 10];
      for (let p = 0; p < PIXELS; p++) {
        const y = cell[0] * 28 + Math.floor(p / 28), x = cell[1] * 28 + (p % 28);
        image[y * 280 + x] = Math.round(255 / (1 + Math.exp(-logits[i * PIXELS + p])));
      }
    }
    return image;
  }

  /** What carries into the next round: the generator (and a verifier trained once; the data when it accumulates). */
  async carried(): Promise<Record<string, Float32Array | Float64Array | Uint32Array>> {
    // The same arrays for every cell of a sweep (an unfiltered cell's verifier is never trained, but carried alike).
    const names = ['gen', ...(this.spec.verifier.mode === 'once' ? ['ver'] : []), ...(this.spec.accumulate ? ['data'] : [])];
    return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await this.executor.read(name)] as const)));
  }

  restore(carried: Record<string, Float32Array | Uint32Array>): void {
    for (const [name, values] of Object.entries(carried)) this.executor.write(name, values);
  }

  destroy(): void {
    this.executor.destroy();
  }
}
