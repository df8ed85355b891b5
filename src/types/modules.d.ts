// WGSL sources are imported as strings (Vite's `?raw`), so kernels stay in `.wgsl` files
// and still ship inside the bundle for Node and the browser alike.
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}

// wgsl-preprocessor ships plain ESM without a `main` or types.
declare module 'wgsl-preprocessor/wgsl-preprocessor.js' {
  /** Template tag resolving `#if ${flag}` / `#elif` / `#else` / `#endif` blocks. */
  export function wgsl(strings: readonly string[] | TemplateStringsArray, ...values: unknown[]): string;
}
