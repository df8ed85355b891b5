/**
 * Stands in for src/core/gpu/node-gpu.ts in browser builds (package.json maps #node-gpu here under the
 * `browser` condition, which Vite, Rolldown, esbuild and webpack honour). The engine
 * loads it only where the page has no navigator.gpu: every Node path then fails with this reason,
 * acquireDevice throws NoAdapterError, and a run with backend "auto" uses the CPU twin.
 */
import type { AdapterSource } from '../adapter.js';

/** Why a page has no navigator.gpu: an old browser, or a page not served over https (or from localhost). */
export const NO_WEBGPU = 'navigator.gpu is undefined: WebGPU needs a browser that has it and a secure page (https or localhost)';

export function nodeAdapterSource(): AdapterSource {
  return {
    async requestAdapter() {
      throw new Error(NO_WEBGPU);
    },
  };
}
