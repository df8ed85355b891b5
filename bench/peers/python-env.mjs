// The Python interpreter for the JAX peers (bench/peers/jax_peer.py, bench/peers/jax_mnist_peer.py): a virtual environment
// at bench/.venv with bench/peers/requirements-jax.txt installed, created on first use.
//
//   import { jaxPython } from './bench/peers/python-env.mjs';
//   const python = await jaxPython();   // …/bench/.venv/bin/python
//
// Idempotent: the SHA-256 of the requirements file is stored in bench/.venv/.requirements-jax.sha256
// after a successful install; a later call whose hash matches (and whose interpreter imports jax)
// returns at once. A changed requirements file reinstalls into the same venv. The base interpreter
// is SYNTHLOOP_VENV_PYTHON, else python3 on PATH (3.11+ for jax 0.10). On Debian/Ubuntu, a python3
// without ensurepip cannot create a venv: the error says to `apt-get update && apt-get install -y python3-venv`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PEERS = dirname(fileURLToPath(import.meta.url));
export const REQUIREMENTS = join(PEERS, 'requirements-jax.txt');
export const VENV = resolve(PEERS, '..', '.venv');
const STAMP = join(VENV, '.requirements-jax.sha256');

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  return { ok: r.status === 0, status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

const tail = (text, lines = 15) => text.trim().split('\n').slice(-lines).join('\n');

/** @param {{ log?: (line: string) => void, basePython?: string }} [options] @returns {Promise<string>} */
export async function jaxPython(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const python = join(VENV, 'bin', 'python');
  const hash = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex');
  if (existsSync(python) && existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === hash
      && run(python, ['-c', 'import jax']).ok) return python;

  const base = options.basePython ?? process.env.SYNTHLOOP_VENV_PYTHON ?? 'python3';
  const version = run(base, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
  if (!version.ok) throw new Error(`jaxPython: cannot run ${base} (${tail(version.out, 3)}); install Python 3.11+ or set SYNTHLOOP_VENV_PYTHON`);
  const [major, minor] = version.out.trim().split('.').map(Number);
  if (major < 3 || (major === 3 && minor < 11)) throw new Error(`jaxPython: ${base} is Python ${version.out.trim()}; jax 0.10 needs 3.11+ (set SYNTHLOOP_VENV_PYTHON)`);

  if (!existsSync(python)) {
    if (!run(base, ['-c', 'import ensurepip']).ok) {
      throw new Error(`jaxPython: ${base} has no ensurepip, so it cannot create a virtual environment. ` +
        `On Debian/Ubuntu: apt-get update && apt-get install -y python3-venv (or python${major}.${minor}-venv), then rerun.`);
    }
    log(`jaxPython: creating ${VENV} with ${base} -m venv`);
    const venv = run(base, ['-m', 'venv', VENV]);
    if (!venv.ok || !existsSync(python)) {
      rmSync(VENV, { recursive: true, force: true }); // a half-made venv would be taken for a finished one
      const hint = /ensurepip|python3-venv/.test(venv.out) ? '\nOn Debian/Ubuntu: apt-get update && apt-get install -y python3-venv' : '';
      throw new Error(`jaxPython: ${base} -m venv ${VENV} failed:\n${tail(venv.out)}${hint}`);
    }
  }
  log(`jaxPython: pip install -r ${REQUIREMENTS} (jax[cpu], a few minutes the first time)`);
  const pip = run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', REQUIREMENTS]);
  if (!pip.ok) throw new Error(`jaxPython: pip install -r ${REQUIREMENTS} failed (exit ${pip.status}):\n${tail(pip.out)}`);
  const probe = run(python, ['-c', 'import jax, jaxlib, numpy; print(jax.__version__, jaxlib.__version__, numpy.__version__)']);
  if (!probe.ok) throw new Error(`jaxPython: jax does not import after install:\n${tail(probe.out)}`);
  writeFileSync(STAMP, `${hash}\n`);
  log(`jaxPython: ready (jax, jaxlib, numpy = ${probe.out.trim()})`);
  return python;
}

// `node bench/peers/python-env.mjs` prepares the venv and prints the interpreter path.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  jaxPython().then((p) => console.log(p), (e) => { console.error(e.message); process.exit(1); });
}
