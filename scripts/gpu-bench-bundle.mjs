#!/usr/bin/env node
// `npm run bench:gpu:bundle`: everything a bare x86-64 Linux machine with an NVIDIA driver needs to run the
// bench suite on its GPU (`bash .gpu-bench/run.sh [OUTDIR]` there), in the ignored folder .gpu-bench/:
//   run.sh                     the run (scripts/gpu-bench-run.sh)
//   node.xz                    this Node (process.execPath, stripped), xz-compressed
//   app/cli.mjs                src/cli/main.ts with every JS dependency inlined (Rolldown; WGSL inlined as text)
//   app/package.json, assets/  what the mnist-cvae asset loader looks for beside the bundle (W5)
//   app/node_modules/webgpu/   the `webgpu` package's loader and its linux-x64 dawn.node (xz-compressed)
//   debs/libvulkan1_*.deb      Debian's Vulkan loader, unpacked there only if the machine has none
//   manifest.json              what went in, from which commit, and the sizes
// koffi (which only silences native log lines) is left out: on the GPU machine Dawn's and the loader's
// messages go to the log. Needs network once for the .deb (or SYNTHLOOP_LIBVULKAN_DEB=file, or apt's cache).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';
import { rawText } from './raw-text.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.gpu-bench');
const app = join(out, 'app');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const log = (line) => process.stderr.write(`bench:gpu:bundle: ${line}\n`);
const fail = (line) => { log(`error: ${line}`); process.exit(1); };
const has = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;

if (process.platform !== 'linux' || process.arch !== 'x64') fail(`the GPU machines are x86-64 Linux; this Node is ${process.platform}-${process.arch} (set SYNTHLOOP_NODE_BINARY to a linux-x64 node)`);
if (!has('xz')) fail('xz is needed (apt-get install xz-utils)');

/** xz -6 of `src` into `dst`, skipped when `dst` was made from the same file (size and mtime). */
function compress(src, dst) {
  const s = statSync(src);
  const stamp = `${src} ${s.size} ${s.mtimeMs}`;
  if (existsSync(dst) && existsSync(`${dst}.source`) && readFileSync(`${dst}.source`, 'utf8') === stamp) return false;
  execFileSync('sh', ['-c', 'xz -6 -T1 -c "$0" > "$1.tmp" && mv "$1.tmp" "$1"', src, dst], { stdio: 'inherit' });
  writeFileSync(`${dst}.source`, stamp);
  return true;
}

mkdirSync(out, { recursive: true });
rmSync(app, { recursive: true, force: true });
mkdirSync(join(app, 'assets'), { recursive: true });

// 1. The engine, the CLI and the bench in one file.
log('bundling src/cli/main.ts…');
await build({
  cwd: root,
  input: join(root, 'src/cli/main.ts'),
  platform: 'node',
  // webgpu: its loader finds dawn.node beside itself (app/node_modules/webgpu); koffi: optional, left out.
  external: ['webgpu', 'koffi'],
  plugins: [rawText],
  logLevel: 'warn',
  output: { file: join(app, 'cli.mjs'), format: 'es', codeSplitting: false, sourcemap: false, minify: false },
});
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'synthloop-gpu-bench', version: pkg.version, private: true, type: 'module' }, null, 2) + '\n');
for (const asset of pkg.files.filter((f) => f.startsWith('assets/'))) copyFileSync(join(root, asset), join(app, asset));

// 2. Dawn: the `webgpu` package's loader, its dawn.node for linux-x64 compressed (unpacked by run.sh).
const webgpu = join(root, 'node_modules/webgpu');
const webgpuOut = join(app, 'node_modules/webgpu');
mkdirSync(join(webgpuOut, 'dist/linux-x64'), { recursive: true });
for (const f of ['package.json', 'index.js', 'LICENSE.md']) copyFileSync(join(webgpu, f), join(webgpuOut, f));
const dawnXz = join(out, 'dawn.node.xz');
log('compressing dawn.node…');
compress(join(webgpu, 'dist/linux-x64/dawn.node'), dawnXz);

