/**
 * The element's plots, drawn with Observable Plot from the statistics streamed so far:
 * - a run without a sweep: each metric against generation t, with a ±2 SE band, the exact
 *   closed form dashed where docs/science.md gives one, one colour per strategy;
 * - a one-round run (T = 0) without a sweep: each metric's value ± 2 SE as a point;
 * - a one-axis sweep: each metric at the last generation against the swept value — except for
 *   models whose sweep compares a few arms (mnist-cvae's keepFraction 0.1 vs 1): there each cell is
 *   a curve against t, as strategies are;
 * - a two-axis sweep: a heatmap of one metric (the phase diagram), with a read-out on hover.
 */
import * as Plot from '@observablehq/plot';
import type { ClosedForm, MetricColumn } from '../core/engine/model.js';
import type { Stats } from '../core/engine/result.js';
import { sciencePath, scienceUrl } from '../core/theory/science.js';
import { bayesAccuracy, breakdownPoint, selectorRates } from '../models/gmm-selection/theory.js';
import { curationLimit } from '../models/curation/theory.js';
import { theoryInput } from '../models/curation/problem.js';
import { parseCurationSpec } from '../models/curation/spec.js';

export interface SeriesData {
  /** The strategy's name ('' for a single run). */
  label: string;
  columns: MetricColumn[];
  /** Per cell: the swept fields' values ({} without a sweep). */
  params: Record<string, number>[];
  /** Per cell: the generations received so far. */
  cells: Stats[][];
  /** Per cell: the exact expectation, where one applies. */
  closedForms: (ClosedForm | null)[];
  /** Per cell: every closed form the engine knows for it (closedForms' one and more), where computed. */
  exact?: ClosedForm[][];
}

export interface ChartInput {
  model: string;
  /** Each series' spec as written. */
  specs: Record<string, unknown>[];
  /** The swept fields (empty without a sweep). */
  sweepPaths: string[];
  generations: number;
  series: SeriesData[];
  /** The heatmap's metric (a 2-axis sweep). */
  heatmapMetric?: string;
  /** Width of one chart in the grid, and of a chart spanning the grid (the heatmap). */
  width: number;
  fullWidth: number;
  /** A logarithmic y axis (values ≤ 0 left out). */
  logY?: boolean;
}

interface ChartDef {
  id: string;
  title: string;
  /** The y axis's label. */
  y?: string;
  metrics: string[];
  /** Overlay these closed-form metrics on this chart. */
  closedForm?: string[];
  /** Draw the metrics stacked (they sum to something shown elsewhere). */
  stack?: boolean;
  yDomain?: [number, number];
  /** The first generation where the metric is defined. */
  fromT?: number;
  /** false: the y axis need not reach 0 (values far from it, whose differences matter). */
  zero?: boolean;
  /** Shown only if this holds for the runs' specs as written. */
  when?: (specs: Record<string, unknown>[]) => boolean;
}

