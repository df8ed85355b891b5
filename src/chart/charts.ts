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
}

interface ChartDef {
  id: string;
  title: string;
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
    { id: 'mse', title: 'Error ‖θ̂ − θ*‖² (mse) ± 2 SE', metrics: ['mse'], closedForm: ['risk'] },
    { id: 'bias-variance', title: 'bias² and variance (they sum to the mse)', metrics: ['bias2', 'variance'], stack: true },
    { id: 'accept', title: 'Acceptance rate of synthetic samples', metrics: ['acceptRate'], yDomain: [0, 1], fromT: 1, when: (specs) => specs.some((s) => (s.verifier as { kind?: string } | undefined)?.kind === 'ball') },
    { id: 'center', title: 'Distance² to the verifier\'s centre ± 2 SE', metrics: ['centerDist2'] },
  ],
  'yi-grid': [
    { id: 'losses', title: 'Loss ‖θ̂ₖ − θ*‖² of each estimator ± 2 SE', metrics: ['loss0', 'loss1', 'loss2', 'loss3'], closedForm: ['loss0'] },
    { id: 'accept', title: 'Acceptance rate of real samples ± 2 SE', metrics: ['acceptReal'], yDomain: [0, 1] },
  ],
  'gmm-selection': [
    { id: 'accuracy', title: 'Population accuracy of the classifier ± 2 SE', metrics: ['accuracy'] },
    { id: 'kept', title: 'Fraction of pairs kept by the selector ± 2 SE', metrics: ['keptFraction'], closedForm: ['keptFraction'], yDomain: [0, 1] },
  ],
  gaussian: [
    { id: 'variance', title: 'Mean fitted variance σ̂² ± 2 SE', metrics: ['varMean'], closedForm: ['varMean'] },
    { id: 'log-variance', title: 'log σ̂²: mean ± 2 SE and median', metrics: ['logVarMean', 'logVarMedian'], closedForm: ['logVarMean'] },
    { id: 'mean-error', title: 'Error of the mean ‖μ̂ − μ‖² ± 2 SE', metrics: ['meanErr2'], closedForm: ['meanErr2'] },
    { id: 'collapsed', title: 'Collapsed replicates (fraction)', metrics: ['collapsed'], yDomain: [0, 1] },
  ],
  categorical: [
    { id: 'r', title: 'R = ‖P̂ − P*‖² ± 2 SE', metrics: ['r'], closedForm: ['r'] },
    { id: 'tv', title: 'Total variation ½‖P̂ − P*‖₁ ± 2 SE', metrics: ['tv'] },
    { id: 'kl', title: 'KL(P* ‖ P̂) ± 2 SE', metrics: ['kl'] },
    { id: 'absorbed', title: 'Absorbed at a point mass (fraction)', metrics: ['absorbed'], yDomain: [0, 1] },
  ],
  bigram: [
    { id: 'r', title: 'Row error ‖P̂ − P*‖² ± 2 SE', metrics: ['r'], closedForm: ['r'] },
    { id: 'tv', title: 'Total variation per row ± 2 SE', metrics: ['tv'] },
    { id: 'kl', title: 'KL(P* ‖ P̂) per row ± 2 SE', metrics: ['kl'] },
  ],
  'mnist-cvae': [
    { id: 'nelbo', title: 'Test NELBO (nats per image) ± 2 SE', metrics: ['nelbo'], zero: false },
    { id: 'fid', title: 'FID to real digits (classifier features) ± 2 SE', metrics: ['fid'], zero: false },
    { id: 'accuracy', title: 'Classifier accuracy on generated digits ± 2 SE', metrics: ['accuracy'], yDomain: [0, 1] },
    { id: 'verifier', title: 'Verifier\'s held-out accuracy ± 2 SE', metrics: ['verifierAccuracy'], yDomain: [0, 1], fromT: 1 },
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
  linear: 'mse', 'yi-grid': 'best', 'gmm-selection': 'accuracy', gaussian: 'varMean', categorical: 'r', bigram: 'r', 'mnist-cvae': 'fid',
};

/** yi-grid's `best`: which estimator has the smallest mean loss. */
const BEST_NAMES = ['θ̂₀ real', 'θ̂₁ verified real', 'θ̂₂ synthetic from θ̂₁', 'θ̂₃ synthetic from θ̂₀'];
const BEST_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759'];

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

const labelOf = (series: SeriesData[], key: string) => columnOf(series, key)?.label ?? key;
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

function frame(input: ChartInput, chart: ChartDef, marks: Plot.Markish[], options: Partial<Plot.PlotOptions>, legend: boolean, subtitle?: string): HTMLElement {
  const plot = Plot.plot({
    width: input.width,
    height: Math.max(200, Math.min(300, Math.round(input.width * 0.55))),
    marginLeft: 56,
    style: { fontSize: '12px', overflow: 'visible' },
    ...options,
    color: { legend, ...(options.color ?? {}) },
    marks,
  });
  const figure = document.createElement('figure');
  figure.className = 'chart';
  figure.dataset.chart = chart.id;
  const caption = document.createElement('figcaption');
  caption.textContent = chart.title;
  figure.append(caption);
  if (subtitle) {
    const note = document.createElement('p');
    note.className = 'chart-note';
    note.append(...withScienceLinks(subtitle));
    figure.append(note);
  }
  figure.append(plot);
  return figure;
}

