// Pages in Debian's Chromium (playwright-core), served from a folder on loopback: what the demo and
// the packaged-library tests share.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { expect } from 'vitest';

export const CHROMIUM = process.env.SYNTHLOOP_CHROMIUM ?? '/usr/bin/chromium';
const BASE_ARGS = ['--disable-quic', '--no-sandbox', '--headless', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const WEBGPU_ARGS = ['--enable-unsafe-webgpu'];

const MIME: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };

export interface Served {
  /** http://127.0.0.1:PORT */
  base: string;
  /** Extra pages the server answers with, by path. */
  routes: Map<string, string>;
  close(): Promise<void>;
}

/** Serves `root` (index.html for folders) on a free loopback port. */
export function serveFolder(root: string): Promise<Served> {
  const routes = new Map<string, string>();
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    // A bare page's browser asks for a favicon that is none of the page's business.
    if (path === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    const extra = routes.get(path);
    if (extra !== undefined) {
      response.writeHead(200, { 'content-type': MIME['.html'] }).end(extra);
      return;
    }
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes,
    close: () => new Promise((closed) => server.close(() => closed())),
  })));
}

/** Chromium with WebGPU (SwiftShader in headless Chromium) unless `webgpu` is false; extra flags after. */
export function launchChromium({ webgpu = true, args = [] }: { webgpu?: boolean; args?: string[] } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run \`npm run setup\` (apt-get install chromium), or set SYNTHLOOP_CHROMIUM`);
  return chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, ...(webgpu ? WEBGPU_ARGS : []), ...args] });
}

/** Collects what would be a bug on the page: uncaught exceptions, console errors, failed requests. */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => {
    // A download's blob: URL is handed to the browser, not failed.
    if (!request.url().startsWith('blob:')) problems.push(`request failed: ${request.url()}`);
  });
  return problems;
}

/** A screenshot or exported PNG is not blank: some size, a spread of luminance and over 2 % of pixels off the background colour. */
export function expectNotBlankPNG(file: string): { width: number; height: number } {
  const png = PNG.sync.read(readFileSync(file));
  const counts = new Map<number, number>();
  let sum = 0, squares = 0;
  const pixels = png.width * png.height;
  for (let i = 0; i < pixels; i++) {
    const [r, g, b] = [png.data[4 * i], png.data[4 * i + 1], png.data[4 * i + 2]];
    const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    sum += luminance;
    squares += luminance * luminance;
    const key = (r << 16) | (g << 8) | b;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const mean = sum / pixels;
  expect(pixels, `${file} size`).toBeGreaterThan(10_000);
  expect(Math.sqrt(Math.max(0, squares / pixels - mean * mean)), `${file}: luminance spread`).toBeGreaterThan(8);
  expect(1 - Math.max(...counts.values()) / pixels, `${file}: share of non-background pixels`).toBeGreaterThan(0.02);
  return { width: png.width, height: png.height };
}
