/**
 * How a model is shown: its figures, the names of its fields and metrics, the demo form's fields.
 * Data only (no DOM, no plotting library): each model folder's `view.ts` fills it and the callers
 * (src/chart, demo/) draw it, so adding a model needs no edit outside its folder and the registry.
 */

/** One figure of a run: metrics against t (or against a swept field), with closed forms overlaid. */
export interface FigureDef {
  id: string;
  title: string;
  /** The y axis's label. */
  y?: string;
  metrics: string[];
  /** Overlay the closed forms (ModelDefinition.closedForms) of these metrics. */
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

/** A straight line theory gives for a figure: horizontal (axis y) or vertical (axis x) at `value`. */
export interface ReferenceLine {
  axis: 'x' | 'y';
  value: number;
  /** Written next to the line. */
  label: string;
  /** The legend's entry (what the line is and where it holds). */
  legend: string;
  color: string;
  dash?: string;
  /** Where the label sits along the line. */
  anchor?: 'left' | 'right' | 'top';
  /** A class for the line (its label gets `${name}-label`), so tests and stylesheets find it. */
  name: string;
}

/** A metric whose value names one of a few categories (yi-grid's best estimator): how to read and draw it. */
export interface CategoryMetric {
  /** Each category's name, by value. */
  names: readonly string[];
  colors: readonly string[];
  /** The category a cell's statistics put it in (where that is not simply the metric's value). */
  of: (stats: Readonly<Record<string, number | null>>) => number;
  /** What a phase diagram of it shows, and its caption. */
  title: string;
  caption: string;
}

export type FormFieldKind = 'int' | 'number' | 'select' | 'schedule' | 'json' | 'text';

/** A control of the demo's form: a dotted path into the spec as written. */
export interface FormField {
  path: string;
  label: string;
  kind: FormFieldKind;
  /** What the control does, shown under it. */
  help: string;
  options?: readonly string[];
  /** Left blank, the field is omitted and the engine's default applies (shown as the placeholder). */
  optional?: string;
  /** Only shown (and only kept in the spec) while this holds for the current spec. */
  when?: (spec: Record<string, unknown>) => boolean;
  step?: string;
}

export interface ModelView {
  figures: FigureDef[];
  /** The metric a phase diagram (two-axis sweep) shows unless one is chosen. */
  heatmapMetric: string;
  /** The spec's fields in words, for axes, legends and tables (dotted paths). */
  fieldNames?: Record<string, string>;
  /** Metric names in words (the engine's column labels are terse). */
  metricNames?: Record<string, string>;
  /** The demo form's fields for this model (run fields such as replicates and seed are common). */
  form: FormField[];
  /** Choosing `<object>.kind` in the form replaces the object with that kind's defaults. */
  kindDefaults?: Record<string, Record<string, Record<string, unknown>>>;
  /** Metrics that name a category, by key. */
  categories?: Record<string, CategoryMetric>;
  /** One round, no generations to choose (the form leaves the field out). */
  oneRound?: boolean;
  /** A one-axis sweep is a handful of arms to compare round by round: a curve against t per cell. */
  cellsOverTime?: boolean;
  /** A swept value in words, where the number alone says too little (`keepFraction 0.1 (filtered)`). */
  cellValueNote?: (path: string, value: number) => string | undefined;
  /**
   * Lines theory gives on a figure, for the run's spec as written, and a note saying what they mean:
   * against a swept field (`path`), or against t (`path` undefined; drawn for a single run).
   */
  referenceLines?: (spec: Record<string, unknown>, figure: string, path: string | undefined) => { lines: ReferenceLine[]; note?: string };
}