// 3. Node: this one (x86-64 Linux, glibc), without its symbol tables.
const nodeSource = process.env.SYNTHLOOP_NODE_BINARY ?? process.execPath;
const nodeVersion = execFileSync(nodeSource, ['--version'], { encoding: 'utf8' }).trim();
if (!/^v(2[0-9]|[3-9][0-9])\./.test(nodeVersion)) fail(`Node ≥ 20 needed, ${nodeSource} is ${nodeVersion}`);
const stripped = join(out, 'node.stripped');
const nodeXz = join(out, 'node.xz');
{
  const s = statSync(nodeSource);
  const stamp = `${nodeSource} ${s.size} ${s.mtimeMs}`;
  if (!(existsSync(nodeXz) && existsSync(`${nodeXz}.source`) && readFileSync(`${nodeXz}.source`, 'utf8') === stamp)) {
    log(`compressing ${nodeSource} (${nodeVersion}; about a minute)…`);
    copyFileSync(nodeSource, stripped);
    if (has('strip')) execFileSync('strip', [stripped]);
    execFileSync(stripped, ['-e', '0']);  // still runs
    compress(stripped, nodeXz);
    rmSync(stripped);
    writeFileSync(`${nodeXz}.source`, stamp);
  }
}

// 4. Debian's Vulkan loader (the GPU image may have none).
const debs = join(out, 'debs');
mkdirSync(debs, { recursive: true });
if (!readdirSync(debs).some((f) => /^libvulkan1_.*_amd64\.deb$/.test(f))) {
  const from = process.env.SYNTHLOOP_LIBVULKAN_DEB;
  if (from) copyFileSync(from, join(debs, from.split('/').pop()));
  else {
    const apt = ['-oAPT::Architecture=amd64', '-oAPT::Architectures=amd64'];
    const download = (extra) => spawnSync('apt-get', [...apt, ...extra, 'download', 'libvulkan1'], { cwd: debs, stdio: 'inherit' }).status === 0;
    log('apt-get download libvulkan1…');
    let ok = download([]);
    if (!ok && has('apt-get')) {
      mkdirSync('/tmp/amd64/partial', { recursive: true });
      const lists = ['-oDir::State::Lists=/tmp/amd64'];
      ok = spawnSync('apt-get', [...apt, ...lists, 'update'], { stdio: 'inherit' }).status === 0 && download(lists);
    }
    if (!ok) {
      const cached = existsSync('/var/cache/apt/archives') ? readdirSync('/var/cache/apt/archives').find((f) => /^libvulkan1_.*_amd64\.deb$/.test(f)) : undefined;
      if (!cached) fail('could not get libvulkan1 (no network?): set SYNTHLOOP_LIBVULKAN_DEB to a libvulkan1_*_amd64.deb');
      copyFileSync(join('/var/cache/apt/archives', cached), join(debs, cached));
    }
  }
}

// 5. The run.
copyFileSync(join(root, 'scripts/gpu-bench-run.sh'), join(out, 'run.sh'));
chmodSync(join(out, 'run.sh'), 0o755);

// 6. What went in, and the sizes.
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const s = statSync(path);
    if (s.isDirectory()) walk(path);
    else if (!name.endsWith('.source') && name !== 'manifest.json') files.push({ path: relative(out, path), bytes: s.size });
  }
};
walk(out);
const git = (...args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout.trim();
const bytes = files.reduce((s, f) => s + f.bytes, 0);
const unpacked = bytes - statSync(nodeXz).size - statSync(dawnXz).size + statSync(nodeSource).size + statSync(join(webgpu, 'dist/linux-x64/dawn.node')).size;
writeFileSync(join(out, 'manifest.json'), JSON.stringify({
  built: new Date().toISOString(), commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
  version: pkg.version, node: nodeVersion, webgpu: JSON.parse(readFileSync(join(webgpu, 'package.json'), 'utf8')).version,
  bytes, files: files.sort((a, b) => b.bytes - a.bytes),
}, null, 2) + '\n');
const mib = (x) => `${(x / 2 ** 20).toFixed(1)} MiB`;
log(`wrote .gpu-bench/: ${mib(bytes)} as it travels (${files.length} files; node ${mib(statSync(nodeXz).size)}, dawn.node ${mib(statSync(dawnXz).size)}, cli.mjs ${mib(statSync(join(app, 'cli.mjs')).size)}), `
  + `about ${mib(unpacked)} once run.sh unpacks Node and Dawn (into /tmp)`);
if (bytes > 60 * 2 ** 20) fail(`.gpu-bench is ${mib(bytes)}: over the 60 MiB it must stay under`);
log('run there: bash .gpu-bench/run.sh [OUTDIR]   (default OUTDIR bench/; see bench/README.md)');