const CHARTS: Record<string, ChartDef[]> = {
  linear: [
    { id: 'mse', title: 'Error ‖θ̂ − θ*‖² (mse) ± 2 SE', y: 'mean ‖θ̂ − θ*‖²', metrics: ['mse'], closedForm: ['risk'] },
    { id: 'bias-variance', title: 'Bias² and variance (they sum to the mse)', y: 'bias² or variance', metrics: ['bias2', 'variance'] },
    { id: 'accept', title: 'Acceptance rate of synthetic samples', y: 'fraction accepted', metrics: ['acceptRate'], yDomain: [0, 1], when: (specs) => specs.some((s) => (s.verifier as { kind?: string } | undefined)?.kind === 'ball') },
    { id: 'center', title: 'Distance² to the verifier\'s centre ± 2 SE', y: 'mean ‖θ̂ − centre‖²', metrics: ['centerDist2'] },
  ],
  'yi-grid': [
    { id: 'losses', title: 'Loss ‖θ̂ₖ − θ*‖² of each estimator ± 2 SE', y: 'mean loss ‖θ̂ₖ − θ*‖²', metrics: ['loss0', 'loss1', 'loss2', 'loss3'], closedForm: ['loss0'] },
    { id: 'accept', title: 'Acceptance rate of real samples ± 2 SE', y: 'fraction accepted', metrics: ['acceptReal'], yDomain: [0, 1] },
  ],
  'gmm-selection': [
    { id: 'accuracy', title: 'Population accuracy of the classifier ± 2 SE', y: 'accuracy', metrics: ['accuracy'] },
    { id: 'kept', title: 'Fraction of pairs kept by the selector ± 2 SE', y: 'fraction kept', metrics: ['keptFraction'], closedForm: ['keptFraction'], yDomain: [0, 1] },
  ],
  gaussian: [
    { id: 'variance', title: 'Mean fitted variance σ̂² ± 2 SE', y: 'E σ̂²', metrics: ['varMean'], closedForm: ['varMean'] },
    { id: 'log-variance', title: 'log σ̂²: mean ± 2 SE and median', y: 'log σ̂²', metrics: ['logVarMean', 'logVarMedian'], closedForm: ['logVarMean'] },
    { id: 'mean-error', title: 'Error of the mean ‖μ̂ − μ‖² ± 2 SE', y: 'E‖μ̂ − μ‖²', metrics: ['meanErr2'], closedForm: ['meanErr2'] },
    { id: 'collapsed', title: 'Collapsed replicates (fraction)', y: 'fraction collapsed', metrics: ['collapsed'], yDomain: [0, 1] },
  ],
  'amin-erm': [
    { id: 'error', title: 'Error ‖μ̂ − μ‖² of ERM and of the weighted estimator ± 2 SE', y: 'E‖μ̂ − μ‖²', metrics: ['erm', 'weighted'], closedForm: ['erm', 'weighted'] },
  ],
  categorical: [
    { id: 'r', title: 'R = ‖P̂ − P*‖² ± 2 SE', y: 'E‖P̂ − P*‖²', metrics: ['r'], closedForm: ['r'] },
    { id: 'tv', title: 'Total variation ½‖P̂ − P*‖₁ ± 2 SE', y: 'total variation', metrics: ['tv'] },
    { id: 'kl', title: 'KL(P* ‖ P̂) ± 2 SE', y: 'KL (nats)', metrics: ['kl'] },
    { id: 'absorbed', title: 'Absorbed at a point mass (fraction)', y: 'fraction absorbed', metrics: ['absorbed'], yDomain: [0, 1] },
  ],
  bigram: [
    { id: 'r', title: 'Row error ‖P̂ − P*‖² ± 2 SE', y: 'E‖P̂ − P*‖² per row', metrics: ['r'], closedForm: ['r'] },
    { id: 'tv', title: 'Total variation per row ± 2 SE', y: 'total variation', metrics: ['tv'] },
    { id: 'kl', title: 'KL(P* ‖ P̂) per row ± 2 SE', y: 'KL (nats)', metrics: ['kl'] },
  ],
  curation: [
    { id: 'reward', title: 'Expected reward E_p̂ r ± 2 SE', y: 'E r', metrics: ['reward'], closedForm: ['reward'], zero: false },
    { id: 'top', title: 'Mass on the reward\'s maximisers ± 2 SE', y: 'p̂(argmax r)', metrics: ['top'], closedForm: ['top'], yDomain: [0, 1] },
    {
      id: 'curators', title: 'Each curator\'s maximisers: mass ± 2 SE', y: 'p̂(argmax rᵢ)', metrics: ['top1', 'top2', 'top3'], closedForm: ['top1', 'top2', 'top3'], yDomain: [0, 1],
      when: (specs) => specs.some((s) => Array.isArray(s.curators) && s.curators.length > 1),
    },
    { id: 'divergence', title: 'KL(p̂ ‖ P*) and entropy of p̂ ± 2 SE', y: 'nats', metrics: ['divergence', 'entropy'], closedForm: ['divergence', 'entropy'] },
  ],
  'mnist-cvae': [
    { id: 'nelbo', title: 'Test NELBO (nats per image) ± 2 SE', y: 'NELBO (nats/image)', metrics: ['nelbo'], zero: false },
    { id: 'fid', title: 'FID to real digits (classifier features) ± 2 SE', y: 'FID', metrics: ['fid'], zero: false },
    { id: 'accuracy', title: 'Classifier accuracy on generated digits ± 2 SE', y: 'accuracy', metrics: ['accuracy'], yDomain: [0, 1] },
    { id: 'verifier', title: 'Verifier\'s held-out accuracy ± 2 SE', y: 'accuracy', metrics: ['verifierAccuracy'], yDomain: [0, 1], fromT: 1 },
  ],
};

/** Models whose one-axis sweep is a handful of arms to compare round by round: each cell is a curve against t. */
const CELLS_OVER_TIME = new Set(['mnist-cvae']);
/** Most cells drawn as curves (more: the usual metric-against-swept-value chart). */
const MAX_CELL_CURVES = 6;

/** A sweep cell in words, for legends and captions: `keepFraction 0.1 (filtered)`, `sigma 0.5, n 50`. */
export function cellLabel(model: string, params: Record<string, number>): string {
  return Object.entries(params).map(([path, value]) => {
    const text = `${path} ${formatNumber(value)}`;
    if (model === 'mnist-cvae' && path === 'keepFraction') return `${text} (${value < 1 ? 'filtered' : 'unfiltered'})`;
    return text;
  }).join(', ');
}

/** Whether this input's one-axis sweep is drawn as one curve per cell against t. */
export function cellsOverTime(input: Pick<ChartInput, 'model' | 'sweepPaths' | 'series'>): boolean {
  return input.sweepPaths.length === 1 && CELLS_OVER_TIME.has(input.model) && input.series.every((s) => s.params.length <= MAX_CELL_CURVES);
}

/** The metric a phase diagram shows unless one is chosen. */
export const DEFAULT_HEATMAP_METRIC: Record<string, string> = {
  linear: 'mse', 'yi-grid': 'best', 'gmm-selection': 'accuracy', gaussian: 'varMean', 'amin-erm': 'erm', categorical: 'r', bigram: 'r', curation: 'reward', 'mnist-cvae': 'fid',
};

/** yi-grid's `best`: which estimator has the smallest mean loss (4: not separated from the runner-up by 2 SE). */
export const BEST_NAMES = ['θ̂₀ real', 'θ̂₁ verified real', 'θ̂₂ synthetic from θ̂₁', 'θ̂₃ synthetic from θ̂₀', 'no clear best (within 2 SE)'];
const BEST_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#d9d9d9'];

