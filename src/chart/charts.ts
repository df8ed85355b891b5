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
import type { FigureDef, ModelView } from '../core/engine/view.js';
import { MODELS } from '../models/index.js';

export interface SeriesData {
  /** The strategy's name ('' for a single run). */
  label: string;
  columns: MetricColumn[];
  /** Per cell: the swept fields' values ({} without a sweep). */
  params: Record<string, number>[];
  /** Per cell: the generations received so far. */
  cells: Stats[][];
  /** Per cell: every exact expectation the engine knows for it, the headline first (the tables show that one). */
  closedForms: ClosedForm[][];
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

type ChartDef = FigureDef;

/** The model's view (src/models/<model>/view.ts). */
export const viewOf = (model: string): ModelView | undefined => MODELS[model]?.view;

/** Most cells drawn as curves (more: the usual metric-against-swept-value chart). */
const MAX_CELL_CURVES = 6;

/** A sweep cell in words, for legends and captions: `keepFraction 0.1 (filtered)`, `sigma 0.5, n 50`. */
export function cellLabel(model: string, params: Record<string, number>): string {
  return Object.entries(params).map(([path, value]) => {
    const text = `${path} ${formatNumber(value)}`;
    const note = viewOf(model)?.cellValueNote?.(path, value);
    return note ? `${text} (${note})` : text;
  }).join(', ');
}

/** Whether this input's one-axis sweep is drawn as one curve per cell against t. */
export function cellsOverTime(input: Pick<ChartInput, 'model' | 'sweepPaths' | 'series'>): boolean {
  return input.sweepPaths.length === 1 && !!viewOf(input.model)?.cellsOverTime && input.series.every((s) => s.params.length <= MAX_CELL_CURVES);
}

/** The metric a phase diagram shows unless one is chosen. */
export const defaultHeatmapMetric = (model: string): string | undefined => viewOf(model)?.heatmapMetric;

/** The colours of series (or metrics), in order: Tableau 10. */
export const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ab'];

/** A spec field in words, for axes, legends and tables, as the model's view names it (else its path). */
export const fieldName = (model: string, path: string) => viewOf(model)?.fieldNames?.[path] ?? path;

/** A metric in words, as the model's view names it (else the column's label, else its key). */
export const metricName = (model: string, key: string, fallback?: string) => viewOf(model)?.metricNames?.[key] ?? fallback ?? key;

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

const labelOf = (input: Pick<ChartInput, 'model' | 'series'>, key: string) => metricName(input.model, key, columnOf(input.series, key)?.label);
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

function rowFor(s: SeriesData, metricKey: string, g: Stats, x: number | string, input: Pick<ChartInput, 'model' | 'series'>): Row {
  const column = s.columns.find((c) => c.key === metricKey);
  const value = num(g[metricKey]);
  const se = column?.se ? num(g[column.se]) : NaN;
  return {
    x, series: s.label, metric: labelOf(input, metricKey), key: metricKey, value, se,
    lo: Number.isFinite(se) ? value - 2 * se : NaN, hi: Number.isFinite(se) ? value + 2 * se : NaN,
  };
}

/** Which charts apply: metrics this model has and that some series has a value for. */
function chartsFor(input: ChartInput): ChartDef[] {
  return (viewOf(input.model)?.figures ?? []).filter((chart) => (!chart.when || chart.when(input.specs)) && input.series.some((s) =>
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


/** The lines the model's theory gives for a chart against a swept field (gmm-selection: p*, Bayes and anti-Bayes accuracy). */
function references(input: ChartInput, chart: ChartDef, path: string | undefined): { marks: Plot.Markish[]; items: LegendItem[]; note?: string } {
  const found = viewOf(input.model)?.referenceLines?.(input.specs[0] ?? {}, chart.id, path);
  if (!found) return { marks: [], items: [] };
  const marks = found.lines.flatMap((line): Plot.Markish[] => {
    const style = { stroke: line.color, strokeDasharray: line.dash, strokeWidth: line.dash ? 1.3 : 1.5, className: line.name, ariaDescription: line.name };
    const label = { text: () => line.label, fill: line.color, className: `${line.name}-label`, ariaDescription: `${line.name}-label` };
    return line.axis === 'y'
      ? [Plot.ruleY([line.value], style), Plot.text([line.value], { y: (v: number) => v, frameAnchor: line.anchor ?? 'right', dy: line.anchor === 'left' ? 9 : -7, ...label })]
      : [Plot.ruleX([line.value], style), Plot.text([line.value], { x: (v: number) => v, frameAnchor: 'top', dy: 6, dx: 4, textAnchor: 'start', ...label })];
  });
  const items = found.lines.map((line): LegendItem => ({ label: line.legend, color: line.color, kind: 'rule', ...(line.dash ? { dash: line.dash } : {}) }));
  return { marks, items, note: found.note };
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
        for (const m of chart.metrics) if (s.columns.some((c) => c.key === m)) rows.push(rowFor(s, m, g, g.t, input));
      }
      for (const cf of s.closedForms[0] ?? []) {
        if (chart.closedForm?.includes(cf.metric)) cf.values.forEach((value, t) => exact.push({ x: t, series: s.label, value, metric: cf.metric }));
      }
    } else {
      s.cells.forEach((cell, c) => {
        const last = cell.at(-1);
        if (!last) return;
        for (const m of chart.metrics) if (s.columns.some((col) => col.key === m)) rows.push(rowFor(s, m, last, s.params[c][path], input));
        for (const cf of s.closedForms[c] ?? []) {
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
  const domain = by === 'series' ? series.map((s) => s.label) : chart.metrics.map((m) => labelOf(input, m));
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
  const ref = xOf === 'sweep' ? references(sub, chart, path) : input.series.length === 1 ? references(sub, chart, undefined) : { marks: [], items: [] };
  marks.push(...ref.marks);
  if (chart.zero !== false && !logY) marks.push(Plot.ruleY([0], { stroke: '#ccc' }));
  const readout = (r: Row) => `${r.series ? `${r.series}\n` : ''}${r.metric} = ${formatNumber(r.value)}${Number.isFinite(r.se) ? ` ± ${formatNumber(r.se)} (SE)` : ''}`;
  const xName = xOf === 'generation' ? 'generation t' : fieldName(input.model, path);
  marks.push(Plot.ruleX(rows, Plot.pointerX({ x: 'x', stroke: '#999', strokeOpacity: 0.6 })));
  marks.push(Plot.tip(rows, Plot.pointerX({ x: 'x', y: 'value', title: (r: Row) => `${xName} = ${formatNumber(r.x as number)}\n${readout(r)}` })));
  const showLegend = input.series.length > 1 || chart.metrics.length > 1;
  const cfSources = [...new Map(series.flatMap((s) => s.closedForms[0] ?? []).filter((cf) => chart.closedForm?.includes(cf.metric)).map((cf) => [cf.metric, cf])).values()];
  const notes: string[] = [];
  if (by === 'series' && chart.metrics.length > 1) notes.push(chart.metrics.map((m, i) => `${DASH_NAMES[i % DASH_NAMES.length]}: ${labelOf(input, m)}`).join(', '));
  if (exact.length) {
    // One note per source, naming its metrics (a model may give several metrics by one formula).
    const bySource = new Map<string, string[]>();
    for (const cf of cfSources) {
      const key = `${cf.limit ? `limit (${cf.limit})` : 'exact'}\u0000${cf.source}`;
      bySource.set(key, [...(bySource.get(key) ?? []), metricName(input.model, cf.metric)]);
    }
    for (const [key, names] of bySource) {
      const [kind, source] = key.split('\u0000');
      notes.push(`${kind} ${names.join(', ')}: ${source}`);
    }
  }
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
    const what = cfSources.map((cf) => metricName(input.model, cf.metric)).join(', ');
    const kind = cfSources.every((cf) => cf.limit) ? 'limit' : cfSources.some((cf) => cf.limit) ? 'exact or limit' : 'exact';
    items.push({ label: `${kind} (closed form${what ? `: ${what}` : ''})`, color: single ? '#222' : '#666', kind: 'line', dash: '4,3' });
  }
  items.push(...ref.items);
  const xs = rows.map((r) => r.x as number);
  const xDomain = xOf === 'generation' ? [0, Math.max(input.generations, ...xs)] : undefined;
  return frame(input, chart, marks, {
    x: { label: xName, ...(xDomain ? { domain: xDomain } : {}), ...(xOf === 'generation' ? { tickFormat: (t: number) => (Number.isInteger(t) ? String(t) : '') } : {}) },
    y: { label: `${chart.y ?? labelOf(input, chart.metrics[0])}${logY ? ' (log scale)' : ''}`, grid: true, ...(logY ? { type: 'log', tickFormat: '~g' } : chart.yDomain ? { domain: chart.yDomain } : {}) },
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
    for (const m of chart.metrics) if (s.columns.some((c) => c.key === m)) rows.push(rowFor(s, m, g, labelOf(input, m), input));
    for (const cf of s.closedForms[0] ?? []) if (chart.closedForm?.includes(cf.metric)) exact.push({ metric: labelOf(input, cf.metric), series: s.label, value: cf.values[g.t] });
  }
  if (!rows.some((r) => Number.isFinite(r.value))) return null;
  const marks: Plot.Markish[] = [
    Plot.ruleX(rows.filter((r) => Number.isFinite(r.lo)), { x: 'x', y1: 'lo', y2: 'hi', stroke: 'series', strokeWidth: 2 }),
    Plot.dot(rows, { x: 'x', y: 'value', fill: 'series', r: 4, tip: true, title: (r: Row) => `${r.metric} = ${formatNumber(r.value)}${Number.isFinite(r.se) ? ` ± ${formatNumber(r.se)} (SE)` : ''}` }),
  ];
  if (exact.length) marks.push(Plot.tickY(exact, { x: 'metric', y: 'value', stroke: '#222', strokeDasharray: '4,3' }));
  return frame(input, chart, marks, {
    x: { label: null, domain: chart.metrics.map((m) => labelOf(input, m)) },
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

/** Two swept fields: a heatmap of one metric at the last generation, a read-out of every metric on hover. */
function heatmap(input: ChartInput): HTMLElement | null {
  const [yPath, xPath] = input.sweepPaths;
  const metric = input.heatmapMetric ?? defaultHeatmapMetric(input.model) ?? input.series[0]?.columns[0]?.key;
  const xs = edges(input.series.flatMap((s) => s.params.map((p) => p[xPath])));
  const ys = edges(input.series.flatMap((s) => s.params.map((p) => p[yPath])));
  type Cell = Record<string, number | string>;
  const rows: Cell[] = [];
  const columns = input.series[0]?.columns ?? [];
  const categories = viewOf(input.model)?.categories ?? {};
  const category = categories[metric];
  for (const s of input.series) {
    s.cells.forEach((cell, c) => {
      const last = cell.at(-1);
      if (!last) return;
      const [x1, x2] = xs.get(s.params[c][xPath])!;
      const [y1, y2] = ys.get(s.params[c][yPath])!;
      const value = category ? category.of(last) : num(last[metric]);
      const row: Cell = { series: s.label, x1, x2, y1, y2, [xPath]: s.params[c][xPath], [yPath]: s.params[c][yPath], value };
      for (const column of columns) row[column.label] = num(last[column.key]);
      rows.push(row);
    });
  }
  if (!rows.length) return null;
  const channels: Record<string, string> = { [yPath]: yPath, [xPath]: xPath };
  const format: Record<string, boolean | ((v: number) => string)> = { x: false, y: false, fill: false, fx: false };
  for (const key of Object.keys(channels)) format[key] = formatNumber;
  for (const column of columns) {
    channels[column.label] = column.label;
    const named = categories[column.key];
    format[column.label] = named ? (v: number) => named.names[v] ?? '—' : formatNumber;
  }
  if (category) {
    channels['shown as'] = 'value';
    format['shown as'] = (v: number) => category.names[v] ?? '—';
  }
  const faceted = input.series.length > 1;
  const label = labelOf(input, metric);
  const named = label === metric ? metric : `${metric} (${label})`;
  const chart: ChartDef = { id: 'heatmap', title: `Phase diagram: ${category ? category.title : named} per cell`, metrics: [metric] };
  const marks = [
    Plot.rect(rows, {
      x1: 'x1', x2: 'x2', y1: 'y1', y2: 'y2', fill: 'value', ...(faceted ? { fx: 'series' } : {}),
      channels, tip: { format: format as Plot.TipOptions['format'] }, inset: 0,
    }),
  ];
  const plot = frame({ ...input, width: input.fullWidth }, chart, marks, {
    height: Math.max(240, Math.min(460, Math.round(input.fullWidth * (faceted ? 0.45 : 0.6)))),
    x: { label: fieldName(input.model, xPath) }, y: { label: fieldName(input.model, yPath) },
    ...(faceted ? { fx: { label: null, domain: input.series.map((s) => s.label) } } : {}),
    color: category
      ? { type: 'ordinal', domain: category.names.map((_, k) => k), range: [...category.colors], tickFormat: (k: number) => category.names[k] }
      : { type: input.logY ? 'log' : 'linear', scheme: 'viridis', label: labelOf(input, metric) },
  }, !category, category ? category.caption : 'hover a cell for every metric there', category
    ? category.names.map((label, k) => ({ label, color: category.colors[k], kind: 'swatch' as const }))
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
