/**
 * The demo page: a form over the spec (preset, the parameters that matter for its model, the
 * strategies to compare, a sweep), the <synthloop-chart> that runs and plots it, a shareable
 * link (the spec and seed in the URL's hash) and CSV/JSON downloads.
 */
import './style.css';
import { MODELS, parseSpec } from '../../src/models/index.js';
import { SpecError, type SpecIssue } from '../../src/core/spec/errors.js';
import { defineSynthloopChart, describeBackend, type SynthloopChart } from '../../src/chart/element.js';
import { applyField, fieldsFor, fieldText, getPath, withPath, type FieldDef } from './fields.js';
import { demoPresetSpec, DEMO_DEFAULT_PRESET, matchingPreset, presetCaption, presetLabel, presetNames } from '../../src/chart/presets.js';
import type { BackendInfo } from '../../src/chart/protocol.js';
import { cellsOverTime } from '../../src/chart/charts.js';
import { downloadBlob } from '../../src/chart/figure-export.js';
import { STRATEGIES, STRATEGY_LABELS, type Strategy } from '../../src/chart/strategies.js';
import { decodeState, encodeState, type PageState } from './url.js';

defineSynthloopChart();

const $ = <T extends HTMLElement = HTMLElement>(selector: string) => document.querySelector(selector) as T;
const chart = $<SynthloopChart>('synthloop-chart');
const form = $<HTMLFormElement>('#controls');
const presetSelect = $<HTMLSelectElement>('#preset');
const fieldsBox = $('#fields');
const compareBox = $('#compare');
const sweepBox = $('#sweep-axes');
const formErrors = $('#form-errors');
const specText = $<HTMLTextAreaElement>('#spec-json');
const shareUrl = $<HTMLInputElement>('#share-url');

let state: PageState = { spec: demoPresetSpec(DEMO_DEFAULT_PRESET), compare: [] };
let renderedModel = '';
let runTimer = 0;

const RUN_DELAY_MS = 350;

function fieldId(path: string): string {
  return `field-${path.replace(/\./g, '-')}`;
}

// ---- the form ---------------------------------------------------------------------------------

function buildFields(): void {
  const model = String(state.spec.model);
  renderedModel = model;
  fieldsBox.replaceChildren(...fieldsFor(model).map((def) => {
    const wrapper = document.createElement('div');
    wrapper.className = 'field';
    wrapper.dataset.path = def.path;
    const label = document.createElement('label');
    label.htmlFor = fieldId(def.path);
    label.textContent = def.label;
    let control: HTMLInputElement | HTMLSelectElement;
    if (def.kind === 'select') {
      control = document.createElement('select');
      for (const option of def.options ?? []) control.append(new Option(option, option));
    } else {
      control = document.createElement('input');
      control.type = 'text';
      control.autocomplete = 'off';
      control.spellcheck = false;
      if (def.kind === 'int') control.inputMode = 'numeric';
      if (def.kind === 'number') control.inputMode = 'decimal';
      if (def.optional !== undefined) control.placeholder = `default: ${def.optional}`;
    }
    control.id = fieldId(def.path);
    control.name = def.path;
    control.title = def.help;
    control.addEventListener('change', () => onFieldChange(def, control.value));
    const help = document.createElement('small');
    help.className = 'help';
    help.textContent = def.help;
    const error = document.createElement('small');
    error.className = 'field-error';
    error.setAttribute('role', 'alert');
    wrapper.append(label, control, help, error);
    return wrapper;
  }));
}

