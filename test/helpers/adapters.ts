// The adapter paths GPU tests run on: every one that works here. Where CI=true both
// software paths are required, so a missing system package fails the suite instead of
// silently shrinking it.
import { NODE_PATHS, probeAdapters, type AdapterPath } from '../../src/gpu/device.js';

const REQUIRED_IN_CI: AdapterPath[] = ['llvmpipe', 'swiftshader'];

export async function workingPaths(): Promise<AdapterPath[]> {
  const probes = await probeAdapters();
  const working = probes.filter((p) => p.ok).map((p) => p.path);
  if (process.env.CI) {
    const missing = REQUIRED_IN_CI.filter((p) => !working.includes(p));
    if (missing.length) {
      const reasons = probes.filter((p) => !p.ok).map((p) => `${p.path}: ${'reason' in p ? p.reason : ''}`);
      throw new Error(`CI requires adapters ${missing.join(', ')}; ${reasons.join('; ')}`);
    }
  }
  if (!working.length) throw new Error(`no WebGPU adapter works here (tried ${NODE_PATHS.join(', ')}): run \`npm run setup\``);
  return working;
}