/** The colours of series (or metrics), in order: Tableau 10. */
export const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ab'];

/** Spec fields in words, for axes and legends. */
const FIELD_NAMES: Record<string, string> = {
  flipRate: 'label flip rate p', meanNorm: 'signal ‖μ‖', n: 'samples per generation n', n0: 'real samples n₀', d: 'dimension d',
  sigma: 'noise σ', bias: 'verifier bias', radius: 'verifier radius', 'verifier.bias': 'verifier bias', 'verifier.radius': 'verifier radius',
  'verifier.slack': 'verifier slack', realFraction: 'real fraction', ridgeLambda: 'ridge λ', keepFraction: 'kept fraction',
  m: 'samples per generation M', dim: 'dimension', 'selector.angle': 'verifier angle θ', 'selector.keepCorrect': 'keep rate ϕ (correct)',
  'selector.keepWrong': 'keep rate ψ (wrong)', k: 'categories k', n1: 'real samples n₁', n2: 'synthetic samples n₂',
  alpha: 'contamination rate α', candidates: 'candidates K',
};
export const fieldName = (path: string) => FIELD_NAMES[path] ?? path;

/** Metric names in words (the engine's column labels are terse). */
const METRIC_NAMES: Record<string, string> = {
  mse: 'mse ‖θ̂ − θ*‖²', bias2: 'bias²', variance: 'variance', acceptRate: 'acceptance rate', centerDist2: 'distance² to the centre',
  accuracy: 'accuracy', keptFraction: 'fraction kept', varMean: 'σ̂²', logVarMean: 'mean log σ̂²', logVarMedian: 'median log σ̂²',
  meanErr2: '‖μ̂ − μ‖²', collapsed: 'collapsed', loss0: 'θ̂₀ real', loss1: 'θ̂₁ verified real', loss2: 'θ̂₂ synthetic from θ̂₁',
  loss3: 'θ̂₃ synthetic from θ̂₀', acceptReal: 'acceptance of real samples', best: 'best estimator', nelbo: 'NELBO', fid: 'FID',
  verifierAccuracy: 'verifier accuracy', r: 'R = ‖P̂ − P*‖²', tv: 'total variation', kl: 'KL(P* ‖ P̂)', absorbed: 'absorbed', risk: 'risk',
  erm: 'ERM ‖μ̂ − μ‖²', weighted: 'weighted ‖μ̂ − μ‖²', reward: 'expected reward E r', top: 'mass on argmax r',
  divergence: 'KL(p̂ ‖ P*)', entropy: 'entropy of p̂', nash: 'Σ wᵢ log E e^{rᵢ}', reward1: 'E r₁', reward2: 'E r₂', reward3: 'E r₃',
  top1: 'mass on argmax r₁', top2: 'mass on argmax r₂', top3: 'mass on argmax r₃',
};
export const metricName = (key: string, fallback?: string) => METRIC_NAMES[key] ?? fallback ?? key;

/** One entry of a figure's legend, as the page and the exported SVG draw it. */
export interface LegendItem {
  label: string;
  color: string;
  /** line (solid or dashed), band (a ±2 SE area), rule (a reference line), swatch (a filled square). */
  kind: 'line' | 'band' | 'rule' | 'swatch';
  dash?: string;
}

/** What an exported figure carries besides the plot. */
export interface FigureInfo {
  title: string;
  note?: string;
  legend: LegendItem[];
}

/** The figure's legend and title, for export (set by frame()). */
export const FIGURE_INFO = new WeakMap<HTMLElement, FigureInfo>();

/** Six significant digits, no trailing zeros; a dash where the engine had no estimate. */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

function columnOf(series: SeriesData[], key: string): MetricColumn | undefined {
  for (const s of series) {
    const column = s.columns.find((c) => c.key === key);
    if (column) return column;
  }
  return undefined;
}

const labelOf = (series: SeriesData[], key: string) => metricName(key, columnOf(series, key)?.label);
const num = (x: number | null | undefined) => (x === null || x === undefined ? NaN : x);

interface Row {
  x: number | string;
  series: string;
  metric: string;
  key: string;
  value: number;
  se: number;
  lo: number;
  hi: number;
}

function rowFor(s: SeriesData, metricKey: string, g: Stats, x: number | string, series: SeriesData[]): Row {
  const column = s.columns.find((c) => c.key === metricKey);
  const value = num(g[metricKey]);
  const se = column?.se ? num(g[column.se]) : NaN;
  return {
    x, series: s.label, metric: labelOf(series, metricKey), key: metricKey, value, se,
    lo: Number.isFinite(se) ? value - 2 * se : NaN, hi: Number.isFinite(se) ? value + 2 * se : NaN,
  };
}

/** Which charts apply: metrics this model has and that some series has a value for. */
function chartsFor(input: ChartInput): ChartDef[] {
  return (CHARTS[input.model] ?? []).filter((chart) => (!chart.when || chart.when(input.specs)) && input.series.some((s) =>
    chart.metrics.some((m) => s.columns.some((c) => c.key === m) && s.cells.some((cell) => cell.some((g) => g[m] !== null && g[m] !== undefined)))));
}