/** Shows the spec's values in the form (leaving the control being typed in alone). */
function syncForm(): void {
  if (String(state.spec.model) !== renderedModel) buildFields();
  for (const def of fieldsFor(renderedModel)) {
    const wrapper = fieldsBox.querySelector<HTMLElement>(`[data-path="${def.path}"]`);
    if (!wrapper) continue;
    wrapper.hidden = def.when ? !def.when(state.spec) : false;
    // Compared strategies set the mode and the verifier themselves.
    const overridden = state.spec.model === 'linear' && state.compare.length > 0 && ['mode', 'realFraction', 'verifier.kind'].includes(def.path);
    wrapper.classList.toggle('overridden', overridden);
    wrapper.querySelector('.help')!.textContent = overridden ? 'set by each strategy below' : def.help;
    const control = wrapper.querySelector<HTMLInputElement | HTMLSelectElement>('input, select')!;
    if (document.activeElement === control && control instanceof HTMLInputElement) continue;
    const value = getPath(state.spec, def.path);
    control.value = def.kind === 'select' ? String(value ?? def.optional ?? def.options?.[0] ?? '') : fieldText(value);
  }
  const preset = matchingPreset(state.spec);
  presetSelect.value = preset ?? '';
  $('#preset-caption').replaceChildren(...(preset ? presetCaption(preset) : ['Custom spec: edited from a preset.']));
  const comparing = state.spec.model === 'linear' && state.compare.length > 0;
  $('#results-caption').replaceChildren(
    ...(comparing
      ? [`Comparing ${state.compare.map((s) => STRATEGY_LABELS[s]).join(' vs ')} on one problem and one seed (${String(state.spec.seed ?? 1)}): each strategy sets the mode and the verifier; every other parameter is the form's. Lower error is better; series with nothing to show in a figure are left out of it, and the figure says why. `]
      : preset ? presetCaption(preset) : [`A custom ${String(state.spec.model)} spec, seed ${String(state.spec.seed ?? 1)}. `]),
    ...(comparing && preset ? ['Base spec: ', ...presetCaption(preset)] : []),
  );
  buildCompare();
  buildSweep();
  specText.value = JSON.stringify(state.spec, null, 2);
}

function onFieldChange(def: FieldDef, text: string): void {
  state = { ...state, spec: applyField(state.spec, def, text) };
  syncForm();
  // An invalid edit: the results on screen no longer match the form.
  chart.toggleAttribute('stale', !validate());
  scheduleRun();
}

function buildCompare(): void {
  const linear = state.spec.model === 'linear';
  $('#compare-set').hidden = !linear;
  if (!linear) return;
  if (!compareBox.childElementCount) {
    for (const strategy of STRATEGIES) {
      const label = document.createElement('label');
      label.className = 'check';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = strategy;
      box.name = `compare-${strategy}`;
      box.addEventListener('change', () => {
        const chosen = [...compareBox.querySelectorAll<HTMLInputElement>('input:checked')].map((b) => b.value as Strategy);
        state = { ...state, compare: STRATEGIES.filter((s) => chosen.includes(s)) };
        syncForm();
        scheduleRun();
      });
      label.append(box, ` ${STRATEGY_LABELS[strategy]}`);
      compareBox.append(label);
    }
  }
  for (const box of compareBox.querySelectorAll<HTMLInputElement>('input')) box.checked = state.compare.includes(box.value as Strategy);
}

type Axis = { start: number | string; stop: number | string; count: number | string } | number[];

