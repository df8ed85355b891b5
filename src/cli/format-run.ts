// The three shapes of `synthloop run` output: a readable table, the RunResult as JSON, or CSV
// (wide, one row per generation; long for a sweep, one row per cell × generation × metric).
import Table from 'cli-table3';
import type { Estimate, RunResult, Stats } from '../core/engine/result.js';
import type { ClosedForm } from '../core/engine/model.js';
import { modelOf, representativeCell, type Spec } from '../models/index.js';
import { sciencePath, scienceUrl } from '../core/theory/science.js';

export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A sweep's table shows at most this many cells, evenly spaced through the grid. */
const SWEEP_TABLE_CELLS = 40;

/** Four significant digits; a dash where the engine had no estimate (no replicate left, or one for an SE). */
const significant = (x: Estimate | undefined) => (x === null || x === undefined ? '—' : Number.isInteger(x) ? String(x) : x.toPrecision(4));
/** A swept field's value as written: up to six significant digits, no trailing zeros. */
const paramText = (x: number | undefined) => (x === undefined ? '—' : String(Number(x.toPrecision(6))));
const withSE = (x: Estimate, se: Estimate | undefined) => (x === null || se === null || se === undefined ? significant(x) : `${significant(x)} ± ${significant(se)}`);

function describeRun(result: RunResult): string {
  const where = result.adapter ? `webgpu on ${result.adapter.path} (${result.adapter.description})` : 'cpu (float64 twin)';
  const cells = result.cells?.length ?? 1;
  const rate = (cells * result.spec.replicates * (result.spec.generations + 1)) / result.elapsedSeconds;
  // Below 100 a second (a model that trains networks) three significant digits, not a rounded 0.
  const rateText = rate >= 100 ? Math.round(rate).toLocaleString('en-US') : rate.toPrecision(3);
  return `${where} · ${result.elapsedSeconds.toFixed(2)} s · ${rateText} replicate-generations/s`;
}

/**
 * The header cells and each generation's row cells for the model's metric columns. A metric with a
 * closed form shows it in brackets after the measured mean (`[exact]` or `[limit]` in the header);
 * closed forms of metrics that are not columns get columns of their own.
 */
function metricCells(spec: Spec, closedForms: ClosedForm[] = []) {
  const columns = modelOf(spec).columns(spec);
  const closedOf = new Map(closedForms.map((cf) => [cf.metric, cf]));
  const kind = (cf: ClosedForm) => (cf.limit ? 'limit' : 'exact');
  const apart = closedForms.filter((cf) => !columns.some((c) => c.key === cf.metric));
  return {
    head: [
      ...columns.map((c) => {
        const cf = closedOf.get(c.key);
        return `${c.label}${c.se ? ' ± SE' : ''}${cf ? ` [${kind(cf)}]` : ''}`;
      }),
      ...apart.map((cf) => `${cf.metric}, ${kind(cf)}`),
    ],
    row: (g: Stats) => [
      ...columns.map((c) => {
        const cf = closedOf.get(c.key);
        const measured = c.se ? withSE(g[c.key], g[c.se]) : significant(g[c.key]);
        return cf ? `${measured} [${significant(cf.values[g.t])}]` : measured;
      }),
      ...apart.map((cf) => significant(cf.values[g.t])),
    ],
  };
}

/** The lines a model's view draws on its figures against t for this spec (e.g. curation's K → ∞ limits), in words, once each. */
function referenceLines(spec: Spec): string[] {
  const view = modelOf(spec).view;
  if (!view.referenceLines) return [];
  const written = spec as unknown as Record<string, unknown>;
  const shown = view.figures.filter((f) => !f.when || f.when([written]));
  return [...new Set(shown.flatMap((f) => view.referenceLines!(written, f.id, undefined).lines.map((l) => l.legend)))];
}

const borderless = { style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } };

/** Terminal cells a string takes (combining marks, as in θ̂, take none). */
const cellWidth = (text: string) => [...text.normalize('NFC')].filter((ch) => !/\p{M}/u.test(ch)).length;

/**
 * A table of `keys` leading columns (t, swept fields) and the rest; with a `width`, the rest split
 * into as many tables as it takes for each to fit, every one repeating the leading columns.
 */
function columnTables(head: string[], rows: (string | number)[][], keys: number, width?: number): string {
  const widths = head.map((h, c) => Math.max(cellWidth(h), ...rows.map((r) => cellWidth(String(r[c])))) + 3);  // padding and border
  const fixed = 1 + widths.slice(0, keys).reduce((a, b) => a + b, 0);
  const groups: number[][] = [];
  for (let c = keys; c < head.length; c++) {
    const last = groups.at(-1);
    if (last && width !== undefined && fixed + [...last, c].reduce((a, k) => a + widths[k], 0) > width) groups.push([c]);
    else if (last) last.push(c);
    else groups.push([c]);
  }
  if (!groups.length) groups.push([]);
  const pick = <T>(cells: T[], group: number[]) => [...cells.slice(0, keys), ...group.map((c) => cells[c])];
  return groups.map((group) => {
    const table = new Table({ head: pick(head, group), ...borderless });
    for (const row of rows) table.push(pick(row, group));
    return table.toString();
  }).join('\n\n');
}

