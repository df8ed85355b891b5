// The import graph of a source tree, type-only imports included, parsed by oxc (Rolldown's
// parser: TypeScript syntax, static, re-exports and dynamic imports alike).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseSync } from 'rolldown/utils';

/** file → the files it imports (paths relative to `root`, TypeScript sources only). */
export type ImportGraph = Map<string, string[]>;

/** `#name` imports resolve through package.json's `imports` (their `default` condition). */
export function importGraph(root: string, folder: string, packageImports: Record<string, { default: string }> = {}): ImportGraph {
  const files = readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(folder, f));
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const code = readFileSync(join(root, file), 'utf8');
    const { module, errors } = parseSync(file, code);
    if (errors.length) throw new Error(`${file}: ${errors[0].message}`);
    const specifiers = [
      ...module.staticImports.map((i) => i.moduleRequest.value),
      ...module.staticExports.flatMap((e) => e.entries.map((x) => x.moduleRequest?.value)).filter((v): v is string => !!v),
      ...module.dynamicImports.map((d) => code.slice(d.moduleRequest.start, d.moduleRequest.end).replace(/^['"`]|['"`]$/g, '')),
    ];
    const targets = new Set<string>();
    for (const specifier of specifiers) {
      const mapped = packageImports[specifier]?.default;
      if (!mapped && !specifier.startsWith('.')) continue;
      const path = mapped ? resolve(root, mapped) : resolve(root, dirname(file), specifier.replace(/\?.*$/, ''));
      const source = relative(root, path).replace(/\.js$/, '.ts');
      if (source.endsWith('.ts')) targets.add(source);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** The graph's cycles: strongly connected components of more than one file, or a file importing itself. */
export function importCycles(graph: ImportGraph): string[][] {
  let index = 0;
  const indices = new Map<string, number>(), lowlinks = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string) => {
    indices.set(file, index);
    lowlinks.set(file, index++);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        lowlinks.set(file, Math.min(lowlinks.get(file)!, lowlinks.get(next)!));
      } else if (onStack.has(next)) {
        lowlinks.set(file, Math.min(lowlinks.get(file)!, indices.get(next)!));
      }
    }
    if (lowlinks.get(file) === indices.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || graph.get(file)!.includes(file)) cycles.push(component.sort());
    }
  };
  for (const file of [...graph.keys()].sort()) if (!indices.has(file)) visit(file);
  return cycles;
}

/** Every import from a file matching `from` to a file matching `to`, as "a → b". */
export function importsBetween(graph: ImportGraph, from: (file: string) => boolean, to: (target: string, file: string) => boolean): string[] {
  return [...graph].flatMap(([file, targets]) => (from(file) ? targets.filter((t) => to(t, file)).map((t) => `${file} → ${t}`) : []));
}