/** Colour by strategy when several are compared, else by metric. */
function colorKey(input: ChartInput, chart: ChartDef): 'series' | 'metric' {
  return input.series.length > 1 ? 'series' : chart.metrics.length > 1 ? 'metric' : 'series';
}

const DASHES = [undefined, '5,3', '2,2', '8,3,2,3'];
const DASH_NAMES = ['solid', 'dashed', 'dotted', 'dash-dot'];

/** `text` with every mention of docs/science.md (a closed form's source) a link to it on GitHub. */
function withScienceLinks(text: string): Node[] {
  return text.split(sciencePath).flatMap((part, i) => {
    const nodes: Node[] = [];
    if (i > 0) {
      const link = document.createElement('a');
      link.href = scienceUrl;
      link.textContent = sciencePath;
      nodes.push(link);
    }
    if (part) nodes.push(document.createTextNode(part));
    return nodes;
  });
}

function legendKey(items: LegendItem[]): HTMLElement {
  const key = document.createElement('div');
  key.className = 'key';
  key.dataset.testid = 'legend';
  for (const item of items) {
    const entry = document.createElement('span');
    entry.className = 'key-item';
    entry.dataset.kind = item.kind;
    const mark = item.kind === 'band' || item.kind === 'swatch'
      ? `<rect x="1" y="${item.kind === 'band' ? 2 : 1}" width="20" height="${item.kind === 'band' ? 8 : 10}" fill="${item.color}" fill-opacity="${item.kind === 'band' ? 0.25 : 1}"/>${item.kind === 'band' ? `<line x1="1" x2="21" y1="6" y2="6" stroke="${item.color}" stroke-width="2"/>` : ''}`
      : `<line x1="1" x2="21" y1="6" y2="6" stroke="${item.color}" stroke-width="${item.kind === 'rule' ? 1.4 : 2}"${item.dash ? ` stroke-dasharray="${item.dash}"` : ''}/>`;
    entry.innerHTML = `<svg width="22" height="12" aria-hidden="true">${mark}</svg>`;
    entry.append(document.createTextNode(item.label));
    key.append(entry);
  }
  return key;
}

function frame(input: ChartInput, chart: ChartDef, marks: Plot.Markish[], options: Partial<Plot.PlotOptions>, legend: boolean, subtitle?: string, items: LegendItem[] = []): HTMLElement {
  const plot = Plot.plot({
    width: input.width,
    height: Math.max(200, Math.min(300, Math.round(input.width * 0.55))),
    marginLeft: 60,
    style: { fontSize: '12px', overflow: 'visible' },
    ...options,
    color: { legend, ...(options.color ?? {}) },
    marks,
  });
  const figure = document.createElement('figure');
  figure.className = 'chart';
  figure.dataset.chart = chart.id;
  const head = document.createElement('div');
  head.className = 'figure-head';
  const caption = document.createElement('figcaption');
  caption.textContent = chart.title;
  const exports = document.createElement('span');
  exports.className = 'figure-export';
  for (const format of ['svg', 'png'] as const) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'export';
    button.dataset.format = format;
    button.dataset.testid = `export-${format}`;
    button.textContent = format.toUpperCase();
    button.title = `Download this figure as ${format.toUpperCase()} (axis labels, legend, caption with the spec and seed)`;
    exports.append(button);
  }
  head.append(caption, exports);
  figure.append(head);
  if (subtitle) {
    const note = document.createElement('p');
    note.className = 'chart-note';
    note.append(...withScienceLinks(subtitle));
    figure.append(note);
  }
  if (items.length) figure.append(legendKey(items));
  figure.append(plot);
  FIGURE_INFO.set(figure, { title: chart.title, note: subtitle, legend: items });
  return figure;
}

/** Every closed form the engine knows for series s, cell c. */
function exactOf(s: SeriesData, c: number): ClosedForm[] {
  return s.exact?.[c] ?? (s.closedForms[c] ? [s.closedForms[c]!] : []);
}

/**
 * curation's K → ∞ limit (docs/science.md §8) as a horizontal line per metric of a chart against t: argmax r
 * for one curator without fresh data, the weighted Nash point for several, the tilted fixed point with λ > 0.
 */
function curationLimits(input: ChartInput, chart: ChartDef): { marks: Plot.Markish[]; items: LegendItem[]; note?: string } {
  if (input.model !== 'curation' || input.series.length !== 1 || input.sweepPaths.length) return { marks: [], items: [] };
  const limit = curationLimit(theoryInput(parseCurationSpec(input.specs[0])));
  const shown = (chart.closedForm ?? []).filter((m) => input.series[0].columns.some((c) => c.key === m));
  if (!shown.length) return { marks: [], items: [] };
  const values = shown.map((m) => limit[m]);
  return {
    marks: [Plot.ruleY(values, { stroke: '#6b21a8', strokeDasharray: '2,3', strokeWidth: 1.2, className: 'k-infinity-limit', ariaDescription: 'k-infinity-limit' })],
    items: [{ label: `K → ∞ limit: ${shown.map((m, i) => `${metricName(m)} = ${formatNumber(Number(values[i].toPrecision(4)))}`).join(', ')}`, color: '#6b21a8', kind: 'rule', dash: '2,3' }],
    note: 'the K → ∞ limit (dotted) is what curation with many candidates approaches (docs/science.md §8)',
  };
}

