// Every model's view (src/models/<model>/view.ts) against its definition: figures draw metrics the
// model has, overlays name closed forms it gives, the form's fields are spec fields, and the form's
// generic rules (kind defaults, hidden fields leave the spec) hold.
import { describe, expect, it } from 'vitest';
import { experimentCells, MODELS, parseSpec, PRESETS } from '../src/models/index.js';
import { applyField, fieldsFor, getPath } from '../demo/src/fields.js';

const presetsOf = (model: string) => Object.values(PRESETS).filter((p) => p.spec.model === model);

describe.each(Object.keys(MODELS))('the view of %s', (name) => {
  const model = MODELS[name];
  const presets = presetsOf(name);

  it('draws only metrics the model has, and overlays only closed forms it gives', () => {
    expect(presets.length).toBeGreaterThan(0);
    const columns = new Set<string>(), closed = new Set<string>();
    for (const preset of presets) {
      const { specs } = experimentCells(parseSpec(preset.spec), 1);
      for (const c of model.columns(specs[0])) columns.add(c.key);
      for (const cf of model.closedForms?.(specs[0]) ?? []) closed.add(cf.metric);
    }
    expect(model.view.figures.length).toBeGreaterThan(0);
    // A figure may list metrics only some specs report (curation's third curator), each named (below),
    // but draws something for the presets.
    for (const figure of model.view.figures.filter((f) => !f.when || presets.some((p) => f.when!([p.spec as Record<string, unknown>])))) {
      expect(figure.metrics.filter((m) => columns.has(m)), figure.id).not.toEqual([]);
    }
    expect(columns).toContain(model.view.heatmapMetric);
    // A category metric is a column, with a colour per named category.
    for (const [key, category] of Object.entries(model.view.categories ?? {})) {
      expect(columns).toContain(key);
      expect(category.colors).toHaveLength(category.names.length);
    }
    // Every closed form the presets give is drawn on some figure.
    const overlaid = new Set(model.view.figures.flatMap((f) => f.closedForm ?? []));
    for (const metric of closed) expect(overlaid, `closed form of ${metric}`).toContain(metric);
  });

  it('names every metric it draws, and its form edits fields a spec of it has or accepts', () => {
    for (const figure of model.view.figures) {
      for (const m of figure.metrics) expect(model.view.metricNames?.[m], m).toBeTruthy();
    }
    const spec = structuredClone(presets[0].spec) as Record<string, unknown>;
    for (const field of fieldsFor(name)) {
      if (field.when && !field.when(spec)) continue;
      // Setting a field to what the preset has (or leaving an optional one blank) keeps the spec valid.
      const value = getPath(spec, field.path);
      if (value === undefined && field.optional === undefined) continue;
      // A select shows its default where the spec leaves the field out; other controls are blank.
      const text = value === undefined ? (field.kind === 'select' ? field.optional! : '') : typeof value === 'object' ? JSON.stringify(value) : String(value);
      expect(() => parseSpec(applyField(spec, field, text)), field.path).not.toThrow();
    }
  });
});

describe('the form\'s rules', () => {
  const linear = { ...(PRESETS['dohmatob-replace'].spec as Record<string, unknown>) };
  const field = (model: string, path: string) => fieldsFor(model).find((f) => f.path === path)!;

  it('a kind select replaces the object with that kind\'s defaults', () => {
    const spec = applyField(linear, field('linear', 'verifier.kind'), 'ball');
    expect(spec.verifier).toEqual({ kind: 'ball', bias: 0.1, radius: 0.1, direction: 'ones' });
    expect(() => parseSpec(spec)).not.toThrow();
    expect(applyField(spec, field('linear', 'verifier.kind'), 'none').verifier).toEqual({ kind: 'none' });
  });
  it('a field the new spec hides leaves it: the real fraction outside mixture mode', () => {
    const mixture = applyField(applyField(linear, field('linear', 'mode'), 'mixture'), field('linear', 'realFraction'), '0.3');
    expect(mixture.realFraction).toBe(0.3);
    const replace = applyField(mixture, field('linear', 'mode'), 'replace');
    expect(replace).not.toHaveProperty('realFraction');
    expect(() => parseSpec(replace)).not.toThrow();
  });
  it('a one-round model has no generations field', () => {
    expect(fieldsFor('yi-grid').map((f) => f.path)).not.toContain('generations');
    expect(fieldsFor('linear').map((f) => f.path)).toContain('generations');
  });
});
