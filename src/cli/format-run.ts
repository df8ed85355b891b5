// The three shapes of `synthloop run` output: a readable table, the RunResult as JSON, or CSV.
import Table from 'cli-table3';
import type { Estimate, GenerationStats, RunResult } from '../engine/result.js';
import type { Spec } from '../spec/parse.js';
import { describeSchedule } from '../spec/schedule.js';

export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Every GenerationStats field, in CSV column order; `satisfies` fails the build if one is missing. */
const CSV_COLUMNS = Object.keys({
  t: true, mse: true, mseSE: true, bias2: true, variance: true, risk: true, riskSE: true,
  centerDist2: true, centerDist2SE: true, acceptRate: true, failed: true, replicates: true,
} satisfies Record<keyof GenerationStats, true>) as (keyof GenerationStats)[];

/** Four significant digits; a dash where the engine had no estimate (no replicate left, or one for an SE). */
const significant = (x: Estimate) => (x === null ? '—' : x.toPrecision(4));
const withSE = (x: Estimate, se: Estimate) => (x === null || se === null ? significant(x) : `${significant(x)} ± ${significant(se)}`);

/** One line naming the experiment: source, mode, sizes, schedules that are not the default, verifier. */
export function describeSpec(spec: Spec, source: string): string {
  const parts = [
    `${spec.mode}, ${spec.design} design`,
    `d = ${spec.d}, n0 = ${spec.n0}, n = ${describeSchedule(spec.n)}, T = ${spec.generations}, R = ${spec.replicates}`,
  ];
  if (spec.mode === 'mixture') parts.push(`realFraction = ${describeSchedule(spec.realFraction)}`);
  if (spec.schedule.ridgeLambda.some((l) => l !== 0)) parts.push(`ridgeLambda = ${describeSchedule(spec.ridgeLambda)}`);
  const v = spec.verifier;
  parts.push(v.kind === 'ball'
    ? `verifier ball (bias ${v.bias}, radius ${v.radius}, slack ${significant(v.slack)}, direction ${v.direction})`
    : 'no verifier');
  return `${source}: ${parts.join(' · ')}`;
}

function describeRun(result: RunResult): string {
  const where = result.adapter ? `webgpu on ${result.adapter.path} (${result.adapter.description})` : 'cpu (float64 twin)';
  const replicateGenerations = result.spec.replicates * result.generations.length;
  const rate = replicateGenerations / result.elapsedSeconds;
  return `${where} · ${result.elapsedSeconds.toFixed(2)} s · ${Math.round(rate).toLocaleString('en-US')} replicate-generations/s`;
}

function table(result: RunResult, source: string): string {
  const verified = result.spec.verifier.kind !== 'none';
  const closed = result.closedForm;
  const head = ['t', 'mse ± SE', 'bias²', 'variance', 'risk ± SE', ...(closed ? ['risk, closed form'] : []),
    ...(verified ? ['centerDist² ± SE'] : []), 'accept', 'failed'];
  // No colours (the table is also written to files) and no rule between generations.
  const rows = new Table({ head, style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
  for (const g of result.generations) {
    rows.push([
      g.t, withSE(g.mse, g.mseSE), significant(g.bias2), significant(g.variance), withSE(g.risk, g.riskSE),
      ...(closed ? [significant(closed.values[g.t])] : []),
      ...(verified ? [withSE(g.centerDist2, g.centerDist2SE)] : []),
      significant(g.acceptRate), g.failed,
    ]);
  }
  const footnote = closed ? `closed form: ${closed.source}\n` : '';
  return `${describeSpec(result.spec, source)}\n${describeRun(result)}\n${rows.toString()}\n${footnote}`;
}

function csv(result: RunResult): string {
  const lines = result.generations.map((g) => CSV_COLUMNS.map((c) => g[c] ?? '').join(','));
  return [CSV_COLUMNS.join(','), ...lines].join('\n') + '\n';
}

/** The run as text in `format`; `source` names the preset or file in the table's header. */
export function formatRun(result: RunResult, format: OutputFormat, source: string): string {
  switch (format) {
    case 'table': return table(result, source);
    case 'json': return JSON.stringify(result, null, 2) + '\n';
    case 'csv': return csv(result);
  }
}
