// The package as users get it: this checkout packed (npm pack, from the build `npm test` makes),
// installed into an empty project, and used there from Node (the library and `npx synthloop`),
// from TypeScript (its declarations), and from a Vite page run in Chromium — with WebGPU, and on
// the CPU twin where the page has no navigator.gpu. A module the package needs but does not
// declare, Node-only code in the browser build, or a file missing from `files` fails here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, createLogger } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec, runExperiment } from '../src/models/index.js';
import type { RunResult } from '../src/core/engine/result.js';
import { launchChromium, serveFolder, watchPage } from './helpers/browser.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SPEC = { model: 'linear', d: 4, n0: 20, n: 20, generations: 2, replicates: 256, seed: 7 };
/** f32 on the GPU against the float64 twin, on a mean over replicates. */
const GPU_REL = 1e-3;
/** Only float64 rounding between Node's and Chromium's V8 may differ on the twin. */
const TWIN_REL = 1e-12;
/** Text in a browser bundle that only Node (or Dawn) can load. */
const NODE_ONLY = [/["'`]node:[a-z_]+/, /dawn\.node/, /createRequire/, /VK_ADD_DRIVER_FILES/, /from\s*["']webgpu["']/];

let work: string;
let app: string;
let packed: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
let twin: RunResult;

function run(command: string, args: string[], cwd: string, timeout = 180_000): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status ?? result.signal}:\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

const mseOf = (result: Pick<RunResult, 'generations'>) => result.generations.map((g) => g.mse as number);

function expectClose(actual: number[], expected: number[], rel: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((value, t) => expect(Math.abs(value - expected[t]), `${what} at t = ${t}: ${value} vs ${expected[t]}`).toBeLessThanOrEqual(rel * Math.abs(expected[t])));
}

beforeAll(() => {
  for (const built of ['dist/index.js', 'dist/cli.js', 'dist/browser/index.js', 'dist/types/index.d.ts']) {
    if (!existsSync(join(ROOT, built))) throw new Error(`${built} is missing: run \`npm run build\` first (\`npm test\` does)`);
  }
  work = mkdtempSync(join(tmpdir(), 'synthloop-package-'));
  [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT));
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'empty-project', private: true, type: 'module' }));
  run('npm', ['install', join(work, packed.filename), '--prefer-offline', '--no-audit', '--no-fund'], app);
}, 300_000);