function buildSweep(): void {
  const sweep = (state.spec.sweep ?? {}) as Record<string, Axis>;
  const sweepable = MODELS[String(state.spec.model)]?.sweepable ?? [];
  const rows = Object.entries(sweep).map(([path, axis], index) => {
    const row = document.createElement('div');
    row.className = 'axis';
    row.dataset.axis = String(index);
    const fieldLabel = document.createElement('label');
    fieldLabel.className = 'mini';
    fieldLabel.append(Object.assign(document.createElement('span'), { textContent: `swept field ${index + 1}` }));
    const field = document.createElement('select');
    field.setAttribute('aria-label', `swept field ${index + 1}`);
    for (const option of new Set([...sweepable, path])) field.append(new Option(option, option));
    field.value = path;
    field.addEventListener('change', () => editSweep((s) => renameKey(s, path, field.value)));
    fieldLabel.append(field);
    row.append(fieldLabel);
    if (Array.isArray(axis)) {
      row.classList.add('list');
      const valuesLabel = document.createElement('label');
      valuesLabel.className = 'mini';
      valuesLabel.append(Object.assign(document.createElement('span'), { textContent: 'values (comma-separated)' }));
      const values = document.createElement('input');
      values.type = 'text';
      values.value = axis.join(', ');
      values.setAttribute('aria-label', `${path} values`);
      values.addEventListener('change', () => editSweep((s) => ({ ...s, [path]: values.value.split(/[\s,]+/).filter(Boolean).map(Number) })));
      valuesLabel.append(values);
      row.append(valuesLabel);
    } else {
      for (const key of ['start', 'stop', 'count'] as const) {
        const mini = document.createElement('label');
        mini.className = 'mini';
        mini.append(Object.assign(document.createElement('span'), { textContent: key === 'count' ? 'values' : key === 'start' ? 'from' : 'to' }));
        const input = document.createElement('input');
        input.type = 'text';
        input.inputMode = 'decimal';
        input.value = String(axis[key]);
        input.setAttribute('aria-label', `${path} ${key}`);
        input.title = key;
        input.placeholder = key;
        input.addEventListener('change', () => editSweep((s) => ({ ...s, [path]: { ...(s[path] as Exclude<Axis, number[]>), [key]: Number.isFinite(Number(input.value)) ? Number(input.value) : input.value } })));
        mini.append(input);
        row.append(mini);
      }
    }
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = '×';
    remove.title = `stop sweeping ${path}`;
    remove.setAttribute('aria-label', `remove the ${path} axis`);
    remove.addEventListener('click', () => editSweep((s) => {
      const next = { ...s };
      delete next[path];
      return next;
    }));
    row.append(remove);
    return row;
  });
  sweepBox.replaceChildren(...rows);
  const add = $<HTMLButtonElement>('#add-axis');
  const unused = sweepable.filter((p) => !(p in sweep));
  add.disabled = Object.keys(sweep).length >= 2 || !unused.length;
  $('#sweep-hint').textContent = Object.keys(sweep).length === 0
    ? 'No sweep: one run. Add an axis to run a grid of values in the same dispatches (one axis: a curve, two: a heatmap).'
    : Object.keys(sweep).length === 1
      ? (cellsOverTime({ model: String(state.spec.model), sweepPaths: Object.keys(sweep), series: [] })
        ? 'One axis of a few arms: a curve per value against the generation; a model that draws shows their samples side by side.'
        : 'One axis: each metric against the swept value, at the last generation.')
      : 'Two axes: a heatmap (the phase diagram); hover a cell for its numbers.';
}

function renameKey(sweep: Record<string, Axis>, from: string, to: string): Record<string, Axis> {
  if (from === to || to in sweep) return sweep;
  return Object.fromEntries(Object.entries(sweep).map(([k, v]) => [k === from ? to : k, v]));
}

function editSweep(edit: (sweep: Record<string, Axis>) => Record<string, Axis>): void {
  const next = edit({ ...((state.spec.sweep ?? {}) as Record<string, Axis>) });
  state = { ...state, spec: withPath(state.spec, 'sweep', Object.keys(next).length ? next : undefined) };
  syncForm();
  scheduleRun();
}

function addAxis(): void {
  const sweep = (state.spec.sweep ?? {}) as Record<string, Axis>;
  const path = (MODELS[String(state.spec.model)]?.sweepable ?? []).find((p) => !(p in sweep));
  if (!path) return;
  const current = Number(getPath(state.spec, path));
  const stop = Number.isFinite(current) && current > 0 ? current * 2 : 1;
  editSweep((s) => ({ ...s, [path]: { start: 0, stop: Number(stop.toPrecision(6)), count: 10 } }));
}

// ---- errors -----------------------------------------------------------------------------------

