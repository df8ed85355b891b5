// The interactive demo end to end: demo/dist built from the sources, served on loopback, driven in
// Debian's Chromium through playwright-core with real WebGPU (SwiftShader), its numbers checked
// against runs of the same specs in this Node process. No mocks.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec, runExperiment } from '../src/models/index.js';
import type { RunResult, Stats } from '../src/core/engine/result.js';
import { demoPresetSpec, DEMO_DEFAULT_PRESET } from '../src/chart/presets.js';
import { expectNotBlankPNG, launchChromium, serveFolder, watchPage, type Served } from './helpers/browser.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DIST = join(ROOT, 'demo', 'dist');
const SHOTS = join(ROOT, 'test-results');
/** The page's and the Node run's adapters differ (SwiftShader in Chromium, llvmpipe or SwiftShader through Dawn here): f32 tolerance. */
const REL = 1e-3;
const RUN_TIMEOUT = 60_000;
/** A name for the loopback server that makes an insecure (http, not localhost) origin. */
const INSECURE_HOST = 'demo.test';

interface FinishedRun {
  runs: { label: string; result: RunResult }[];
  backend?: { webgpu: boolean };
  throughput: number;
}

interface Shown {
  [metric: string]: { value: number | null; se: number | null };
}

let served: Served;
let base: string;
let browser: Browser;

/** Waits until the page's <synthloop-chart> has finished a run that `accept`s; throws on a run error. */
async function waitForRun(page: Page, accept: (run: FinishedRun) => boolean = () => true, timeout = RUN_TIMEOUT): Promise<FinishedRun> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const { state, run, error } = await page.evaluate(() => {
      const chart = document.querySelector('synthloop-chart') as (HTMLElement & { result: unknown }) | null;
      const state = chart?.getAttribute('state') ?? null;
      return { state, run: state === 'done' ? chart!.result : null, error: chart?.shadowRoot?.querySelector('.error')?.textContent ?? '' };
    });
    if (state === 'error') throw new Error(`the page's run failed: ${error}`);
    if (run && accept(run as FinishedRun)) return run as FinishedRun;
    if (Date.now() > deadline) throw new Error(`no finished run within ${timeout} ms (state: ${state})`);
    await page.waitForTimeout(100);
  }
}

/** The numbers the page shows in its summary table for one strategy (its latest generation). */
function shownNumbers(page: Page, series = 0): Promise<Shown> {
  return page.locator('synthloop-chart').evaluate((chart, series) => {
    const shown: Record<string, { value: number | null; se: number | null }> = {};
    for (const cell of chart.shadowRoot!.querySelectorAll<HTMLElement>(`tr[data-series="${series}"] td[data-metric]`)) {
      const text = (cell.querySelector('.v') ?? cell).textContent!.trim();
      const se = cell.querySelector('[data-se]')?.textContent?.trim();
      shown[cell.dataset.metric!] = { value: text === '—' || text === '' ? null : Number(text), se: se ? Number(se) : null };
    }
    return shown;
  }, series);
}