/** Reference lines a model's theory gives for a sweep chart (gmm-selection: p*, Bayes and anti-Bayes accuracy). */
function references(input: ChartInput, chart: ChartDef, path: string): { marks: Plot.Markish[]; items: LegendItem[]; note?: string } {
  if (input.model !== 'gmm-selection' || chart.id !== 'accuracy' || path !== 'flipRate') return { marks: [], items: [] };
  const spec = input.specs[0] as { meanNorm?: number; selector?: { kind: 'none' } | { kind: 'rates'; keepCorrect: number; keepWrong: number } | { kind: 'linear'; angle: number } };
  const meanNorm = spec.meanNorm ?? 1;
  const selector = spec.selector ?? { kind: 'none' as const };
  const { keepCorrect, keepWrong } = selectorRates({ meanNorm, selector } as Parameters<typeof selectorRates>[0]);
  const pStar = breakdownPoint(keepCorrect, keepWrong);
  const bayes = bayesAccuracy(meanNorm);
  const marks: Plot.Markish[] = [
    Plot.ruleY([bayes], { stroke: '#2f6f3e', strokeDasharray: '6,3', strokeWidth: 1.3, className: 'bayes-asymptote', ariaDescription: 'bayes-asymptote' }),
    Plot.text([bayes], { y: (v: number) => v, frameAnchor: 'right', dy: -7, text: () => `Bayes Φ(‖μ‖) = ${bayes.toFixed(3)}`, fill: '#2f6f3e', className: 'bayes-label', ariaDescription: 'bayes-label' }),
    Plot.ruleY([1 - bayes], { stroke: '#9b2c2c', strokeDasharray: '6,3', strokeWidth: 1.3, className: 'anti-bayes-asymptote', ariaDescription: 'anti-bayes-asymptote' }),
    Plot.text([1 - bayes], { y: (v: number) => v, frameAnchor: 'left', dy: 9, text: () => `anti-Bayes 1 − Φ(‖μ‖) = ${(1 - bayes).toFixed(3)}`, fill: '#9b2c2c', className: 'anti-bayes-label', ariaDescription: 'anti-bayes-label' }),
  ];
  const items: LegendItem[] = [
    { label: `Bayes accuracy Φ(‖μ‖) = ${bayes.toFixed(3)} (n → ∞, p < p*)`, color: '#2f6f3e', kind: 'rule', dash: '6,3' },
    { label: `anti-Bayes 1 − Φ(‖μ‖) = ${(1 - bayes).toFixed(3)} (n → ∞, p > p*)`, color: '#9b2c2c', kind: 'rule', dash: '6,3' },
  ];
  if (pStar !== null && selector.kind !== 'linear') {
    marks.push(
      Plot.ruleX([pStar], { stroke: '#6b21a8', strokeWidth: 1.5, className: 'p-star', ariaDescription: 'p-star' }),
      Plot.text([pStar], { x: (v: number) => v, frameAnchor: 'top', dy: 6, dx: 4, textAnchor: 'start', text: () => `p* = ${formatNumber(Number(pStar.toPrecision(4)))}`, fill: '#6b21a8', className: 'p-star-label', ariaDescription: 'p-star-label' }),
    );
    items.push({ label: `breakdown point p* = ϕ/(ϕ + ψ) = ${formatNumber(Number(pStar.toPrecision(4)))}`, color: '#6b21a8', kind: 'rule' });
  }
  const note = selector.kind === 'linear'
    ? 'A linear verifier steers the classifier too: accuracy follows the population limit, between the two asymptotes.'
    : 'Feng et al.: as n → ∞ the accuracy tends to the Bayes value below the breakdown point p* and to 1 − Bayes above it (exactly 1/2 at p*).';
  return { marks, items, note };
}