function showIssues(issues: SpecIssue[] | undefined, message?: string): void {
  for (const box of fieldsBox.querySelectorAll('.field-error')) box.textContent = '';
  for (const wrapper of fieldsBox.querySelectorAll('.field')) wrapper.classList.remove('invalid');
  const general: string[] = [];
  for (const issue of issues ?? []) {
    const wrapper = fieldsBox.querySelector<HTMLElement>(`[data-path="${issue.path}"]`)
      ?? fieldsBox.querySelector<HTMLElement>(`[data-path="${issue.path}.kind"]`);
    if (wrapper && !wrapper.hidden) {
      wrapper.classList.add('invalid');
      wrapper.querySelector('.field-error')!.textContent = issue.message;
    } else {
      general.push(`${issue.path}: ${issue.message}`);
    }
  }
  if (!issues?.length && message) general.push(message);
  formErrors.textContent = general.join('\n');
  formErrors.hidden = general.length === 0;
}

/** Validates the spec (and every compared strategy); shows problems next to their fields. */
function validate(): boolean {
  try {
    parseSpec(state.spec);
    showIssues([]);
    return true;
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    showIssues(error.issues);
    return false;
  }
}

// ---- running ----------------------------------------------------------------------------------

function scheduleRun(): void {
  clearTimeout(runTimer);
  runTimer = window.setTimeout(() => void runNow(), RUN_DELAY_MS);
}

async function runNow(): Promise<void> {
  clearTimeout(runTimer);
  if (!validate()) {
    chart.cancel();
    chart.setAttribute('stale', '');
    return;
  }
  chart.removeAttribute('stale');
  const hash = encodeState(state);
  if (location.hash !== hash) history.replaceState(null, '', hash);
  shareUrl.value = location.href;
  chart.configure({ spec: state.spec, compare: state.spec.model === 'linear' ? state.compare : [], metric: state.metric });
  await chart.run();
}

function loadFromLocation(): void {
  try {
    const fromUrl = decodeState(location.hash);
    if (fromUrl) state = fromUrl;
    showIssues([]);
  } catch (error) {
    showIssues(undefined, (error as Error).message);
  }
  syncForm();
}

function fileStem(): string {
  return `synthloop-${matchingPreset(state.spec) ?? String(state.spec.model)}-seed${String(state.spec.seed ?? 1)}`;
}

// ---- wiring -----------------------------------------------------------------------------------

