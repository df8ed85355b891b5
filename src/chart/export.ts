/**
 * Downloads of a finished run in the CLI's shapes: JSON (the RunResult; several under `runs` when
 * strategies are compared) and CSV (wide, one row per generation; long for a sweep, one row per
 * cell × generation × metric), with a leading `strategy` column when strategies are compared.
 */
import type { RunResult } from '../core/engine/result.js';

export interface LabelledRun {
  label: string;
  result: RunResult;
}

const csvValue = (x: unknown) => {
  if (x === null || x === undefined) return '';
  const text = String(x);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

function withoutEmptyGenerations(result: RunResult): Partial<RunResult> {
  if (!result.cells) return result;
  const { generations: _unused, ...rest } = result;
  return rest;
}

export function runsToJSON(runs: LabelledRun[], url?: string): string {
  const body = runs.length === 1
    ? { ...withoutEmptyGenerations(runs[0].result), ...(url ? { url } : {}) }
    : { ...(url ? { url } : {}), runs: runs.map((r) => ({ strategy: r.label, ...withoutEmptyGenerations(r.result) })) };
  return JSON.stringify(body, null, 2) + '\n';
}

export function runsToCSV(runs: LabelledRun[]): string {
  const labelled = runs.length > 1;
  const lines: string[] = [];
  const first = runs[0]?.result;
  if (!first) return '';
  if (first.cells) {
    const paths = Object.keys(first.spec.sweep ?? {});
    lines.push([...(labelled ? ['strategy'] : []), ...paths, 't', 'metric', 'value'].join(','));
    for (const { label, result } of runs) {
      for (const cell of result.cells ?? []) {
        const params = paths.map((p) => csvValue(cell.params[p]));
        for (const g of cell.generations) {
          for (const [metric, value] of Object.entries(g)) {
            if (metric !== 't') lines.push([...(labelled ? [csvValue(label)] : []), ...params, g.t, metric, csvValue(value)].join(','));
          }
        }
      }
    }
  } else {
    const keys = Object.keys(first.generations[0] ?? { t: 0 });
    lines.push([...(labelled ? ['strategy'] : []), ...keys].join(','));
    for (const { label, result } of runs) {
      for (const g of result.generations) lines.push([...(labelled ? [csvValue(label)] : []), ...keys.map((k) => csvValue(g[k]))].join(','));
    }
  }
  return lines.join('\n') + '\n';
}
