/**
 * <synthloop-chart>: runs a spec (or a preset) on WebGPU in a worker — or on the float64 CPU twin
 * where the browser has no WebGPU — and plots its statistics generation by generation.
 *
 *   <synthloop-chart preset="yi-verified" replicates="4096"></synthloop-chart>
 *
 * Attributes: preset, spec (JSON), replicates, generations, seed, backend (override the preset or
 * spec), compare ("replace,verifier,mixture,accumulate": linear strategies side by side), metric
 * (a phase diagram's metric), autorun ("false": wait for run()), controls ("none": no buttons and no
 * title), heading (an embed's title; by default its preset's, with a caption citing the paper).
 * Every figure exports as SVG or PNG (figureSVG(id), exportFigure(id, format)); logScale, pin() and
 * unpin() switch the y axes to log and overlay a kept run.
 * Properties and methods: configure({spec, compare, metric}), run(), cancel(), result, backend.
 * Events: synthloop-start, synthloop-progress, synthloop-done, synthloop-cancelled, synthloop-error
 * (detail: {message, issues}), synthloop-backend, synthloop-metric, synthloop-image (detail: {series, image}).
 *
 * Models that draw (mnist-cvae: a digit grid per sweep cell after each round) get a samples panel:
 * every cell's image side by side, at the latest round or one chosen. The worker fetches the
 * model's assets from URLs resolved here, in the page (its own URL may be a blob: one).
 */
import { experimentCells, MODELS, parseSpec } from '../models/index.js';
import type { GenerationImage, MetricColumn } from '../core/engine/model.js';
import { PRESETS } from '../models/index.js';
import { PAPERS } from '../models/papers.js';
import { assetUrls } from '../models/mnist-cvae/mnist-asset.browser.js';
import type { Stats } from '../core/engine/result.js';
import { SpecError, type SpecIssue } from '../core/spec/errors.js';
import { cellLabel, defaultHeatmapMetric, fieldName, formatNumber, heatmapMetrics, metricName, renderCharts, viewOf, type SeriesData } from './charts.js';
import { downloadBlob, figureToPNG, figureToSVG } from './figure-export.js';
import { runsToCSV, runsToJSON, type LabelledRun } from './export.js';
import { demoPresetSpec, DEMO_DEFAULT_PRESET, matchingPreset } from './presets.js';
import type { BackendInfo } from './protocol.js';
import { EngineRunner, RunCancelled, RunFailed } from './runner.js';
import { parseStrategies, STRATEGY_LABELS, strategySkipReason, strategySpec, type Strategy } from './strategies.js';

export interface ChartConfig {
  /** The spec as written (any model; a sweep allowed). */
  spec: Record<string, unknown>;
  /** Linear only: run these strategies side by side instead of the spec alone. */
  compare?: Strategy[];
  /** A two-axis sweep's heatmap metric. */
  metric?: string;
}

export interface FinishedRun {
  runs: LabelledRun[];
  backend: BackendInfo | undefined;
  elapsedSeconds: number;
  replicateGenerations: number;
  /** Replicate-generations per second over the whole run (all strategies). */
  throughput: number;
}

export type ChartState = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

interface Plan {
  label: string;
  input: Record<string, unknown>;
  replicates: number;
  generations: number;
  series: SeriesData;
  /** Images the model drew, by cell, then by round t. */
  images: Map<number, GenerationImage>[];
}

/** Most rows the summary lists for a sweep (evenly spaced through the grid). */
const SWEEP_ROWS = 60;

const STYLE = `
:host { display: block; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; container-type: inline-size; }
.status { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 14px; margin-bottom: 8px; }
.adapter { font-weight: 600; }
.adapter.cpu { color: #9a3412; }
progress { flex: 1 1 140px; min-width: 100px; height: 10px; accent-color: #2563eb; }
.progress-text, .throughput { color: #4b5563; font-variant-numeric: tabular-nums; }
button { font: inherit; padding: 4px 12px; border-radius: 6px; border: 1px solid #9ca3af; background: #fff; cursor: pointer; }
button:hover { background: #f3f4f6; }
.notice { white-space: pre-line; background: #fff7ed; border: 1px solid #fdba74; color: #7c2d12; padding: 8px 10px; border-radius: 6px; margin: 6px 0; }
.error { background: #fef2f2; border: 1px solid #fca5a5; color: #7f1d1d; padding: 8px 10px; border-radius: 6px; margin: 6px 0; white-space: pre-wrap; }
.picker { margin: 6px 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); gap: 18px 16px; }
.charts.two { grid-template-columns: 1fr 1fr; }
.charts.one { grid-template-columns: 1fr; }
figure.chart { margin: 0; min-width: 0; }
figure.chart figure { margin: 0; }
figure.chart svg { max-width: 100%; height: auto; }
figure.chart.wide { grid-column: 1 / -1; }
figcaption { font-weight: 600; margin-bottom: 2px; }
.figure-head { display: flex; align-items: baseline; justify-content: space-between; gap: 8px; }
.figure-export { display: flex; gap: 4px; flex: none; }
.figure-export button, .status button.small { font-size: 11.5px; padding: 1px 7px; }
.key { display: flex; flex-wrap: wrap; gap: 2px 12px; font-size: 12px; color: #374151; margin: 2px 0 4px; }
.key-item { display: inline-flex; align-items: center; gap: 4px; }
.head { margin: 0 0 8px; }
.head .title { font-size: 16px; font-weight: 650; margin: 0; }
.head .lead { margin: 2px 0 0; color: #4b5563; font-size: 13px; }
.log { display: inline-flex; gap: 4px; align-items: center; color: #374151; }
.stale-note { display: none; color: #7c2d12; background: #fff7ed; border: 1px solid #fdba74; border-radius: 6px; padding: 4px 8px; margin: 4px 0; font-size: 13px; }
:host([stale]) .stale-note { display: block; }
:host([stale]) .charts, :host([stale]) .numbers, :host([stale]) .samples { opacity: 0.35; filter: grayscale(0.8); }
.chart-note { margin: 0 0 4px; color: #6b7280; font-size: 12px; }
.numbers { margin-top: 14px; overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 13px; }
th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #e5e7eb; white-space: nowrap; }
th { font-weight: 600; background: #f9fafb; }
th:first-child, td:first-child { text-align: left; }
.se { color: #6b7280; }
.caption { color: #6b7280; font-size: 12px; margin: 4px 0; }
details { margin-top: 10px; }
details > div { overflow-x: auto; max-height: 420px; overflow-y: auto; }
.samples { margin-top: 14px; }
.samples-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 14px; margin-bottom: 6px; }
.samples-head strong { font-weight: 600; }
.sample-grid { display: flex; flex-wrap: wrap; gap: 12px 16px; }
figure.sample { margin: 0; flex: 0 1 280px; min-width: 140px; }
figure.sample canvas { display: block; width: 100%; aspect-ratio: 1; image-rendering: pixelated; background: #000; border-radius: 4px; }
figure.sample figcaption { font-weight: 400; font-size: 13px; color: #374151; margin: 4px 0 0; }
[hidden] { display: none !important; }
`;