function expectClose(actual: number | null | undefined, expected: number | null | undefined, what: string, rel = REL): void {
  if (expected === null || expected === undefined) {
    expect(actual ?? null, what).toBeNull();
    return;
  }
  expect(actual, what).toBeTypeOf('number');
  expect(Math.abs(actual! - expected), `${what}: page ${actual}, Node ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-12);
}

/** What the page's table shows for a number: six significant digits. */
const sixDigits = (x: number | null) => (x === null ? null : Number.isInteger(x) ? x : Number(x.toPrecision(6)));

/** The page's latest generation against a Node run's last generation, metric by metric (with SEs). */
function expectShownEqual(shown: Shown, last: Stats, columns: string[], rel = REL): void {
  expect(shown.t?.value, 'generation shown').toBe(last.t);
  for (const metric of columns) {
    expectClose(shown[metric]?.value, last[metric], metric, rel);
    const se = `${metric}SE`;
    if (se in last) expectClose(shown[metric]?.se, last[se], se, rel);
  }
}

const hashFor = (spec: unknown, extra = '') => `#spec=${Buffer.from(JSON.stringify(spec)).toString('base64url')}${extra}`;

const LINEAR_COLUMNS = ['mse', 'bias2', 'variance', 'risk', 'acceptRate', 'failed'];

let defaultNode: RunResult;
let defaultRun: FinishedRun;
let defaultPage: Page;
let defaultProblems: string[];

beforeAll(async () => {
  // Always the current sources: the page under test is built here.
  await build({ configFile: join(ROOT, 'demo', 'vite.config.ts'), logLevel: 'error' });
  mkdirSync(SHOTS, { recursive: true });
  served = await serveFolder(DIST);
  base = served.base;
  browser = await launchChromium();
  // The reference: the same spec and seed in this process, on Dawn's adapter.
  defaultNode = await runExperiment(parseSpec(demoPresetSpec(DEMO_DEFAULT_PRESET)));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

describe('demo page (built, in Chromium with WebGPU)', () => {
  it('loads, runs the default preset on WebGPU and shows the numbers a Node run of the same spec and seed gives', async () => {
    defaultPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    defaultProblems = watchPage(defaultPage);
    await defaultPage.goto(`${base}/`);
    defaultRun = await waitForRun(defaultPage);

    const chart = defaultPage.locator('synthloop-chart');
    expect(await chart.getAttribute('data-backend')).toBe('webgpu');
    expect(defaultRun.runs).toHaveLength(1);
    const page = defaultRun.runs[0].result;
    expect(page.backend).toBe('webgpu');
    expect(page.adapter?.path).toBe('browser');
    await expect(defaultPage.getByTestId('page-adapter').textContent()).resolves.toMatch(/^WebGPU · /);
    await expect(chart.getByTestId('adapter').textContent()).resolves.toMatch(/^WebGPU · \S/);
    await expect(defaultPage.getByTestId('no-webgpu').isHidden()).resolves.toBe(true);
    await expect(chart.getByTestId('throughput').textContent()).resolves.toMatch(/^[\d,]+ replicate-generations\/s$/);
    await expect(chart.getByTestId('progress-text').textContent()).resolves.toMatch(/^done in /);
    expect(await chart.getByTestId('progress').evaluate((p) => (p as HTMLProgressElement).value)).toBe(1);

    // The same spec and seed: what the page ran is the default preset as the Node run had it.
    expect(page.spec).toEqual(defaultNode.spec);
    // What the page shows, against the Node run.
    const T = defaultNode.spec.generations;
    const shown = await shownNumbers(defaultPage);
    expectShownEqual(shown, defaultNode.generations[T], LINEAR_COLUMNS);
    expectClose(shown.exact?.value, defaultNode.closedForms[0].values[T], 'exact risk', 1e-5);
    // Every generation the page computed, against the Node run.
    expect(page.generations).toHaveLength(T + 1);
    page.generations.forEach((g, t) => {
      for (const metric of ['mse', 'mseSE', 'bias2', 'variance', 'risk']) expectClose(g[metric], defaultNode.generations[t][metric], `${metric} at t = ${t}`);
    });
    // The MC result differs from the closed form by Monte Carlo noise only, not by a broken page.
    expect(Math.abs(page.generations[T].mse! - defaultNode.closedForms[0].values[T])).toBeLessThan(4 * page.generations[T].mseSE!);

    // The plots: the mse with its band, bias² and variance; the closed form drawn dashed.
    const figures = chart.locator('figure.chart');
    expect(await figures.evaluateAll((f) => f.map((e) => (e as HTMLElement).dataset.chart))).toEqual(['mse', 'bias-variance']);
    const mse = chart.locator('figure[data-chart="mse"] svg').last();
    expect(await mse.locator('[stroke-dasharray="4,3"] path').count(), 'closed-form curve').toBeGreaterThan(0);
    expect(await mse.locator('[aria-label="area"] path').count(), '±2 SE band').toBeGreaterThan(0);
    expect(await mse.locator('[aria-label="line"] path').count(), 'mse line').toBeGreaterThan(0);

    // The link now names this spec and seed.
    const hash = new URL(defaultPage.url()).hash;
    expect(JSON.parse(Buffer.from(new URLSearchParams(hash.slice(1)).get('spec')!, 'base64url').toString())).toEqual(demoPresetSpec(DEMO_DEFAULT_PRESET));

    // Downloads: the CLI's CSV (one row per generation) and JSON (the RunResult, with the link), from the Export menu.
    await defaultPage.getByTestId('export').click();
    const [csv] = await Promise.all([defaultPage.waitForEvent('download'), defaultPage.getByTestId('download-csv').click()]);
    expect(csv.suggestedFilename()).toBe('synthloop-dohmatob-replace-seed1.csv');
    const lines = readFileSync((await csv.path())!, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(T + 2);
    const header = lines[0].split(',');
    expect(header.slice(0, 2)).toEqual(['t', 'mse']);
    const lastRow = lines[T + 1].split(',');
    expect(Number(lastRow[0])).toBe(T);
    expect(Number(lastRow[header.indexOf('mse')])).toBe(page.generations[T].mse);
    const [json] = await Promise.all([defaultPage.waitForEvent('download'), defaultPage.getByTestId('download-json').click()]);
    const saved = JSON.parse(readFileSync((await json.path())!, 'utf8')) as RunResult & { url: string };
    expect(saved.generations).toEqual(page.generations);
    expect(saved.spec).toEqual(page.spec);
    expect(saved.url).toBe(defaultPage.url());

    const shot = join(SHOTS, 'demo-default.png');
    await defaultPage.screenshot({ path: shot, fullPage: true });
    expectNotBlankPNG(shot);
    const charts = join(SHOTS, 'demo-default-charts.png');
    await chart.getByTestId('charts').screenshot({ path: charts });
    expectNotBlankPNG(charts);
    expect(defaultProblems).toEqual([]);
  }, 90_000);

  it('re-runs when a parameter changes, and the link reruns to identical numbers', async () => {
    const page = defaultPage;
    const before = await shownNumbers(page);
    await page.locator('#field-d').fill('5');
    await page.locator('#field-d').press('Tab');
    const changed = await waitForRun(page, (run) => run.runs[0].result.spec.d === 5);
    const result = changed.runs[0].result;
    expect(result.spec).toMatchObject({ model: 'linear', d: 5, n0: 100, seed: 1, replicates: 1024 });
    const after = await shownNumbers(page);
    expect(after.mse.value).not.toBe(before.mse.value);
    // The exact risk for d = 5: σ²d/(n₀−d−1) + t·σ²d/(n−d−1).
    expectClose(after.exact.value, 5 / 94 + 20 * 5 / 94, 'exact risk, d = 5', 1e-5);

    const link = page.url();
    expect(new URL(link).hash).toMatch(/^#spec=/);
    expect(await page.getByTestId('share-url').inputValue()).toBe(link);
    const again = await browser.newPage({ viewport: { width: 1024, height: 800 } });
    const problems = watchPage(again);
    await again.goto(link);
    const rerun = await waitForRun(again);
    expect(await again.locator('#field-d').inputValue()).toBe('5');
    const rerunResult = rerun.runs[0].result;
    expect(rerunResult.spec).toEqual(result.spec);
    // Same browser, same adapter, same seed: the same numbers, bit for bit.
    expect(rerunResult.generations).toEqual(result.generations);
    expect(await shownNumbers(again)).toEqual(after);
    await again.close();
    expect(problems).toEqual([]);
    expect(defaultProblems).toEqual([]);
  }, 90_000);

  it('cancels a run at once and keeps what it computed', async () => {
    const page = defaultPage;
    await page.locator('#field-generations').fill('3000');
    await page.locator('#field-generations').press('Enter');
    const chart = page.locator('synthloop-chart');
    await page.waitForFunction(() => {
      const chart = document.querySelector('synthloop-chart');
      const done = chart?.shadowRoot?.querySelector('tr[data-series="0"] td[data-metric="t"]')?.textContent;
      return chart?.getAttribute('state') === 'running' && Number(done) >= 1;
    }, null, { timeout: RUN_TIMEOUT });
    const clicked = Date.now();
    await page.getByTestId('page-cancel').click();
    await page.waitForFunction(() => document.querySelector('synthloop-chart')?.getAttribute('state') === 'cancelled', null, { timeout: 5_000 });
    expect(Date.now() - clicked).toBeLessThan(5_000);
    await expect(chart.getByTestId('progress-text').textContent()).resolves.toMatch(/^cancelled after/);
    const shown = await shownNumbers(page);
    expect(shown.t.value).toBeGreaterThanOrEqual(1);
    expect(shown.t.value).toBeLessThan(3000);
    expect(shown.mse.value).toBeGreaterThan(0);
    expect(defaultProblems).toEqual([]);
  }, 90_000);

  it('runs four strategies side by side, overlaid in every plot', async () => {
    const spec = { ...demoPresetSpec(DEMO_DEFAULT_PRESET), replicates: 256, generations: 6 };
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchPage(page);
    await page.goto(`${base}/${hashFor(spec, '&compare=replace,verifier,mixture,accumulate')}`);
    const run = await waitForRun(page);
    expect(run.runs.map((r) => r.label)).toEqual(['replace, no verifier', 'replace + verifier', 'mixture (fresh real data)', 'accumulate']);
    expect(run.runs.map((r) => [r.result.spec.mode, (r.result.spec.verifier as { kind: string }).kind])).toEqual([
      ['replace', 'none'], ['replace', 'ball'], ['mixture', 'none'], ['accumulate', 'none'],
    ]);
    const chart = page.locator('synthloop-chart');
    expect(await chart.locator('figure.chart').evaluateAll((f) => f.map((e) => (e as HTMLElement).dataset.chart))).toEqual(['mse', 'bias-variance', 'accept', 'center']);
    // One legend entry and one mse line per strategy.
    expect(await chart.locator('figure[data-chart="mse"] [class$="-swatch"]').count()).toBe(4);
    expect(await chart.locator('figure[data-chart="mse"] svg [aria-label="line"] path').count()).toBeGreaterThanOrEqual(4);
    await expect(page.locator('input[name="compare-verifier"]').isChecked()).resolves.toBe(true);
    // The verifier strategy's numbers, against Node. Its decisions can differ between adapters for
    // a sample within f32 rounding of the ball's edge (the page runs on SwiftShader, Node on
    // llvmpipe); such a flip moves a mean by far less than its SE, so the bound is the larger of
    // 1e-3 relative and a tenth of the SE (of the mse, for bias² and variance, which have none).
    const verified = (await runExperiment(parseSpec(run.runs[1].result.spec))).generations[6];
    const shown = await shownNumbers(page, 1);
    for (const metric of [...LINEAR_COLUMNS, 'centerDist2']) {
      const scale = verified[`${metric}SE`] ?? (metric === 'bias2' || metric === 'variance' ? verified.mseSE : 0);
      const expected = verified[metric]!;
      expect(Math.abs(shown[metric]!.value! - expected), `${metric}: page ${shown[metric]?.value}, Node ${expected}`)
        .toBeLessThanOrEqual(Math.max(REL * Math.abs(expected), 0.1 * (scale ?? 0)) + 1e-12);
    }
    // Escaping collapse: each strategy ends below plain replacement.
    const mse = run.runs.map((r) => r.result.generations[6].mse!);
    for (const other of mse.slice(1)) expect(other).toBeLessThan(mse[0]);
    await page.screenshot({ path: join(SHOTS, 'demo-strategies.png'), fullPage: true });
    expectNotBlankPNG(join(SHOTS, 'demo-strategies.png'));
    await page.close();
    expect(problems).toEqual([]);
  }, 90_000);

  it('shows a two-axis sweep as a heatmap with a read-out on hover', async () => {
    const spec = { model: 'yi-grid', d: 5, sigma: 1, n1: 100, n2: 100, replicates: 100, seed: 1, sweep: { bias: { start: 0, stop: 0.25, count: 6 }, radius: { start: 0.01, stop: 0.5, count: 5 } } };
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchPage(page);
    await page.goto(`${base}/${hashFor(spec)}`);
    const run = await waitForRun(page);
    const cells = run.runs[0].result.cells!;
    expect(cells).toHaveLength(30);
    const node = await runExperiment(parseSpec(spec));
    cells.forEach((cell, c) => {
      expect(cell.params).toEqual(node.cells![c].params);
      const [shown, expected] = [cell.generations[0], node.cells![c].generations[0]];
      // θ̂₀ does not involve the verifier: the adapters agree to f32 rounding.
      expectClose(shown.loss0, expected.loss0, `loss0 in cell ${c}`);
      // The verifier's decisions can differ between adapters for a sample within f32 rounding
      // of the ball's edge (the page runs on SwiftShader, Node on llvmpipe); such a flip moves a
      // cell mean by a small fraction of its standard error, never by more than a tenth of it.
      for (const metric of ['loss1', 'acceptReal']) {
        const se = expected[`${metric}SE`]!;
        expect(Math.abs(shown[metric]! - expected[metric]!), `${metric} in cell ${c}: page ${shown[metric]}, Node ${expected[metric]} ± ${se}`)
          .toBeLessThanOrEqual(Math.max(REL * Math.abs(expected[metric]!), 0.1 * se));
      }
    });
    const chart = page.locator('synthloop-chart');
    const map = chart.locator('figure[data-chart="heatmap"] svg').last();
    expect(await map.locator('[aria-label="rect"] rect').count()).toBe(30);
    expect(await chart.getByTestId('heatmap-metric').inputValue()).toBe('best');
    const box = (await map.locator('[aria-label="rect"]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    const tip = map.locator('[aria-label="tip"]');
    await expect.poll(() => tip.textContent(), { timeout: 5_000 }).toMatch(/bias.*radius.*best\s*θ̂/s);
    // Another metric recolours the map and goes into the link.
    await chart.getByTestId('heatmap-metric').selectOption('loss1');
    await expect.poll(() => page.url()).toContain('metric=loss1');
    await page.screenshot({ path: join(SHOTS, 'demo-heatmap.png'), fullPage: true });
    expectNotBlankPNG(join(SHOTS, 'demo-heatmap.png'));
    await page.close();
    expect(problems).toEqual([]);
  }, 90_000);

  it('renders the documented embed snippet in a bare HTML page', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const snippet = /```html\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet, 'the README section documents an HTML snippet').toMatch(/<synthloop-chart preset="yi-verified"/);
    served.routes.set('/bare.html', `<!doctype html>\n${snippet!.replace('https://YOUR-HOST/synthloop-chart.js', '/synthloop-chart.js')}`);
    const page = await browser.newPage({ viewport: { width: 900, height: 800 } });
    const problems = watchPage(page);
    await page.goto(`${base}/bare.html`);
    const run = await waitForRun(page);
    const spec = run.runs[0].result.spec;
    expect(spec).toMatchObject({ model: 'linear', replicates: Number(/replicates="(\d+)"/.exec(snippet!)![1]) });
    expect(spec.verifier).toMatchObject({ kind: 'ball', bias: 0.1, radius: 0.1 });
    expect(run.runs[0].result.backend).toBe('webgpu');
    const chart = page.locator('synthloop-chart');
    expect(await chart.locator('figure.chart svg').count()).toBeGreaterThanOrEqual(3);
    const shown = await shownNumbers(page);
    expect(shown.mse.value).toBeCloseTo(run.runs[0].result.generations.at(-1)!.mse!, 5);
    // The plateau the preset shows: bias² near the verifier's 0.01 bias² after 30 generations.
    expect(shown.bias2.value).toBeGreaterThan(0.004);
    expect(shown.bias2.value).toBeLessThan(0.02);
    const shot = join(SHOTS, 'demo-embed.png');
    await page.screenshot({ path: shot, fullPage: true });
    expectNotBlankPNG(shot);
    await page.close();
    expect(problems).toEqual([]);
    // The same example ships in demo/dist.
    expect(readFileSync(join(DIST, 'embed-example.html'), 'utf8')).toContain('<synthloop-chart preset="yi-verified"');
  }, 90_000);
});

/**
 * yi-mnist-quick (mnist-cvae: a CVAE retrained on its own samples, filtered arm keepFraction 0.1 against
 * unfiltered 1) shrunk to seconds of training: the whole preset takes minutes on a software adapter.
 */
const TINY_MNIST = {
  ...demoPresetSpec('yi-mnist-quick'),
  hidden: 8, latent: 2, n: 100, steps: 10, chunk: 10, verifier: { hidden: [8], steps: 3 },
  evaluation: { images: 20, samples: 20, heldout: 10 }, generations: 1, replicates: 2,
};
const MNIST_TIMEOUT = 240_000;

/** Every digit grid the chart shows: its caption and its pixels' spread (a blank canvas has none). */
function sampleCanvases(page: Page) {
  return page.locator('synthloop-chart').evaluate((chart) => [...chart.shadowRoot!.querySelectorAll<HTMLElement>('figure.sample')].map((figure) => {
    const canvas = figure.querySelector('canvas')!;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    const levels = new Set<number>();
    let sum = 0, squares = 0;
    for (let i = 0; i < data.length; i += 4) {
      levels.add(data[i]);
      sum += data[i];
      squares += data[i] * data[i];
    }
    const pixels = data.length / 4, mean = sum / pixels;
    return {
      caption: figure.querySelector('figcaption')!.textContent, width: canvas.width, height: canvas.height,
      shownWidth: canvas.getBoundingClientRect().width, levels: levels.size, spread: Math.sqrt(squares / pixels - mean * mean),
    };
  }));
}

describe('demo page: the MNIST CVAE loop (yi-mnist-quick, shrunk)', () => {
  it('runs both arms, plots NELBO and FID per round with ±2 SE bands, and draws each arm\'s digit grid per round', async () => {
    expect(demoPresetSpec('yi-mnist-quick').sweep).toEqual({ keepFraction: [0.1, 1] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchPage(page);
    // What arrives while the run goes: the rounds' statistics and images come before the end.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      document.addEventListener('synthloop-progress', (e) => seen.push(`progress ${(e as CustomEvent).detail.t}`));
      document.addEventListener('synthloop-image', (e) => seen.push(`image ${(e as CustomEvent).detail.image.cell} ${(e as CustomEvent).detail.image.t}`));
      document.addEventListener('synthloop-done', () => seen.push('done'));
    });
    await page.goto(`${base}/${hashFor(TINY_MNIST)}`);
    const run = await waitForRun(page, () => true, MNIST_TIMEOUT);
    const result = run.runs[0].result;
    expect(result.spec.model).toBe('mnist-cvae');
    expect(result.cells!.map((c) => c.params)).toEqual([{ keepFraction: 0.1 }, { keepFraction: 1 }]);
    for (const cell of result.cells!) {
      expect(cell.generations.map((g) => g.t)).toEqual([0, 1]);
      for (const g of cell.generations) for (const metric of ['nelbo', 'nelboSE', 'fid', 'fidSE']) expect(g[metric], metric).toBeGreaterThan(0);
    }
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.filter((e) => e.startsWith('image')).sort()).toEqual(['image 0 0', 'image 0 1', 'image 1 0', 'image 1 1']);
    expect(seen.indexOf('image 1 0'), 'round 0\'s images before the run ends').toBeLessThan(seen.indexOf('progress 1'));
    expect(seen.at(-1)).toBe('done');

    // NELBO and FID: one curve and one ±2 SE band per arm, labelled by arm.
    const chart = page.locator('synthloop-chart');
    expect(await chart.locator('figure.chart').evaluateAll((f) => f.map((e) => (e as HTMLElement).dataset.chart))).toEqual(['nelbo', 'fid', 'accuracy', 'verifier']);
    for (const id of ['nelbo', 'fid']) {
      const figure = chart.locator(`figure[data-chart="${id}"]`);
      expect(await figure.locator('[class$="-swatch"]').allTextContents(), `${id} legend`).toEqual(['keepFraction 0.1 (filtered)', 'keepFraction 1 (unfiltered)']);
      const svg = figure.locator('svg').last();
      expect(await svg.locator('[aria-label="line"] path').count(), `${id} curves`).toBe(2);
      expect(await svg.locator('[aria-label="area"] path').count(), `${id} ±2 SE bands`).toBe(2);
    }

    // The samples: both arms side by side at the latest round, then at round 0.
    await expect(chart.getByTestId('sample-round').inputValue()).resolves.toBe('latest');
    let canvases = await sampleCanvases(page);
    expect(canvases.map((c) => c.caption)).toEqual(['round 1 · keepFraction 0.1 (filtered)', 'round 1 · keepFraction 1 (unfiltered)']);
    for (const canvas of canvases) {
      expect([canvas.width, canvas.height]).toEqual([280, 280]);
      expect(canvas.shownWidth).toBeGreaterThan(100);
      expect(canvas.levels, `${canvas.caption}: gray levels`).toBeGreaterThan(10);
      expect(canvas.spread, `${canvas.caption}: pixel spread`).toBeGreaterThan(2);
    }
    await chart.getByTestId('sample-round').selectOption('0');
    canvases = await sampleCanvases(page);
    expect(canvases.map((c) => c.caption)).toEqual(['round 0 · keepFraction 0.1 (filtered)', 'round 0 · keepFraction 1 (unfiltered)']);
    for (const canvas of canvases) expect(canvas.levels, `${canvas.caption}: gray levels`).toBeGreaterThan(10);
    await chart.getByTestId('sample-round').selectOption('latest');

    const shot = join(SHOTS, 'demo-mnist.png');
    await page.screenshot({ path: shot, fullPage: true });
    expectNotBlankPNG(shot);
    const samples = join(SHOTS, 'demo-mnist-samples.png');
    await chart.getByTestId('samples').screenshot({ path: samples });
    expectNotBlankPNG(samples);
    await page.close();
    expect(problems).toEqual([]);
  }, MNIST_TIMEOUT + 30_000);

  it('runs in the stand-alone embed, whose blob: worker fetches the digits and classifier from URLs the page resolved', async () => {
    const spec = { ...TINY_MNIST, generations: 0 };
    served.routes.set('/bare-mnist.html', `<!doctype html>\n<script type="module" src="/synthloop-chart.js"></script>\n<synthloop-chart spec='${JSON.stringify(spec)}'></synthloop-chart>`);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchPage(page);
    const requested: string[] = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    await page.goto(`${base}/bare-mnist.html`);
    const run = await waitForRun(page, () => true, MNIST_TIMEOUT);
    expect(run.runs[0].result.cells).toHaveLength(2);
    // The embed's worker is inlined (no worker file fetched), and the assets came from demo/dist/assets/.
    expect(requested.filter((path) => /worker/.test(path))).toEqual([]);
    expect(requested.filter((path) => /\.bin$/.test(path)).map((path) => path.replace(/-[\w-]{8}\.bin$/, '.bin')).sort())
      .toEqual(['/assets/mnist-classifier.bin', '/assets/mnist-digits.bin']);
    const canvases = await sampleCanvases(page);
    expect(canvases.map((c) => c.caption)).toEqual(['round 0 · keepFraction 0.1 (filtered)', 'round 0 · keepFraction 1 (unfiltered)']);
    for (const canvas of canvases) expect(canvas.levels, `${canvas.caption}: gray levels`).toBeGreaterThan(10);
    // One round: each metric's value ± 2 SE per arm.
    expect(await page.locator('synthloop-chart figure[data-chart="nelbo"] [class$="-swatch"]').count()).toBe(2);
    const shot = join(SHOTS, 'demo-mnist-embed.png');
    await page.screenshot({ path: shot, fullPage: true });
    expectNotBlankPNG(shot);
    await page.close();
    expect(problems).toEqual([]);
  }, MNIST_TIMEOUT + 30_000);
});

describe('demo page without WebGPU', () => {
  let plain: Browser;
  beforeAll(async () => {
    // Without --enable-unsafe-webgpu, Chromium on Linux has navigator.gpu but no adapter; a page
    // from a plain-http host that is not loopback (demo.test) has no navigator.gpu at all.
    plain = await launchChromium({ webgpu: false, args: [`--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`] });
  });
  afterAll(async () => {
    await plain?.close();
  });

  it('says so, computes on the CPU twin (the numbers of a Node twin run) and fits a phone screen', async () => {
    {
      const page = await plain.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
      const problems = watchPage(page);
      await page.goto(`${base}/`);
      const run = await waitForRun(page);
      const result = run.runs[0].result;
      expect(result.backend).toBe('cpu');
      expect(result.adapter).toBeNull();
      expect(result.spec.backend).toBe('auto');
      expect(result.notices.join(' ')).toMatch(/CPU twin/);
      const chart = page.locator('synthloop-chart');
      expect(await chart.getAttribute('data-backend')).toBe('cpu');
      await expect(page.getByTestId('no-webgpu').isVisible()).resolves.toBe(true);
      await expect(page.getByTestId('no-webgpu').textContent()).resolves.toMatch(/No WebGPU in this browser.*CPU twin/);
      await expect(chart.getByTestId('notice').isVisible()).resolves.toBe(true);
      await expect(chart.getByTestId('adapter').textContent()).resolves.toMatch(/^CPU twin \(float64\)/);
      await expect(page.getByTestId('page-adapter').textContent()).resolves.toMatch(/^CPU twin/);
      // The twin in the page and the twin in Node: the same float64 arithmetic, the same digits.
      const twin = await runExperiment(parseSpec({ ...demoPresetSpec(DEMO_DEFAULT_PRESET), backend: 'cpu' }));
      const T = twin.spec.generations;
      const shown = await shownNumbers(page);
      for (const metric of LINEAR_COLUMNS) expect(shown[metric].value, metric).toBe(sixDigits(twin.generations[T][metric]));
      // (V8's and Chromium's last bits of a float64 sum may differ; nothing more.)
      result.generations.forEach((g, t) => {
        for (const [metric, value] of Object.entries(twin.generations[t])) expectClose(g[metric], value, `twin ${metric} at t = ${t}`, 1e-12);
      });
      // …and the WebGPU run's numbers to f32 tolerance.
      expectShownEqual(shown, defaultNode.generations[T], LINEAR_COLUMNS);
      // Readable on a phone: nothing wider than the screen; the charts come before the form.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const chartsTop = (await chart.boundingBox())!.y;
      const formTop = (await page.locator('#controls').boundingBox())!.y;
      expect(chartsTop).toBeLessThan(formTop);
      const shot = join(SHOTS, 'demo-phone-cpu.png');
      await page.screenshot({ path: shot });
      expectNotBlankPNG(shot);
      const charts = join(SHOTS, 'demo-phone-cpu-charts.png');
      await chart.getByTestId('charts').screenshot({ path: charts });
      expectNotBlankPNG(charts);
      expect(problems).toEqual([]);
      await page.close();
    }
  }, 90_000);

  it('runs on the twin where the page has no navigator.gpu, and says why a "webgpu" spec cannot run', async () => {
    const spec = { ...demoPresetSpec(DEMO_DEFAULT_PRESET), replicates: 256, generations: 5 };
    const page = await plain.newPage({ viewport: { width: 1024, height: 800 } });
    const problems = watchPage(page);
    const port = new URL(base).port;
    await page.goto(`http://${INSECURE_HOST}:${port}/${hashFor(spec)}`);
    expect(await page.evaluate(() => 'gpu' in navigator)).toBe(false);
    const run = await waitForRun(page);
    expect(run.runs[0].result.backend).toBe('cpu');
    await expect(page.getByTestId('no-webgpu').textContent()).resolves.toMatch(/No WebGPU in this browser \(navigator\.gpu is undefined/);
    const twin = await runExperiment(parseSpec({ ...spec, backend: 'cpu' }));
    run.runs[0].result.generations.forEach((g, t) => {
      for (const [metric, value] of Object.entries(twin.generations[t])) expectClose(g[metric], value, `twin ${metric} at t = ${t}`, 1e-12);
    });
    await page.locator('#field-backend').selectOption('webgpu');
    await page.waitForFunction(() => document.querySelector('synthloop-chart')?.getAttribute('state') === 'error', null, { timeout: 10_000 });
    await expect(page.locator('[data-path="backend"] .field-error').textContent()).resolves.toMatch(/is "webgpu", but this browser has no usable WebGPU/);
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);
});

// A record of the adapters this run used, next to the screenshots.
afterAll(() => {
  if (defaultRun) {
    writeFileSync(join(SHOTS, 'demo-adapters.json'), JSON.stringify({ page: defaultRun.runs[0].result.adapter, node: defaultNode.adapter }, null, 2));
  }
});