beforeAll(async () => {
  twin = await runExperiment(parseSpec({ ...SPEC, backend: 'cpu' }));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the Node library, the bin, the browser build, their declarations, the licence and the science — nothing else', () => {
    const files = packed.files.map((f) => f.path);
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'docs/science.md', 'dist/index.js', 'dist/cli.js',
      'dist/browser/index.js', 'dist/browser/chart.js', 'dist/browser/worker.js', 'dist/types/index.d.ts', 'dist/types/chart/index.d.ts']) {
      expect(files, needed).toContain(needed);
    }
    const stray = files.filter((f) => !/^(package\.json|README\.md|LICENSE|docs\/science\.md|assets\/mnist-(digits|classifier)\.bin|dist\/.+\.(js|d\.ts))$/.test(f));
    expect(stray, 'files beyond what the library, the bin and the chart need').toEqual([]);
    console.log(`tarball: ${files.length} files, ${(packed.size / 1024).toFixed(1)} kB packed, ${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked`);
  });

  it('names every package its code imports at run time as a dependency', () => {
    const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const dist = join(app, 'node_modules', 'synthloop', 'dist');
    const code = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    const imported = new Set<string>();
    for (const file of code) {
      for (const [, spec] of readFileSync(join(dist, file), 'utf8').matchAll(/(?:^|[\s;])(?:import|export)\b[^'"`]*?from\s*["']([^"'./][^"']*)["']|import\(\s*["']([^"'./][^"']*)["']\s*\)/gm)) {
        if (!spec || spec.startsWith('node:')) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
    expect(imported.size).toBeGreaterThan(3);
    expect([...imported].filter((name) => !(name in dependencies))).toEqual([]);
  });
});

describe('installed into an empty Node project', () => {
  it('runs an experiment through the library, on the CPU twin (equal to this checkout) and on WebGPU', () => {
    writeFileSync(join(app, 'run.mjs'), [
      "import { parseSpec, runExperiment } from 'synthloop';",
      `const spec = ${JSON.stringify(SPEC)};`,
      "const out = {};",
      "for (const backend of ['cpu', 'webgpu']) {",
      '  const result = await runExperiment(parseSpec({ ...spec, backend }));',
      '  out[backend] = { backend: result.backend, mse: result.generations.map((g) => g.mse) };',
      '}',
      'console.log(JSON.stringify(out));',
      'process.exit(0);',
    ].join('\n'));
    const out = JSON.parse(run(process.execPath, ['run.mjs'], app));
    expect(out.cpu.backend).toBe('cpu');
    expect(out.cpu.mse).toEqual(mseOf(twin));
    expect(out.webgpu.backend).toBe('webgpu');
    expectClose(out.webgpu.mse, mseOf(twin), GPU_REL, 'WebGPU mse');
  });

  it('runs `npx synthloop`', () => {
    const json = JSON.parse(run('npx', ['--no-install', 'synthloop', 'run', '--backend', 'cpu', '--replicates', String(SPEC.replicates),
      '--generations', String(SPEC.generations), '--seed', String(SPEC.seed), '--set', 'd=4', '--set', 'n0=20', '--set', 'n=20', '--format', 'json', '--quiet'], app));
    expect(json.backend).toBe('cpu');
    expect(mseOf(json)).toEqual(mseOf(twin));
    expect(run('npx', ['--no-install', 'synthloop', '--help'], app)).toMatch(/Usage: synthloop/);
  });

  it('type-checks a TypeScript program that uses the library and the chart', () => {
    writeFileSync(join(app, 'check.ts'), [
      "import { parseSpec, runExperiment, type RunResult } from 'synthloop';",
      "import { mount, type SynthloopChart } from 'synthloop/chart';",
      "const result: Promise<RunResult> = runExperiment(parseSpec({ model: 'linear' }));",
      "const chart: SynthloopChart = mount(document.body, 'yi-verified');",
      'const device: GPUDevice | undefined = undefined;',
      'export { result, chart, device };',
    ].join('\n'));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['es2023', 'dom'], types: [], skipLibCheck: true },
      files: ['check.ts'],
    }));
    run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', app], app);
    // And a mistake is caught, so the check above checked something.
    writeFileSync(join(app, 'check.ts'), "import { runExperiment } from 'synthloop';\nrunExperiment('not a spec');\n");
    expect(() => run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', app], app)).toThrow(/not a spec|Argument of type/);
  });
});