const TEMPLATE = `
<style>${STYLE}</style>
<div class="head" data-testid="head" hidden><p class="title" data-testid="title"></p><p class="lead" data-testid="caption"></p></div>
<div class="status" part="status">
  <span class="adapter" data-testid="adapter">starting…</span>
  <progress max="1" value="0" data-testid="progress"></progress>
  <span class="progress-text" data-testid="progress-text"></span>
  <span class="throughput" data-testid="throughput"></span>
  <button type="button" class="cancel" data-testid="cancel" hidden>Cancel</button>
  <button type="button" class="rerun" data-testid="rerun" hidden>Run again</button>
  <label class="log" title="A logarithmic y axis (values ≤ 0 are left out)"><input type="checkbox" data-testid="log-scale"> log y</label>
  <button type="button" class="small csv" data-testid="csv" hidden>CSV</button>
  <button type="button" class="small json" data-testid="json" hidden>JSON</button>
</div>
<div class="stale-note" data-testid="stale-note" role="status">These results are from the last valid spec: fix the form to run again.</div>
<div class="notice" data-testid="notice" role="status" hidden></div>
<div class="error" data-testid="error" role="alert" hidden></div>
<div class="picker" hidden><label>Heatmap shows <select data-testid="heatmap-metric"></select></label></div>
<div class="charts" data-testid="charts"></div>
<div class="samples" data-testid="samples" hidden>
  <div class="samples-head"><strong>Samples</strong><label>round <select data-testid="sample-round"></select></label>
  <span class="caption">replicate 0's decoder means: one class per row, 0–9 top to bottom</span></div>
  <div class="sample-grid" data-testid="sample-grid"></div>
</div>
<div class="numbers" data-testid="numbers"></div>
<details class="every" hidden><summary>Every generation</summary><div data-testid="every-generation"></div></details>
`;

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]!));