/** Metric against generation t (or against the swept value). */
function lineChart(input: ChartInput, chart: ChartDef, xOf: 'generation' | 'sweep'): HTMLElement | null {
  let rows: Row[] = [];
  let exact: { x: number; series: string; value: number; metric: string }[] = [];
  const path = input.sweepPaths[0];
  for (const s of input.series) {
    if (xOf === 'generation') {
      for (const g of s.cells[0] ?? []) {
        if (g.t < (chart.fromT ?? 0)) continue;
        for (const m of chart.metrics) if (s.columns.some((c) => c.key === m)) rows.push(rowFor(s, m, g, g.t, input.series));
      }
      for (const cf of exactOf(s, 0)) {
        if (chart.closedForm?.includes(cf.metric)) cf.values.forEach((value, t) => exact.push({ x: t, series: s.label, value, metric: cf.metric }));
      }
    } else {
      s.cells.forEach((cell, c) => {
        const last = cell.at(-1);
        if (!last) return;
        for (const m of chart.metrics) if (s.columns.some((col) => col.key === m)) rows.push(rowFor(s, m, last, s.params[c][path], input.series));
        for (const cf of exactOf(s, c)) {
          if (chart.closedForm?.includes(cf.metric) && cf.values[last.t] !== undefined) exact.push({ x: s.params[c][path], series: s.label, value: cf.values[last.t], metric: cf.metric });
        }
      });
    }
  }
  // Comparing: series with no value here, or the same value throughout, say nothing — left out, and said so.
  let series = input.series;
  const dropped: string[] = [];
  if (series.length > 1) {
    const keep = series.filter((s) => {
      const values = rows.filter((r) => r.series === s.label).map((r) => r.value).filter(Number.isFinite);
      if (!values.length) {
        dropped.push(`${s.label || 'this run'} (no data)`);
        return false;
      }
      if (values.every((v) => v === values[0]) && values.length > 1) {
        dropped.push(`${s.label || 'this run'} (constant at ${formatNumber(values[0])})`);
        return false;
      }
      return true;
    });
    if (!keep.length) return null;
    series = keep;
    const labels = new Set(keep.map((s) => s.label));
    rows = rows.filter((r) => labels.has(r.series));
    exact = exact.filter((r) => labels.has(r.series));
  }
  // A log axis only where there is something positive to show; otherwise this figure stays linear and says so.
  const logWanted = input.logY === true;
  const logY = logWanted && rows.some((r) => r.value > 0);
  if (logY) {
    rows = rows.map((r) => ({ ...r, value: r.value > 0 ? r.value : NaN, lo: r.lo > 0 ? r.lo : NaN, hi: r.hi > 0 ? r.hi : NaN }));
    exact = exact.filter((r) => r.value > 0);
  }
  if (!rows.some((r) => Number.isFinite(r.value))) return null;
  const sub = { ...input, series };
  const by = colorKey(sub, chart);
  const single = series.length === 1;
  const marks: Plot.Markish[] = [];
  const z = (r: Row) => `${r.series}/${r.key}`;
  const domain = by === 'series' ? series.map((s) => s.label) : chart.metrics.map((m) => labelOf(input.series, m));
  // A series keeps its colour in every figure, even where others are left out.
  const palette = by === 'series' ? input.series.map((s) => s.label) : domain;
  const colorOf = (name: string) => COLORS[Math.max(0, palette.indexOf(name)) % COLORS.length];
  const banded = rows.filter((r) => Number.isFinite(r.lo));
  if (banded.length) marks.push(Plot.areaY(banded, { x: 'x', y1: 'lo', y2: 'hi', z, fill: by, fillOpacity: 0.18 }));
  chart.metrics.forEach((m, i) => {
    const these = rows.filter((r) => r.key === m);
    const dash = by === 'series' ? DASHES[i % DASHES.length] : undefined;
    marks.push(Plot.lineY(these, { x: 'x', y: 'value', z, stroke: by, strokeWidth: 1.8, strokeDasharray: dash }));
    const points = xOf === 'sweep' ? these.length : these.length / Math.max(1, series.length);
    if (points <= 40) marks.push(Plot.dot(these, { x: 'x', y: 'value', fill: by, r: 2.2 }));
  });
  if (exact.length) {
    marks.push(Plot.lineY(exact, { x: 'x', y: 'value', z: (r: { series: string; metric: string }) => `${r.series}/${r.metric}`, stroke: single ? '#222' : 'series', strokeDasharray: '4,3', strokeWidth: 1.4, className: 'exact', ariaDescription: 'exact' }));
  }
  const ref: { marks: Plot.Markish[]; items: LegendItem[]; note?: string } = xOf === 'sweep' ? references(sub, chart, path) : curationLimits(sub, chart);
  marks.push(...ref.marks);
  if (chart.zero !== false && !logY) marks.push(Plot.ruleY([0], { stroke: '#ccc' }));
  const readout = (r: Row) => `${r.series ? `${r.series}\n` : ''}${r.metric} = ${formatNumber(r.value)}${Number.isFinite(r.se) ? ` ± ${formatNumber(r.se)} (SE)` : ''}`;
  const xName = xOf === 'generation' ? 'generation t' : fieldName(path);
  marks.push(Plot.ruleX(rows, Plot.pointerX({ x: 'x', stroke: '#999', strokeOpacity: 0.6 })));
  marks.push(Plot.tip(rows, Plot.pointerX({ x: 'x', y: 'value', title: (r: Row) => `${xName} = ${formatNumber(r.x as number)}\n${readout(r)}` })));
  const showLegend = input.series.length > 1 || chart.metrics.length > 1;
  const cfSources = [...new Map(series.flatMap((s) => exactOf(s, 0)).filter((cf) => chart.closedForm?.includes(cf.metric)).map((cf) => [cf.metric, cf])).values()];
  const notes: string[] = [];
  if (by === 'series' && chart.metrics.length > 1) notes.push(chart.metrics.map((m, i) => `${DASH_NAMES[i % DASH_NAMES.length]}: ${labelOf(input.series, m)}`).join(', '));
  if (exact.length) for (const cf of cfSources) notes.push(`exact ${metricName(cf.metric)}: ${cf.source}`);
  if (dropped.length) notes.push(`not drawn: ${dropped.join(', ')}`);
  if (logY && rows.some((r) => !Number.isFinite(r.value))) notes.push('log scale: values ≤ 0 left out');
  if (logWanted && !logY) notes.push('linear axis: no positive values to show on a log scale');
  if (ref.note) notes.push(ref.note);
  const note = notes.join('; ') || undefined;
  // The legend: what each mark is (measured with its band, exact), then the series (Plot's swatches, and here for export).
  const items: LegendItem[] = [];
  const hasBand = banded.length > 0;
  if (input.series.length === 1 && by === 'series') {
    items.push({ label: hasBand ? 'measured mean ± 2 SE (band)' : 'measured mean', color: COLORS[0], kind: hasBand ? 'band' : 'line' });
  } else {
    // The colours are named by Plot's legend beside this one (and in an export, from it).
    items.push({ label: `${hasBand ? 'measured mean ± 2 SE (band)' : 'measured mean'}, one colour per ${by === 'series' ? (input.model === 'linear' && !input.series.some((s) => s.label.startsWith('this run')) ? 'strategy' : 'series') : 'quantity'}`, color: '#888', kind: hasBand ? 'band' : 'line' });
  }
  if (exact.length) {
    const what = cfSources.map((cf) => metricName(cf.metric)).join(', ');
    items.push({ label: `exact (closed form${what ? `: ${what}` : ''})`, color: single ? '#222' : '#666', kind: 'line', dash: '4,3' });
  }
  items.push(...ref.items);
  const xs = rows.map((r) => r.x as number);
  const xDomain = xOf === 'generation' ? [0, Math.max(input.generations, ...xs)] : undefined;
  return frame(input, chart, marks, {
    x: { label: xName, ...(xDomain ? { domain: xDomain } : {}), ...(xOf === 'generation' ? { tickFormat: (t: number) => (Number.isInteger(t) ? String(t) : '') } : {}) },
    y: { label: `${chart.y ?? labelOf(input.series, chart.metrics[0])}${logY ? ' (log scale)' : ''}`, grid: true, ...(logY ? { type: 'log', tickFormat: '~g' } : chart.yDomain ? { domain: chart.yDomain } : {}) },
    color: { domain, range: domain.map(colorOf) },
  }, showLegend, note, items);
}