function init(): void {
  presetSelect.append(new Option('Custom (edited)', ''));
  for (const name of presetNames()) presetSelect.append(new Option(presetLabel(name), name));
  presetSelect.addEventListener('change', () => {
    if (!presetSelect.value) return;
    state = { spec: demoPresetSpec(presetSelect.value), compare: state.spec.model === 'linear' && presetSelect.value !== 'yi-grid' ? state.compare : [] };
    syncForm();
    void runNow();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // A control being typed in has not sent its change yet.
    const active = document.activeElement;
    if (active instanceof HTMLInputElement && form.contains(active)) active.dispatchEvent(new Event('change'));
    void runNow();
  });
  $('#cancel').addEventListener('click', () => {
    clearTimeout(runTimer);
    chart.cancel();
  });
  $('#add-axis').addEventListener('click', addAxis);
  $('#apply-json').addEventListener('click', () => {
    try {
      const spec = JSON.parse(specText.value);
      if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new Error('the spec must be a JSON object');
      state = { ...state, spec };
      syncForm();
      void runNow();
    } catch (error) {
      showIssues(undefined, `Spec JSON: ${(error as Error).message}`);
    }
  });
  $('#copy-link').addEventListener('click', async () => {
    shareUrl.value = location.href;
    shareUrl.select();
    try {
      await navigator.clipboard.writeText(location.href);
      $('#copy-status').textContent = 'copied';
    } catch {
      $('#copy-status').textContent = 'select and copy the link';
    }
  });
  $('#download-csv').addEventListener('click', () => downloadBlob(`${fileStem()}.csv`, new Blob([chart.toCSV()], { type: 'text/csv' })));
  $('#download-json').addEventListener('click', () => downloadBlob(`${fileStem()}.json`, new Blob([chart.toJSON(location.href)], { type: 'application/json' })));
  const setDownloads = (enabled: boolean) => {
    for (const id of ['#download-csv', '#download-json']) $<HTMLButtonElement>(id).disabled = !enabled;
    $<HTMLButtonElement>('#pin').disabled = !enabled && !chart.hasPinned;
    buildFigureExports(enabled);
  };
  $('#pin').addEventListener('click', () => {
    if (chart.hasPinned) chart.unpin();
    else chart.pin();
    $('#pin').textContent = chart.hasPinned ? 'Unpin' : 'Pin this run';
    $('#pin').setAttribute('aria-pressed', String(chart.hasPinned));
  });
  // Closes the Export menu on a press elsewhere (not on a download link's synthetic click).
  document.addEventListener('pointerdown', (event) => {
    const menu = $<HTMLDetailsElement>('#export-menu');
    if (menu.open && !menu.contains(event.target as Node)) menu.open = false;
  });
  setDownloads(false);
  chart.addEventListener('synthloop-start', () => {
    setDownloads(false);
    $<HTMLButtonElement>('#cancel').disabled = false;
  });
  const finished = () => {
    $<HTMLButtonElement>('#cancel').disabled = true;
  };
  chart.addEventListener('synthloop-done', (event) => {
    finished();
    setDownloads(true);
    const detail = (event as CustomEvent).detail as { runs: { result: { backend: 'webgpu' | 'cpu' } }[]; backend?: BackendInfo };
    showBadge(detail.backend, detail.runs[0]?.result.backend);
  });
  chart.addEventListener('synthloop-cancelled', finished);
  chart.addEventListener('synthloop-error', (event) => {
    finished();
    const detail = (event as CustomEvent).detail as { message: string; issues?: SpecIssue[] };
    showIssues(detail.issues, detail.message);
  });
  chart.addEventListener('synthloop-backend', (event) => showBadge((event as CustomEvent).detail as BackendInfo));
  chart.addEventListener('synthloop-metric', (event) => {
    state = { ...state, metric: ((event as CustomEvent).detail as { metric: string }).metric };
    history.replaceState(null, '', encodeState(state));
    shareUrl.value = location.href;
  });
  window.addEventListener('hashchange', () => {
    loadFromLocation();
    void runNow();
  });
  loadFromLocation();
  void runNow();
}

/** The Export menu's figure rows: each figure shown, as SVG or PNG. */
function buildFigureExports(enabled: boolean): void {
  const box = $('#figure-exports');
  const figures = enabled ? chart.figures() : [];
  box.replaceChildren(...figures.map(({ id, title }) => {
    const row = document.createElement('div');
    row.className = 'row';
    const name = document.createElement('span');
    name.textContent = title;
    name.title = title;
    row.append(name);
    for (const format of ['svg', 'png'] as const) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = format.toUpperCase();
      button.dataset.testid = `export-${format}-${id}`;
      button.addEventListener('click', () => void chart.exportFigure(id, format));
      row.append(button);
    }
    return row;
  }));
  if (!figures.length) box.textContent = enabled ? '' : 'Figures: after a run finishes.';
}

function showBadge(info: BackendInfo | undefined, ranOn?: 'webgpu' | 'cpu'): void {
  const badge = $('#adapter-badge');
  badge.textContent = describeBackend(info, ranOn);
  badge.classList.toggle('cpu', ranOn === 'cpu' || (info !== undefined && !info.webgpu));
  const banner = $('#no-webgpu');
  banner.hidden = !(info && !info.webgpu);
  if (info && !info.webgpu) banner.textContent = `No WebGPU in this browser (${info.reason}). Every run uses the float64 CPU twin instead: the same random streams and statistics, computed more slowly.`;
}

init();