/** Metric against generation t (or against the swept value). */
function lineChart(input: ChartInput, chart: ChartDef, xOf: 'generation' | 'sweep'): HTMLElement | null {
  const rows: Row[] = [];
  const exact: { x: number; series: string; value: number }[] = [];
  const path = input.sweepPaths[0];
  for (const s of input.series) {
    if (xOf === 'generation') {
      for (const g of s.cells[0] ?? []) {
        if (g.t < (chart.fromT ?? 0)) continue;
        for (const m of chart.metrics) if (s.columns.some((c) => c.key === m)) rows.push(rowFor(s, m, g, g.t, input.series));
      }
      for (const cf of [s.closedForms[0]]) {
        if (cf && chart.closedForm?.includes(cf.metric)) cf.values.forEach((value, t) => exact.push({ x: t, series: s.label, value }));
      }
    } else {
      s.cells.forEach((cell, c) => {
        const last = cell.at(-1);
        if (!last) return;
        for (const m of chart.metrics) if (s.columns.some((col) => col.key === m)) rows.push(rowFor(s, m, last, s.params[c][path], input.series));
        const cf = s.closedForms[c];
        if (cf && chart.closedForm?.includes(cf.metric) && cf.values[last.t] !== undefined) exact.push({ x: s.params[c][path], series: s.label, value: cf.values[last.t] });
      });
    }
  }
  if (!rows.some((r) => Number.isFinite(r.value))) return null;
  const by = colorKey(input, chart);
  const single = input.series.length === 1;
  const marks: Plot.Markish[] = [];
  const stacked = chart.stack && single;
  const z = (r: Row) => `${r.series}/${r.key}`;
  if (stacked) {
    marks.push(Plot.areaY(rows, { x: 'x', y: 'value', z: 'metric', fill: 'metric', fillOpacity: 0.75, order: chart.metrics.map((m) => labelOf(input.series, m)) }));
  } else {
    const banded = rows.filter((r) => Number.isFinite(r.lo));
    if (banded.length) marks.push(Plot.areaY(banded, { x: 'x', y1: 'lo', y2: 'hi', z, fill: by, fillOpacity: 0.18 }));
    chart.metrics.forEach((m, i) => {
      const these = rows.filter((r) => r.key === m);
      const dash = by === 'series' ? DASHES[i % DASHES.length] : undefined;
      marks.push(Plot.lineY(these, { x: 'x', y: 'value', z, stroke: by, strokeWidth: 1.8, strokeDasharray: dash }));
      const points = xOf === 'sweep' ? these.length : these.length / Math.max(1, input.series.length);
      if (points <= 40) marks.push(Plot.dot(these, { x: 'x', y: 'value', fill: by, r: 2.2 }));
    });
  }
  if (exact.length) {
    marks.push(Plot.lineY(exact, { x: 'x', y: 'value', z: 'series', stroke: single ? '#222' : 'series', strokeDasharray: '4,3', strokeWidth: 1.4 }));
  }
  if (chart.zero !== false) marks.push(Plot.ruleY([0], { stroke: '#ccc' }));
  const readout = (r: Row) => `${r.series ? `${r.series}\n` : ''}${r.metric} = ${formatNumber(r.value)}${Number.isFinite(r.se) ? ` ± ${formatNumber(r.se)} (SE)` : ''}`;
  marks.push(Plot.ruleX(rows, Plot.pointerX({ x: 'x', stroke: '#999', strokeOpacity: 0.6 })));
  marks.push(Plot.tip(rows, Plot.pointerX({ x: 'x', y: 'value', title: (r: Row) => `${xOf === 'generation' ? 't' : path} = ${formatNumber(r.x as number)}\n${readout(r)}` })));
  const showLegend = !single || chart.metrics.length > 1;
  const cfSource = input.series.map((s) => s.closedForms[0]).find((cf) => cf && chart.closedForm?.includes(cf.metric));
  const notes: string[] = [];
  if (by === 'series' && chart.metrics.length > 1) notes.push(chart.metrics.map((m, i) => `${DASH_NAMES[i % DASH_NAMES.length]}: ${labelOf(input.series, m)}`).join(', '));
  if (exact.length && cfSource) notes.push(`dashed: exact ${cfSource.metric}, ${cfSource.source}`);
  const note = notes.join('; ') || undefined;
  return frame(input, chart, marks, {
    x: { label: xOf === 'generation' ? 'generation t' : path, ...(xOf === 'generation' ? { tickFormat: (t: number) => (Number.isInteger(t) ? String(t) : '') } : {}) },
    y: { label: null, grid: true, ...(chart.yDomain ? { domain: chart.yDomain } : {}) },
    color: { domain: by === 'series' ? input.series.map((s) => s.label) : chart.metrics.map((m) => labelOf(input.series, m)) },
  }, showLegend, note);
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
    y: { label: null, grid: true, ...(chart.yDomain ? { domain: chart.yDomain } : {}) },
    color: { domain: input.series.map((s) => s.label) },
  }, input.series.length > 1, exact.length ? 'dashed tick: exact value' : undefined);
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
      const row: Cell = { series: s.label, x1, x2, y1, y2, [xPath]: s.params[c][xPath], [yPath]: s.params[c][yPath], value: num(last[metric]) };
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
    x: { label: xPath }, y: { label: yPath },
    ...(faceted ? { fx: { label: null, domain: input.series.map((s) => s.label) } } : {}),
    color: best
      ? { type: 'ordinal', domain: [0, 1, 2, 3], range: BEST_COLORS, tickFormat: (k: number) => BEST_NAMES[k] }
      : { type: 'linear', scheme: 'viridis', label: labelOf(input.series, metric) },
  }, true, 'hover a cell for every metric there');
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