export function describeBackend(info: BackendInfo | undefined, ranOn?: 'webgpu' | 'cpu'): string {
  if (ranOn === 'cpu' && (!info || info.webgpu)) return 'CPU twin (float64), as the spec asks';
  if (!info) return 'starting…';
  if (!info.webgpu) return 'CPU twin (float64): no WebGPU here';
  const a = info.adapter;
  const name = [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'unknown adapter';
  return `WebGPU · ${name} (${a.featureLevel}${a.isFallbackAdapter ? ', software' : ''})`;
}

export class SynthloopChart extends HTMLElement {
  static observedAttributes = ['preset', 'spec', 'replicates', 'generations', 'seed', 'backend', 'compare', 'metric'];
  /**
   * Starts the engine's worker. The default, a module worker beside this file, is the pattern
   * Vite and webpack bundle from an installed package; a page that loads the element from another
   * origin needs an inline worker instead (demo/src/embed.ts).
   */
  static createWorker: () => Worker = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });

  private readonly root: ShadowRoot;
  private readonly runner = new EngineRunner(() => SynthloopChart.createWorker(), () => ({ type: 'init', assets: assetUrls() as Record<string, string> }));
  private config?: ChartConfig;
  private plans: Plan[] = [];
  private token = 0;
  private controller?: AbortController;
  private current?: Promise<FinishedRun | null>;
  private queued = false;
  private frame = 0;
  private started = 0;
  private done = 0;
  private replicateGenerations = 0;
  private backendInfo?: BackendInfo;
  private ranOn?: 'webgpu' | 'cpu';
  private finished: FinishedRun | null = null;
  private heatmapMetric?: string;
  private resizeObserver?: ResizeObserver;
  private lastWidth = 0;
  private progressLabel = '';
  /** The current run's finished strategies. */
  private completed: LabelledRun[] = [];
  /** Compared strategies left out of this run, and why. */
  private skipped: string[] = [];
  /** The samples panel's round: null follows the latest. */
  private sampleRound: number | null = null;
  private samplesFrame = 0;
  private logY = false;
  /** Pinned runs: overlaid on the current one's charts. */
  private pinned: { input: Record<string, unknown>; series: SeriesData[] }[] = [];

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    this.root.innerHTML = TEMPLATE;
    this.$('.cancel').addEventListener('click', () => this.cancel());
    this.$('.rerun').addEventListener('click', () => void this.run());
    this.$<HTMLSelectElement>('.picker select').addEventListener('change', (event) => {
      this.heatmapMetric = (event.target as HTMLSelectElement).value;
      this.emit('synthloop-metric', { metric: this.heatmapMetric });
      this.invalidate();
    });
    this.$<HTMLInputElement>('.log input').addEventListener('change', (event) => {
      this.logScale = (event.target as HTMLInputElement).checked;
    });
    this.$('.charts').addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button.export');
      const figure = button?.closest<HTMLElement>('figure.chart');
      if (button && figure) void this.exportFigure(figure.dataset.chart!, button.dataset.format as 'svg' | 'png');
    });
    this.$('.csv').addEventListener('click', () => downloadBlob(`${this.fileStem()}.csv`, new Blob([this.toCSV()], { type: 'text/csv' })));
    this.$('.json').addEventListener('click', () => downloadBlob(`${this.fileStem()}.json`, new Blob([this.toJSON()], { type: 'application/json' })));
    this.$<HTMLSelectElement>('.samples select').addEventListener('change', (event) => {
      const value = (event.target as HTMLSelectElement).value;
      this.sampleRound = value === 'latest' ? null : Number(value);
      this.renderSamples();
    });
  }

  private $<T extends HTMLElement = HTMLElement>(selector: string): T {
    return this.root.querySelector(selector) as T;
  }

  connectedCallback(): void {
    this.resizeObserver ??= new ResizeObserver(() => {
      const width = this.$('.charts').clientWidth;
      if (Math.abs(width - this.lastWidth) > 2) this.invalidate();
    });
    this.resizeObserver.observe(this.$('.charts'));
    if (this.getAttribute('autorun') !== 'false') this.queueRun();
  }

  disconnectedCallback(): void {
    this.resizeObserver?.disconnect();
    // Detached: the current run ends silently and the worker goes (a re-attached element starts another).
    this.token++;
    this.cancel();
    this.runner.terminate();
  }

  attributeChangedCallback(name: string, previous: string | null, value: string | null): void {
    if (previous === value || !this.isConnected) return;
    if (name === 'metric') {
      this.heatmapMetric = value ?? undefined;
      this.invalidate();
      return;
    }
    if (this.getAttribute('autorun') !== 'false') this.queueRun();
  }

  /** Sets what the next run() runs (taking precedence over the attributes). */
  configure(config: ChartConfig): void {
    this.config = { spec: structuredClone(config.spec), compare: config.compare ?? [], metric: config.metric };
    this.heatmapMetric = config.metric;
  }

  /** The finished run's results (null while running or before the first run). */
  get result(): FinishedRun | null {
    return this.finished;
  }

  get state(): ChartState {
    return (this.getAttribute('state') as ChartState | null) ?? 'idle';
  }

  /** Where runs execute, once known. */
  get backend(): BackendInfo | undefined {
    return this.backendInfo;
  }

  toCSV(): string {
    return this.finished ? runsToCSV(this.finished.runs) : '';
  }

  toJSON(url?: string): string {
    return this.finished ? runsToJSON(this.finished.runs, url) : '';
  }

  /** A logarithmic y axis on every chart. */
  get logScale(): boolean {
    return this.logY;
  }

  set logScale(value: boolean) {
    this.logY = value;
    this.$<HTMLInputElement>('.log input').checked = value;
    this.toggleAttribute('log-scale', value);
    this.invalidate();
  }

  /** Keeps the finished run on the charts, overlaid on later runs, until unpin(). */
  pin(): boolean {
    if (!this.finished || !this.plans.length) return false;
    this.pinned = [{ input: structuredClone(this.plans[0].input), series: this.plans.map((p) => structuredClone(p.series)) }];
    this.invalidate();
    return true;
  }

  unpin(): void {
    this.pinned = [];
    this.invalidate();
  }

  get hasPinned(): boolean {
    return this.pinned.length > 0;
  }

  /** The figures shown: id and title. */
  figures(): { id: string; title: string }[] {
    return [...this.root.querySelectorAll<HTMLElement>('figure.chart')].map((f) => ({ id: f.dataset.chart!, title: f.querySelector('figcaption')?.textContent ?? '' }));
  }

  /** The caption every exported figure carries: what ran, with its spec and seed. */
  private exportCaption(): string[] {
    const plans = this.plans;
    const spec = this.config?.spec ?? plans[0]?.input ?? {};
    const preset = matchingPreset(spec);
    const result = this.finished?.runs[0]?.result;
    const lines = [
      `synthloop · ${preset ? `preset ${preset}` : `model ${String(spec.model)}`} · seed ${String(spec.seed ?? 1)} · ${plans[0]?.replicates ?? ''} replicates per cell · ${result ? (result.backend === 'webgpu' ? 'WebGPU' : 'CPU twin (float64)') : ''}`,
    ];
    if (plans.length > 1 || plans[0]?.label) lines.push(`series: ${plans.map((p) => p.label).join('; ')}`);
    if (this.pinned.length) lines.push(`pinned run overlaid: ${JSON.stringify(this.pinned[0].input)}`);
    lines.push(`spec: ${JSON.stringify(spec)}`);
    lines.push('Curves: mean over replicates; bands ± 2 standard errors; dashed: exact closed forms.');
    return lines;
  }

  private fileStem(): string {
    const spec = this.config?.spec ?? this.plans[0]?.input ?? {};
    return `synthloop-${matchingPreset(spec) ?? String(spec.model ?? 'run')}-seed${String(spec.seed ?? 1)}`;
  }

  /** The figure `id` as a stand-alone SVG document: title, legend, plot with its axis labels, caption. */
  figureSVG(id: string): string {
    const figure = this.root.querySelector<HTMLElement>(`figure.chart[data-chart="${id}"]`);
    if (!figure) throw new Error(`no figure "${id}"`);
    return figureToSVG(figure, this.exportCaption());
  }

  /** Downloads figure `id` as SVG or PNG (2× pixels). */
  async exportFigure(id: string, format: 'svg' | 'png'): Promise<void> {
    const svg = this.figureSVG(id);
    const name = `${this.fileStem()}-${id}.${format}`;
    if (format === 'svg') downloadBlob(name, new Blob([svg], { type: 'image/svg+xml' }));
    else downloadBlob(name, await figureToPNG(svg));
  }

  private queueRun(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      if (this.isConnected) void this.run();
    });
  }

  /** The configuration from configure(), else from the attributes. */
  private resolveConfig(): ChartConfig {
    if (this.config) return this.config;
    const specText = this.getAttribute('spec');
    let spec: Record<string, unknown>;
    if (specText) {
      try {
        spec = JSON.parse(specText);
      } catch (error) {
        throw new SpecError([{ path: 'spec', message: `the spec attribute is not JSON: ${(error as Error).message}` }]);
      }
    } else {
      const preset = this.getAttribute('preset') ?? DEMO_DEFAULT_PRESET;
      try {
        spec = demoPresetSpec(preset);
      } catch (error) {
        throw new SpecError([{ path: 'preset', message: (error as Error).message }]);
      }
    }
    for (const name of ['replicates', 'generations']) {
      const value = this.getAttribute(name);
      if (value !== null) spec[name] = Number.isFinite(Number(value)) && value.trim() !== '' ? Number(value) : value;
    }
    const seed = this.getAttribute('seed');
    if (seed !== null) spec.seed = Number.isFinite(Number(seed)) && seed.trim() !== '' ? Number(seed) : seed;
    const backend = this.getAttribute('backend');
    if (backend !== null) spec.backend = backend;
    let compare: Strategy[];
    try {
      compare = parseStrategies(this.getAttribute('compare'));
    } catch (error) {
      throw new SpecError([{ path: 'compare', message: (error as Error).message }]);
    }
    return { spec, compare, metric: this.getAttribute('metric') ?? undefined };
  }

  /** The runs a configuration stands for, each validated here before any work starts. */
  private plan(config: ChartConfig): Plan[] {
    const compare = config.compare?.length && config.spec.model === 'linear' ? config.compare : [];
    this.skipped = [];
    const inputs = compare.length
      ? compare.map((s) => ({ label: STRATEGY_LABELS[s], input: strategySpec(config.spec, s), strategy: s }))
        .filter(({ input, strategy }) => {
          const reason = strategySkipReason(input, strategy);
          if (reason) this.skipped.push(reason);
          return !reason;
        })
      : [{ label: '', input: structuredClone(config.spec) }];
    if (!inputs.length) throw new SpecError([{ path: 'compare', message: this.skipped.join('; ') }]);
    const issues: SpecIssue[] = [];
    const plans: Plan[] = [];
    for (const { label, input } of inputs) {
      try {
        const spec = parseSpec(input);
        const model = MODELS[spec.model];
        const cells = experimentCells(spec);
        plans.push({
          label, input, replicates: spec.replicates, generations: spec.generations,
          series: {
            label,
            columns: model.columns(cells.specs[0]),
            params: cells.params,
            cells: cells.specs.map(() => []),
            closedForms: cells.specs.map((cell) => model.closedForms?.(cell) ?? []),
          },
          images: cells.specs.map(() => new Map()),
        });
      } catch (error) {
        if (!(error instanceof SpecError)) throw error;
        issues.push(...error.issues.map((issue) => (label ? { ...issue, message: `${issue.message} (strategy ${label})` } : issue)));
      }
    }
    if (issues.length) throw new SpecError(issues);
    return plans;
  }

  /** Stops the current run (at once; its partial results stay on screen). */
  cancel(): void {
    this.controller?.abort();
  }

  /** Runs the configuration; resolves with the results, or null if cancelled or invalid. */
  async run(): Promise<FinishedRun | null> {
    this.cancel();
    await this.current?.catch(() => null);
    const run = this.execute();
    this.current = run;
    return run;
  }

  private async execute(): Promise<FinishedRun | null> {
    const token = ++this.token;
    const controller = new AbortController();
    this.controller = controller;
    this.finished = null;
    this.setError(null);
    let config: ChartConfig;
    try {
      config = this.resolveConfig();
      this.plans = this.plan(config);
    } catch (error) {
      const issues = error instanceof SpecError ? error.issues : undefined;
      this.fail(error as Error, issues);
      return null;
    }
    this.heatmapMetric = config.metric ?? this.heatmapMetric;
    this.renderHead(config);
    this.ranOn = undefined;
    this.done = 0;
    this.replicateGenerations = 0;
    this.started = performance.now();
    this.setState('running');
    this.$('.every').hidden = true;
    this.sampleRound = null;
    this.renderSamples();
    this.emit('synthloop-start', { plans: this.plans.map((p) => ({ label: p.label, spec: p.input })) });
    void this.runner.backend().then((info) => {
      if (token !== this.token) return;
      this.backendInfo = info;
      this.showBackend();
      this.emit('synthloop-backend', info);
    });
    this.invalidate();
    const runs: LabelledRun[] = [];
    this.completed = runs;
    this.showNotices();
    try {
      for (const [index, plan] of this.plans.entries()) {
        this.progressLabel = this.plans.length > 1 ? `${plan.label} (${index + 1}/${this.plans.length})` : '';
        const result = await this.runner.run(plan.input, (stats: Stats, cell: number) => {
          if (token !== this.token) return;
          plan.series.cells[cell].push(stats);
          this.replicateGenerations += plan.replicates;
          if (cell === 0) {
            this.done += 1;
            const total = this.plans.reduce((sum, p) => sum + p.generations + 1, 0);
            const seconds = (performance.now() - this.started) / 1000;
            this.emit('synthloop-progress', { done: this.done, total, strategy: plan.label, t: stats.t, replicateGenerations: this.replicateGenerations, throughput: this.replicateGenerations / seconds });
          }
          this.invalidate();
        }, controller.signal, (image) => {
          if (token !== this.token) return;
          plan.images[image.cell]?.set(image.t, image);
          this.emit('synthloop-image', { series: index, image });
          this.invalidateSamples();
        });
        if (token !== this.token) return null;
        // The worker's statistics are authoritative (same values; complete even if a message was dropped).
        plan.series.cells = result.cells ? result.cells.map((c) => c.generations) : [result.generations];
        plan.series.closedForms = result.cells ? result.cells.map((c) => c.closedForms) : [result.closedForms];
        this.ranOn = result.backend;
        if (result.adapter) this.backendInfo = { webgpu: true, adapter: result.adapter };
        runs.push({ label: plan.label, result });
        this.showNotices();
      }
    } catch (error) {
      if (token !== this.token) return null;
      if (error instanceof RunCancelled) {
        this.setState('cancelled');
        this.renderStatus();
        this.emit('synthloop-cancelled', {});
        return null;
      }
      this.fail(error as Error, error instanceof RunFailed ? error.issues : undefined);
      return null;
    }
    const elapsedSeconds = (performance.now() - this.started) / 1000;
    this.finished = {
      runs,
      backend: this.backendInfo,
      elapsedSeconds,
      replicateGenerations: this.replicateGenerations,
      throughput: this.replicateGenerations / elapsedSeconds,
    };
    this.setState('done');
    this.showBackend();
    this.render();
    this.renderEveryGeneration();
    this.emit('synthloop-done', this.finished);
    return this.finished;
  }

  /** An embed (configured by attributes, not by a page's form) says what it shows: a title and a caption citing the paper. */
  private renderHead(config: ChartConfig): void {
    const head = this.$('.head');
    const preset = this.getAttribute('preset') ?? (this.getAttribute('spec') ? matchingPreset(config.spec) : DEMO_DEFAULT_PRESET);
    head.hidden = this.config !== undefined || this.getAttribute('controls') === 'none';
    if (head.hidden) return;
    const title = this.getAttribute('heading') ?? (preset && PRESETS[preset] ? PRESETS[preset].title : `synthloop: ${String(config.spec.model)}`);
    this.$('.title').textContent = title;
    const lead = this.$('.lead');
    lead.replaceChildren();
    if (preset && PRESETS[preset]) {
      PRESETS[preset].papers.forEach((id, i) => {
        const paper = PAPERS[id as keyof typeof PAPERS];
        if (i) lead.append('; ');
        const link = document.createElement('a');
        link.href = paper.url;
        link.textContent = paper.cite;
        link.title = paper.title;
        lead.append(link);
      });
      lead.append(`: ${PRESETS[preset].shows}. `);
    }
    lead.append(`Seed ${String(config.spec.seed ?? 1)}; curves are means over replicates with ± 2 SE bands, dashed lines exact closed forms.`);
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private setState(state: ChartState): void {
    this.setAttribute('state', state);
    const running = state === 'running';
    const controls = this.getAttribute('controls') !== 'none';
    this.$('.cancel').hidden = !running || !controls;
    this.$('.rerun').hidden = running || !controls;
    this.$('.csv').hidden = state !== 'done' || !controls;
    this.$('.json').hidden = state !== 'done' || !controls;
  }

  private fail(error: Error, issues?: SpecIssue[]): void {
    const text = issues?.length ? issues.map((i) => `${i.path}: ${i.message}`).join('\n') : error.message;
    this.setError(text);
    this.setState('error');
    this.renderStatus();
    this.emit('synthloop-error', { message: error.message, issues });
  }

  private setError(text: string | null): void {
    const box = this.$('.error');
    box.hidden = text === null;
    box.textContent = text ?? '';
  }

  private showBackend(): void {
    const adapter = this.$('.adapter');
    const cpu = this.ranOn === 'cpu' || (this.backendInfo !== undefined && !this.backendInfo.webgpu);
    adapter.textContent = describeBackend(this.backendInfo, this.ranOn);
    adapter.classList.toggle('cpu', cpu);
    this.dataset.backend = cpu ? 'cpu' : this.backendInfo?.webgpu ? 'webgpu' : '';
    this.showNotices();
  }

  /** What the user should know: no WebGPU here, strategies left out, the engine's own notices. */
  private showNotices(): void {
    const runs = this.completed;
    const lines: string[] = [];
    if (this.backendInfo && !this.backendInfo.webgpu) {
      lines.push(`This browser has no usable WebGPU (${this.backendInfo.reason}), so the runs compute on the float64 CPU twin: `
        + 'the same random streams and statistics, only slower. Chrome, Edge and recent Safari and Firefox have WebGPU.');
    }
    lines.push(...this.skipped);
    for (const notice of runs.flatMap((r) => r.result.notices)) {
      if (!/float64 CPU twin ran/.test(notice) && !lines.includes(notice)) lines.push(notice);
    }
    const box = this.$('.notice');
    box.hidden = lines.length === 0;
    box.textContent = lines.join('\n');
  }

  /** Redraws on the next frame (at most once per frame while results stream in). */
  private invalidate(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Redraws the samples panel on the next frame. */
  private invalidateSamples(): void {
    if (this.samplesFrame) return;
    this.samplesFrame = requestAnimationFrame(() => {
      this.samplesFrame = 0;
      this.renderSamples();
    });
  }

  /** Every cell's image at the chosen round (the latest by default), side by side, each captioned. */
  private renderSamples(): void {
    const panel = this.$('.samples');
    const plans = this.plans;
    const rounds = [...new Set(plans.flatMap((p) => p.images.flatMap((cell) => [...cell.keys()])))].sort((a, b) => a - b);
    panel.hidden = rounds.length === 0;
    const grid = this.$('.sample-grid');
    if (!rounds.length) {
      grid.replaceChildren();
      return;
    }
    const latest = rounds.at(-1)!;
    const select = this.$<HTMLSelectElement>('.samples select');
    const options = [`<option value="latest">latest (${latest})</option>`, ...rounds.map((t) => `<option value="${t}">${t}</option>`)].join('');
    if (select.innerHTML !== options) select.innerHTML = options;
    select.value = this.sampleRound === null || !rounds.includes(this.sampleRound) ? 'latest' : String(this.sampleRound);
    const round = select.value === 'latest' ? latest : this.sampleRound!;
    const model = String(plans[0].input.model ?? '');
    const figures: HTMLElement[] = [];
    plans.forEach((plan, p) => plan.images.forEach((cell, c) => {
      // A cell still computing this round shows its latest image before it.
      const shown = cell.get(round) ?? [...cell.entries()].filter(([t]) => t <= round).sort(([a], [b]) => b - a)[0]?.[1];
      if (!shown) return;
      const figure = document.createElement('figure');
      figure.className = 'sample';
      figure.dataset.series = String(p);
      figure.dataset.cell = String(c);
      figure.dataset.t = String(shown.t);
      const canvas = document.createElement('canvas');
      canvas.width = shown.width;
      canvas.height = shown.height;
      canvas.dataset.testid = 'sample-canvas';
      const pixels = new ImageData(shown.width, shown.height);
      for (let i = 0; i < shown.gray.length; i++) {
        pixels.data[4 * i] = pixels.data[4 * i + 1] = pixels.data[4 * i + 2] = shown.gray[i];
        pixels.data[4 * i + 3] = 255;
      }
      canvas.getContext('2d')!.putImageData(pixels, 0, 0);
      const caption = document.createElement('figcaption');
      const cellText = cellLabel(model, plan.series.params[c] ?? {});
      caption.textContent = [`round ${shown.t}`, plan.label, cellText].filter(Boolean).join(' · ');
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `generated digits, ${caption.textContent}`);
      figure.append(canvas, caption);
      figures.push(figure);
    }));
    grid.replaceChildren(...figures);
  }

  private renderStatus(): void {
    const total = this.plans.reduce((sum, p) => sum + p.generations + 1, 0);
    const progress = this.$<HTMLProgressElement>('progress');
    progress.value = total ? this.done / total : 0;
    const state = this.state;
    const elapsed = (performance.now() - this.started) / 1000;
    const current = this.plans.find((p) => p.series.cells[0].length < p.generations + 1) ?? this.plans.at(-1);
    const t = current ? current.series.cells[0].length : 0;
    const text = state === 'running'
      ? `generation ${Math.min(t, current?.generations ?? 0)} of ${current?.generations ?? 0}${this.progressLabel ? ` · ${this.progressLabel}` : ''}`
      : state === 'done' ? `done in ${elapsed.toFixed(2)} s`
        : state === 'cancelled' ? `cancelled after ${elapsed.toFixed(2)} s` : state === 'error' ? 'stopped by an error' : '';
    this.$('.progress-text').textContent = text;
    const rate = this.finished?.throughput ?? (elapsed > 0 ? this.replicateGenerations / elapsed : 0);
    this.$('.throughput').textContent = this.replicateGenerations
      ? `${Math.round(rate).toLocaleString('en-US')} replicate-generations/s` : '';
  }

  private render(): void {
    this.renderStatus();
    const plans = this.plans;
    if (!plans.length) return;
    const first = plans[0];
    const model = (first.input.model as string) ?? '';
    const sweepPaths = Object.keys(first.series.params[0] ?? {});
    const charts = this.$('.charts');
    const width = charts.clientWidth || 640;
    this.lastWidth = charts.clientWidth;
    const columns = width >= 720 ? 2 : 1;
    charts.className = `charts ${columns === 2 ? 'two' : 'one'}`;
    const chartWidth = Math.floor((width - (columns - 1) * 16) / columns);
    // The heatmap's metric picker.
    const picker = this.$('.picker');
    picker.hidden = sweepPaths.length !== 2;
    const metrics = heatmapMetrics(first.series.columns);
    if (!metrics.some((c) => c.key === this.heatmapMetric)) this.heatmapMetric = defaultHeatmapMetric(model) ?? metrics[0]?.key;
    if (!picker.hidden) {
      const select = this.$<HTMLSelectElement>('.picker select');
      const named = (c: MetricColumn) => (viewOf(model)?.categories?.[c.key] ? metricName(model, c.key) : c.key === c.label ? c.key : `${c.key}: ${c.label}`);
      const options = metrics.map((c) => `<option value="${escapeHtml(c.key)}">${escapeHtml(named(c))}</option>`).join('');
      if (select.innerHTML !== options) select.innerHTML = options;
      select.value = this.heatmapMetric ?? '';
    }
    let series = plans.map((p) => p.series);
    let specs = plans.map((p) => p.input);
    const pinned = this.pinned.filter((p) => p.input.model === model && sweepPaths.length < 2
      && JSON.stringify(Object.keys(p.series[0]?.params[0] ?? {})) === JSON.stringify(sweepPaths));
    if (pinned.length) {
      const current = plans[0].input;
      const names = (input: Record<string, unknown>) => specDifference(input, current === input ? pinned[0].input : current);
      series = [
        ...series.map((s) => ({ ...s, label: `this run${names(current) ? ` (${names(current)})` : ''}${s.label ? ` · ${s.label}` : ''}` })),
        ...pinned.flatMap((p) => p.series.map((s) => ({ ...s, label: `pinned${names(p.input) ? ` (${names(p.input)})` : ''}${s.label ? ` · ${s.label}` : ''}` }))),
      ];
      specs = [...specs, ...pinned.map((p) => p.input)];
    }
    const elements = renderCharts({
      model, specs, sweepPaths, generations: Math.max(first.generations, ...pinned.map((p) => Number(p.input.generations ?? 0))), series,
      heatmapMetric: this.heatmapMetric, width: chartWidth, fullWidth: width, logY: this.logY,
    });
    charts.replaceChildren(...elements);
    const wasOpen = this.root.querySelector<HTMLDetailsElement>('.numbers details.cells')?.open;
    this.$('.numbers').innerHTML = this.summaryTable(sweepPaths);
    const cells = this.root.querySelector<HTMLDetailsElement>('.numbers details.cells');
    if (cells && wasOpen !== undefined) cells.open = wasOpen;
  }

  /** The latest generation of every run (a sweep: each listed cell's), as the page shows it. */
  private summaryTable(sweepPaths: string[]): string {
    const plans = this.plans;
    const model = String(plans[0]?.input.model);
    const columns = unionColumns(plans);
    const multi = plans.length > 1;
    const head = (c: MetricColumn) => `<th>${escapeHtml(metricName(model, c.key, c.label))}${c.se ? ' ± SE' : ''}</th>`;
    const valueCell = (p: number, c: MetricColumn, g: Stats | undefined) => {
      const value = g?.[c.key];
      const se = c.se ? g?.[c.se] : undefined;
      const seText = c.se && se !== null && se !== undefined ? `<span class="se"> ± <span data-se="${c.key}">${formatNumber(se)}</span></span>` : '';
      const category = viewOf(model)?.categories?.[c.key];
      if (category && g) {
        return `<td data-series="${p}" data-metric="${c.key}" data-value="${value ?? ''}"><span class="v">${escapeHtml(category.names[category.of(g)] ?? '—')}</span></td>`;
      }
      return `<td data-series="${p}" data-metric="${c.key}"><span class="v">${g ? formatNumber(value) : ''}</span>${seText}</td>`;
    };
    if (!sweepPaths.length) {
      const closed = plans.some((p) => p.series.closedForms[0]?.length);
      const headline = plans.map((p) => p.series.closedForms[0]?.[0]).find(Boolean);
      const cfHead = headline ? `${headline.limit ? 'limit' : 'exact'} ${headline.metric}` : '';
      const rows = plans.map((plan, p) => {
        const g = plan.series.cells[0].at(-1);
        const cf = plan.series.closedForms[0]?.[0];
        const exact = g && cf ? formatNumber(cf.values[g.t]) : '—';
        return `<tr data-series="${p}">${multi ? `<td>${escapeHtml(plan.label)}</td>` : ''}<td data-metric="t">${g?.t ?? ''}</td>${columns.map((c) => valueCell(p, c, g)).join('')}${closed ? `<td data-metric="exact">${exact}</td>` : ''}</tr>`;
      }).join('');
      return `<table data-testid="summary"><thead><tr>${multi ? '<th>strategy</th>' : ''}<th>t</th>${columns.map(head).join('')}${closed ? `<th>${escapeHtml(cfHead)}</th>` : ''}</tr></thead><tbody>${rows}</tbody></table>`
        + '<p class="caption">The latest generation; mean over replicates ± its standard error. Download CSV or JSON for every number.</p>';
    }
    const cellCount = plans[0].series.params.length;
    const step = Math.max(1, Math.ceil(cellCount / SWEEP_ROWS));
    const rows: string[] = [];
    plans.forEach((plan, p) => {
      for (let c = 0; c < cellCount; c += step) {
        const g = plan.series.cells[c]?.at(-1);
        const params = sweepPaths.map((path) => `<td data-param="${escapeHtml(path)}">${formatNumber(plan.series.params[c][path])}</td>`).join('');
        rows.push(`<tr data-series="${p}" data-cell="${c}">${multi ? `<td>${escapeHtml(plan.label)}</td>` : ''}${params}<td>${g?.t ?? ''}</td>${columns.map((col) => valueCell(p, col, g)).join('')}</tr>`);
      }
    });
    const note = step > 1 ? `${cellCount} cells; every ${step}th listed at its last generation (all of them in the CSV/JSON download).` : `${cellCount} cells, each at its last generation.`;
    return `<details class="cells"${cellCount <= 12 ? ' open' : ''}><summary>Numbers per cell</summary><div><table data-testid="summary"><thead><tr>${multi ? '<th>strategy</th>' : ''}${sweepPaths.map((p) => `<th>${escapeHtml(fieldName(model, p))}</th>`).join('')}<th>t</th>${columns.map(head).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div><p class="caption">${note}</p></details>`;
  }

  /** A run without a sweep: every generation of every strategy, in a collapsed table. */
  private renderEveryGeneration(): void {
    const every = this.$('.every');
    const plans = this.plans;
    if (!plans.length || plans[0].series.params.length !== 1 || Object.keys(plans[0].series.params[0]).length) {
      every.hidden = true;
      return;
    }
    const model = String(plans[0].input.model);
    const columns = unionColumns(plans);
    const multi = plans.length > 1;
    const rows = plans.flatMap((plan) => plan.series.cells[0].map((g) => {
      const cf = plan.series.closedForms[0]?.[0];
      return `<tr>${multi ? `<td>${escapeHtml(plan.label)}</td>` : ''}<td>${g.t}</td>${columns.map((c) => `<td>${formatNumber(g[c.key])}${c.se && g[c.se] !== null ? `<span class="se"> ± ${formatNumber(g[c.se])}</span>` : ''}</td>`).join('')}${cf ? `<td>${formatNumber(cf.values[g.t])}</td>` : plans.some((p) => p.series.closedForms[0]?.length) ? '<td>—</td>' : ''}</tr>`;
    }));
    const headline = plans.map((p) => p.series.closedForms[0]?.[0]).find(Boolean);
    every.hidden = false;
    this.$('[data-testid="every-generation"]').innerHTML = `<table><thead><tr>${multi ? '<th>strategy</th>' : ''}<th>t</th>${columns.map((c) => `<th>${escapeHtml(metricName(model, c.key, c.label))}</th>`).join('')}${headline ? `<th>${escapeHtml(`${headline.limit ? 'limit' : 'exact'} ${headline.metric}`)}</th>` : ''}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
  }
}

/** The fields where `a` differs from `b`, in words: `dimension d 5`. */
function specDifference(a: Record<string, unknown>, b: Record<string, unknown>): string {
  const flat = (o: Record<string, unknown>, prefix = ''): Record<string, string> => Object.fromEntries(Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.entries(flat(v as Record<string, unknown>, `${prefix}${k}.`)) : [[`${prefix}${k}`, JSON.stringify(v)]]));
  const fa = flat(a), fb = flat(b);
  return Object.keys(fa).filter((k) => fa[k] !== fb[k] && k !== 'sweep').slice(0, 3).map((k) => `${fieldName(String(a.model), k)} = ${fa[k].replace(/^"|"$/g, '')}`).join(', ');
}

/** Every strategy's metric columns (a verifier adds some), in the order of the longest list. */
function unionColumns(plans: Plan[]): MetricColumn[] {
  const lists = plans.map((p) => p.series.columns).sort((a, b) => b.length - a.length);
  const columns = [...lists[0]];
  for (const list of lists.slice(1)) for (const c of list) if (!columns.some((k) => k.key === c.key)) columns.push(c);
  return columns;
}

/** Registers <synthloop-chart> (once). */
export function defineSynthloopChart(name = 'synthloop-chart'): void {
  if (!customElements.get(name)) customElements.define(name, name === 'synthloop-chart' ? SynthloopChart : class extends SynthloopChart {});
}

/**
 * One call: puts a <synthloop-chart> running `spec` (a spec object, or a preset's name) into
 * `target` and returns it; `await chart.run()` is not needed — it starts by itself.
 */
export function mount(target: Element, spec: Record<string, unknown> | string, options: { compare?: Strategy[]; metric?: string; controls?: boolean } = {}): SynthloopChart {
  defineSynthloopChart();
  const chart = document.createElement('synthloop-chart') as SynthloopChart;
  if (typeof spec === 'string') chart.setAttribute('preset', spec);
  else chart.configure({ spec, compare: options.compare, metric: options.metric });
  if (typeof spec === 'string' && options.compare?.length) chart.setAttribute('compare', options.compare.join(','));
  if (typeof spec === 'string' && options.metric) chart.setAttribute('metric', options.metric);
  if (options.controls === false) chart.setAttribute('controls', 'none');
  target.append(chart);
  return chart;
}
