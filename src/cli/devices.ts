// `synthloop devices`: every adapter path that works here, with what compute planning reads.
import Table from 'cli-table3';
import { tableStyle } from './color.js';
import { probeAdapters } from '../core/gpu/device.js';
import { type AdapterDescription } from '../core/adapter.js';

const MiB = 1024 * 1024;

function limitLines(a: AdapterDescription): string {
  const l = a.limits;
  return [
    `storage binding ${(l.maxStorageBufferBindingSize / MiB).toFixed(0)} MiB, buffer ${(l.maxBufferSize / MiB).toFixed(0)} MiB`,
    `workgroup x ≤ ${l.maxComputeWorkgroupSizeX}, ≤ ${l.maxComputeInvocationsPerWorkgroup} invocations, ${l.maxComputeWorkgroupStorageSize / 1024} KiB shared`,
    `${l.maxComputeWorkgroupsPerDimension} workgroups/dim, ${l.maxStorageBuffersPerShaderStage} storage buffers/stage`,
  ].join('\n');
}

export async function devicesCommand(options: { json?: boolean }): Promise<number> {
  const probes = await probeAdapters();
  if (options.json) {
    process.stdout.write(JSON.stringify(probes, null, 2) + '\n');
  } else {
    const table = new Table({ head: ['path', 'adapter', 'level', 'fallback', 'timestamps', 'compute limits'], style: tableStyle() });
    for (const p of probes) {
      if (p.ok) {
        const a = p.adapter;
        table.push([p.path, [a.description, a.device, [a.vendor, a.architecture].filter(Boolean).join(' / ')].filter(Boolean).join('\n'),
          a.featureLevel, a.isFallbackAdapter ? 'yes' : 'no', a.timestampQuery ? 'yes' : 'no', limitLines(a)]);
      } else {
        table.push([p.path, { colSpan: 5, content: `not available: ${p.reason}` }]);
      }
    }
    process.stdout.write(table.toString() + '\n');
  }
  return probes.some((p) => p.ok) ? 0 : 1;
}