/** One-round runs without a sweep: each metric's value ± 2 SE as a point per strategy. */
function pointChart(input: ChartInput, chart: ChartDef): HTMLElement | null {
  const rows: Row[] = [];
  const exact: { metric: string; series: string; value: number }[] = [];
  for (const s of input.series) {
    const g = s.cells[0]?.at(-1);
    if (!g) continue;
    for (const m of chart.metrics) if (s.columns.some((c) => c.key === m)) rows.push(rowFor(s, m, g, labelOf(input.series, m), input.series));
    const cf = s.closedForms[0];
    if (cf && chart.closedForm?.includes(cf.metric)) exact.push({ metric: labelOf(input.series, cf.metric), series: s.label, value: cf.values[g.t] });
  }
  if (!rows.some((r) => Number.isFinite(r.value))) return null;
  const marks: Plot.Markish[] = [
    Plot.ruleX(rows.filter((r) => Number.isFinite(r.lo)), { x: 'x', y1: 'lo', y2: 'hi', stroke: 'series', strokeWidth: 2 }),
    Plot.dot(rows, { x: 'x', y: 'value', fill: 'series', r: 4, tip: true, title: (r: Row) => `${r.metric} = ${formatNumber(r.value)}${Number.isFinite(r.se) ? ` ± ${formatNumber(r.se)} (SE)` : ''}` }),
  ];
  if (exact.length) marks.push(Plot.tickY(exact, { x: 'metric', y: 'value', stroke: '#222', strokeDasharray: '4,3' }));
  return frame(input, chart, marks, {
    x: { label: null, domain: chart.metrics.map((m) => labelOf(input.series, m)) },
    y: { label: chart.y ?? null, grid: true, ...(input.logY ? { type: 'log' } : chart.yDomain ? { domain: chart.yDomain } : {}) },
    color: { domain: input.series.map((s) => s.label), range: COLORS },
  }, input.series.length > 1, exact.length ? 'dashed tick: exact value' : undefined, [
    { label: 'measured mean ± 2 SE', color: COLORS[0], kind: 'line' },
    ...(exact.length ? [{ label: 'exact (closed form)', color: '#222', kind: 'line' as const, dash: '4,3' }] : []),
  ]);
}

/** Edges of the cells around sorted grid values: midpoints between neighbours. */
function edges(values: number[]): Map<number, [number, number]> {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const map = new Map<number, [number, number]>();
  sorted.forEach((v, i) => {
    const lo = i > 0 ? (v + sorted[i - 1]) / 2 : sorted.length > 1 ? v - (sorted[1] - v) / 2 : v - 0.5;
    const hi = i < sorted.length - 1 ? (v + sorted[i + 1]) / 2 : sorted.length > 1 ? v + (v - sorted[i - 1]) / 2 : v + 0.5;
    map.set(v, [lo, hi]);
  });
  return map;
}

/** yi-grid's best estimator in a cell, or 4 where it is not ahead of the runner-up by 2 SE of their difference. */
export function separatedBest(g: Stats): number {
  const losses = [0, 1, 2, 3].map((k) => ({ k, loss: num(g[`loss${k}`]), se: num(g[`loss${k}SE`]) })).filter((e) => Number.isFinite(e.loss));
  if (!losses.length) return NaN;
  losses.sort((a, b) => a.loss - b.loss);
  const [first, second] = losses;
  if (!second) return first.k;
  const se = Math.sqrt((Number.isFinite(first.se) ? first.se ** 2 : 0) + (Number.isFinite(second.se) ? second.se ** 2 : 0));
  return second.loss - first.loss > 2 * se ? first.k : 4;
}