describe('bundled by Vite into a page', () => {
  let page: string;
  let bundle: string;
  const warnings: string[] = [];

  beforeAll(async () => {
    page = join(app, 'page');
    mkdirSync(page);
    writeFileSync(join(page, 'index.html'), '<!doctype html>\n<html><head><meta charset="utf-8"><title>t</title><link rel="icon" href="data:,"><script type="module" src="./main.js"></script></head><body></body></html>\n');
    writeFileSync(join(page, 'main.js'), [
      "import { parseSpec, runExperiment } from 'synthloop';",
      "import { mount } from 'synthloop/chart';",
      `const spec = ${JSON.stringify(SPEC)};`,
      'window.outcome = (async () => {',
      '  const result = await runExperiment(parseSpec(spec));',
      '  const chart = mount(document.body, spec, { controls: false });',
      '  const finished = await new Promise((done, fail) => {',
      "    chart.addEventListener('synthloop-done', (event) => done(event.detail), { once: true });",
      "    chart.addEventListener('synthloop-error', (event) => fail(new Error(event.detail.message)), { once: true });",
      '  });',
      '  const charted = finished.runs[0].result;',
      '  return {',
      '    library: { backend: result.backend, mse: result.generations.map((g) => g.mse) },',
      '    chart: { backend: charted.backend, mse: charted.generations.map((g) => g.mse) },',
      '  };',
      '})();',
    ].join('\n'));
    const logger = createLogger('warn');
    logger.warn = (message) => warnings.push(message);
    logger.warnOnce = (message) => warnings.push(message);
    await build({ root: page, configFile: false, logLevel: 'warn', customLogger: logger, build: { chunkSizeWarningLimit: 4096 } });
    bundle = join(page, 'dist');
  }, 120_000);

  it('without a warning and with no Node-only code in the bundle', () => {
    expect(warnings).toEqual([]);
    const files = readdirSync(bundle, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(files.length, 'the page and the engine worker').toBeGreaterThanOrEqual(2);
    const sizes: string[] = [];
    for (const file of files) {
      const code = readFileSync(join(bundle, file));
      for (const pattern of NODE_ONLY) expect(code.toString(), `${file} contains ${pattern}`).not.toMatch(pattern);
      sizes.push(`${file} ${(code.length / 1024).toFixed(0)} kB (${(gzipSync(code).length / 1024).toFixed(0)} kB gzip)`);
    }
    console.log(`Vite page bundle: ${sizes.join(', ')}`);
  });

  /** The page's library run and its chart's run, on a browser that has WebGPU or not. */
  async function outcomeIn(webgpu: boolean): Promise<{ library: { backend: string; mse: number[] }; chart: { backend: string; mse: number[] } }> {
    const served = await serveFolder(bundle);
    // Without WebGPU: an insecure origin (http, not localhost) has no navigator.gpu, in the page and its worker.
    const host = 'package.test';
    const chromium = await launchChromium({ webgpu, args: webgpu ? [] : [`--host-resolver-rules=MAP ${host} 127.0.0.1`] });
    try {
      const tab = await chromium.newPage();
      const problems = watchPage(tab);
      await tab.goto(webgpu ? `${served.base}/` : `http://${host}:${new URL(served.base).port}/`);
      expect(await tab.evaluate(() => 'gpu' in navigator)).toBe(webgpu);
      const outcome = await tab.evaluate(() => (window as unknown as { outcome: Promise<never> }).outcome);
      expect(problems).toEqual([]);
      return outcome;
    } finally {
      await chromium.close();
      await served.close();
    }
  }

  it('runs in Chromium on WebGPU: the library and <synthloop-chart> agree with the twin within f32 error', async () => {
    const { library, chart } = await outcomeIn(true);
    expect(library.backend).toBe('webgpu');
    expect(chart.backend).toBe('webgpu');
    expectClose(library.mse, mseOf(twin), GPU_REL, 'page library mse');
    expectClose(chart.mse, mseOf(twin), GPU_REL, 'page chart mse');
  });

  it('runs in Chromium without navigator.gpu on the CPU twin, equal to the twin in Node', async () => {
    const { library, chart } = await outcomeIn(false);
    expect(library.backend).toBe('cpu');
    expect(chart.backend).toBe('cpu');
    expectClose(library.mse, mseOf(twin), TWIN_REL, 'page library mse');
    expectClose(chart.mse, mseOf(twin), TWIN_REL, 'page chart mse');
  });
});

describe('links', () => {
  it('every relative link in the README and the docs resolves inside the repository', () => {
    for (const doc of ['README.md', 'ARCHITECTURE.md', 'docs/science.md']) {
      const text = readFileSync(join(ROOT, doc), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const path = resolve(ROOT, dirname(doc), target.split('#')[0]);
        expect(path.startsWith(ROOT) && existsSync(path), `${doc} links ${target}`).toBe(true);
      }
    }
  });
});

describe("the README's two commands", () => {
  it('are what CI runs, and nothing else', () => {
    const blocks = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```sh\n([^`]*?)```/g)].map((m) => m[1].trim());
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8').split('\n')
      .filter((line) => line.trim() && !line.startsWith('#') && !/^(set -euo pipefail|cd "\$\(dirname "\$0"\)\/\.\.")$/.test(line));
    expect(ci).toEqual(blocks.slice(0, 2));
  });
});