function table(result: RunResult, source: string, width?: number): string {
  const model = modelOf(result.spec);
  const shown = representativeCell(result.spec);
  const swept = result.spec.sweep ? ` · sweep over ${Object.keys(result.spec.sweep).join(', ')} (first cell shown)` : '';
  const header = `${source}: ${model.describe?.(shown) ?? shown.model}${swept}\n${describeRun(result)}\n`;
  const metrics = metricCells(shown);
  if (result.cells) {
    const paths = Object.keys(result.spec.sweep ?? {});
    const rows: (string | number)[][] = [];
    const step = Math.max(1, Math.ceil(result.cells.length / SWEEP_TABLE_CELLS));
    for (let c = 0; c < result.cells.length; c += step) {
      const cell = result.cells[c];
      const last = cell.generations.at(-1)!;
      rows.push([...paths.map((p) => paramText(cell.params[p])), last.t, ...metrics.row(last)]);
    }
    const listed = Math.ceil(result.cells.length / step);
    const note = listed < result.cells.length
      ? `${result.cells.length} cells, every ${step}th shown at its last generation; --format csv or json for all of them\n`
      : `${result.cells.length} cells, each at its last generation; --format csv or json for every generation\n`;
    return `${header}${columnTables([...paths, 't', ...metrics.head], rows, paths.length + 1, width)}\n${note}`;
  }
  const closed = result.closedForms;
  const withClosed = metricCells(shown, closed);
  const rows = result.generations.map((g) => [g.t, ...withClosed.row(g)]);
  // The source cites docs/science.md by its path in the repository; the link works from anywhere.
  // One line per source, naming the metrics it gives (a model's sources may be one formula for all of them).
  const bySource = new Map<string, string[]>();
  for (const cf of closed) {
    const line = `${cf.limit ? `limit (${cf.limit})` : 'exact'}: ${cf.source}`;
    bySource.set(line, [...(bySource.get(line) ?? []), cf.metric]);
  }
  const sources = [...bySource].map(([line, metrics]) => `  ${metrics.join(', ')}, ${line}\n`);
  const lines = referenceLines(result.spec);
  const footnote = (closed.length ? `[in brackets] closed forms, for comparison, never used to compute results:\n${sources.join('')}` : '')
    + (lines.length ? `theory's limits, drawn as lines on the charts:\n${lines.map((l) => `  ${l}\n`).join('')}` : '')
    + (closed.length || lines.length ? `${sciencePath}: ${scienceUrl}\n` : '');
  return `${header}${columnTables(['t', ...withClosed.head], rows, 1, width)}\n${footnote}`;
}

const csvValue = (x: unknown) => (x === null || x === undefined ? '' : String(x));

/** Lines per piece of streamed CSV. */
const CSV_PIECE_LINES = 4096;

function* csv(result: RunResult): Generator<string> {
  if (result.cells) {
    const paths = Object.keys(result.spec.sweep ?? {});
    let lines = [[...paths, 't', 'metric', 'value'].join(',')];
    for (const cell of result.cells) {
      const params = paths.map((p) => csvValue(cell.params[p]));
      for (const g of cell.generations) {
        for (const [metric, value] of Object.entries(g)) if (metric !== 't') lines.push([...params, g.t, metric, csvValue(value)].join(','));
      }
      if (lines.length >= CSV_PIECE_LINES) {
        yield lines.join('\n') + '\n';
        lines = [];
      }
    }
    if (lines.length) yield lines.join('\n') + '\n';
    return;
  }
  const keys = Object.keys(result.generations[0] ?? { t: 0 });
  yield [keys.join(','), ...result.generations.map((g) => keys.map((k) => csvValue(g[k])).join(','))].join('\n') + '\n';
}

/** Stands in for a sweep's cells while the rest of the result is stringified. */
const CELLS_MARK = '\u0000cells\u0000';

/**
 * JSON.stringify(value, null, 2) of the result, a sweep's cells one at a time: the same text,
 * without the whole (45 000 cells: 43 MB) as one string.
 */
function* json(result: RunResult): Generator<string> {
  // A sweep's results are its cells; its empty `generations` would only confuse.
  const { generations, ...rest } = result;
  if (!result.cells) {
    yield JSON.stringify({ ...rest, generations }, null, 2) + '\n';
    return;
  }
  const [head, tail] = JSON.stringify({ ...rest, cells: CELLS_MARK }, null, 2).split(JSON.stringify(CELLS_MARK));
  yield `${head}[`;
  let pieces: string[] = [];
  for (let c = 0; c < result.cells.length; c++) {
    pieces.push(`${c ? ',' : ''}\n    ${JSON.stringify(result.cells[c], null, 2).replaceAll('\n', '\n    ')}`);
    if (pieces.length >= 256) {
      yield pieces.join('');
      pieces = [];
    }
  }
  yield `${pieces.join('')}${result.cells.length ? '\n  ' : ''}]${tail}\n`;
}

/**
 * The run as text in `format`, in pieces to write as they come; `source` names the preset or file in
 * the table's header, and a table wider than `width` (a terminal's columns) is split into tables that fit.
 */
export function formatRun(result: RunResult, format: OutputFormat, source: string, width?: number): Iterable<string> {
  switch (format) {
    case 'table': return [table(result, source, width)];
    case 'json': return json(result);
    case 'csv': return csv(result);
  }
}