/** Two swept fields: a heatmap of one metric at the last generation, a read-out of every metric on hover. */
function heatmap(input: ChartInput): HTMLElement | null {
  const [yPath, xPath] = input.sweepPaths;
  const metric = input.heatmapMetric ?? DEFAULT_HEATMAP_METRIC[input.model] ?? input.series[0]?.columns[0]?.key;
  const xs = edges(input.series.flatMap((s) => s.params.map((p) => p[xPath])));
  const ys = edges(input.series.flatMap((s) => s.params.map((p) => p[yPath])));
  type Cell = Record<string, number | string>;
  const rows: Cell[] = [];
  const columns = input.series[0]?.columns ?? [];
  for (const s of input.series) {
    s.cells.forEach((cell, c) => {
      const last = cell.at(-1);
      if (!last) return;
      const [x1, x2] = xs.get(s.params[c][xPath])!;
      const [y1, y2] = ys.get(s.params[c][yPath])!;
      let value = num(last[metric]);
      if (metric === 'best') value = separatedBest(last);
      const row: Cell = { series: s.label, x1, x2, y1, y2, [xPath]: s.params[c][xPath], [yPath]: s.params[c][yPath], value };
      for (const column of columns) row[column.label] = num(last[column.key]);
      rows.push(row);
    });
  }
  if (!rows.length) return null;
  const best = metric === 'best';
  const channels: Record<string, string> = { [yPath]: yPath, [xPath]: xPath };
  for (const column of columns) channels[column.label] = column.label;
  const format: Record<string, boolean | ((v: number) => string)> = { x: false, y: false, fill: false, fx: false };
  for (const key of Object.keys(channels)) format[key] = (v: number) => (key === 'best' ? BEST_NAMES[v] ?? '—' : formatNumber(v));
  if (metric === 'best') {
    channels['shown as'] = 'value';
    format['shown as'] = (v: number) => BEST_NAMES[v] ?? '—';
  }
  const faceted = input.series.length > 1;
  const label = labelOf(input.series, metric);
  const named = label === metric ? metric : `${metric} (${label})`;
  const chart: ChartDef = { id: 'heatmap', title: `Phase diagram: ${best ? 'which estimator has the smallest mean loss' : named} per cell`, metrics: [metric] };
  const marks = [
    Plot.rect(rows, {
      x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: 'value', ...(faceted ? { fx: 'series' } : {}),
      channels, tip: { format: format as Plot.TipOptions['format'] }, inset: 0,
    }),
  ];
  const plot = frame({ ...input, width: input.fullWidth }, chart, marks, {
    height: Math.max(240, Math.min(460, Math.round(input.fullWidth * (faceted ? 0.45 : 0.6)))),
    x: { label: fieldName(xPath) }, y: { label: fieldName(yPath) },
    ...(faceted ? { fx: { label: null, domain: input.series.map((s) => s.label) } } : {}),
    color: best
      ? { type: 'ordinal', domain: [0, 1, 2, 3, 4], range: BEST_COLORS, tickFormat: (k: number) => BEST_NAMES[k] }
      : { type: input.logY ? 'log' : 'linear', scheme: 'viridis', label: labelOf(input.series, metric) },
  }, !best, best
    ? 'the estimator with the smallest mean loss per cell; grey where it is not ahead of the runner-up by 2 SE of their difference (√(SE₁² + SE₂²)), so the grid cannot tell them apart there; hover a cell for every metric'
    : 'hover a cell for every metric there', best
    ? BEST_NAMES.map((label, k) => ({ label, color: BEST_COLORS[k], kind: 'swatch' as const }))
    : []);
  plot.classList.add('wide');
  return plot;
}

/** Every chart for the current state, in order. */
export function renderCharts(input: ChartInput): HTMLElement[] {
  const axes = input.sweepPaths.length;
  if (axes >= 3) return [];
  if (axes === 2) {
    const map = heatmap(input);
    return map ? [map] : [];
  }
  if (cellsOverTime(input)) {
    // Each cell a series of its own (labelled by its swept value), drawn as strategies are.
    const series = input.series.flatMap((s) => s.cells.map((cell, c): SeriesData => ({
      label: [s.label, cellLabel(input.model, s.params[c])].filter(Boolean).join(' · '),
      columns: s.columns, params: [{}], cells: [cell], closedForms: [s.closedForms[c]],
    })));
    return renderCharts({ ...input, sweepPaths: [], series });
  }
  const charts = chartsFor(input);
  const render = axes === 1 ? (c: ChartDef) => lineChart(input, c, 'sweep')
    : input.generations === 0 ? (c: ChartDef) => pointChart(input, c)
      : (c: ChartDef) => lineChart(input, c, 'generation');
  return charts.map(render).filter((e): e is HTMLElement => e !== null);
}

/** The metrics a heatmap can show for this model. */
export function heatmapMetrics(columns: MetricColumn[]): MetricColumn[] {
  return columns.filter((c) => c.key !== 'replicates');
}
